"""The desktop application: the only package that imports PySide6.

Every panel and dialog calls the Qt-free core through `worker.Job`, so the GUI thread only
paints and reacts; disk, exiv2 and network work happens on worker threads.
"""
