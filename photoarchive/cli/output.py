"""Text output shared by the CLI commands: progress lines, sizes, problem lists.

Progress goes to stderr so stdout stays clean for `--json` and for scripts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import TextIO

from photoarchive.jobs import Problem, Progress, human_bytes, human_duration
from photoarchive.names import one_line, show


class TextProgress:
    """A callback printing one updating line on a terminal, or a line every few seconds."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.stage = ""

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if p.stage != self.stage:
            self.stage, self.start = p.stage, now
        final = p.done >= p.total
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        line = f"{p.stage}: {p.done}/{p.total}"
        if p.bytes_total:
            elapsed = max(now - self.start, 1e-6)
            rate = p.bytes_done / elapsed
            line += f"  {human_bytes(p.bytes_done)}/{human_bytes(p.bytes_total)}"
            line += f"  {human_bytes(rate)}/s"
            if rate > 0 and p.bytes_done < p.bytes_total:
                line += f"  ETA {human_duration((p.bytes_total - p.bytes_done) / rate)}"
        if p.current:
            line += f"  {show(p.current)[-50:]}"
        if self.tty:
            self.stream.write("\r\x1b[K" + line[:160])
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def print_path_lists(
    sections: Iterable[tuple[str, Iterable[str]]], out: TextIO | None = None
) -> None:
    """`Label (n):` then the paths, for each non-empty section."""
    out = out or sys.stdout
    for label, paths in sections:
        paths = list(paths)
        if paths:
            print(f"{label} ({len(paths)}):", file=out)
            for path in paths:
                print(f"  {show(path)}", file=out)


def print_problems(title: str, problems: Iterable[Problem], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    problems = list(problems)
    if not problems:
        return
    print(f"{title} ({len(problems)}):", file=out)
    for p in problems:
        print(f"  {show(p.path)}: {one_line(p.reason)}", file=out)
