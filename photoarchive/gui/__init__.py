"""The desktop application: the only package that imports PySide6.

Every panel and dialog calls the Qt-free core through `worker.Job`, so the GUI thread only
paints and reacts; disk, exiv2 and network work happens on worker threads. Dialogs are in
`dialogs/`. May import the base, `pipeline` and the capabilities; never the command line.
"""

from __future__ import annotations

import ctypes
import sys


def _pin_singletons() -> None:
    """Work around a PySide6 6.12 reference-count bug on Python < 3.12.

    Each QVariant that converts to None (an item role with no data, in either direction: a
    Python model's data() returning None to C++, or Python reading an empty role) drops one
    reference to None it never took; True/False likewise. After some 10^5 paints CPython frees
    None and aborts ("none_dealloc: deallocating None"). Python 3.12 made these objects
    immortal; we do the same by giving them a reference count no bug can exhaust.
    """
    if sys.version_info >= (3, 12):
        return
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_pin_singletons()
