"""A finished job's result in words for the jobs bar: what was sent, written, skipped.

Results are told apart by what they hold (duck typing), so the GUI need not import the cloud
or metadata packages just to describe their results.
"""

from __future__ import annotations

from photoarchive.jobs import Severity, human_bytes, plural


def _n(result: object, name: str) -> int:
    value = getattr(result, name, 0)
    return len(value) if isinstance(value, (list, tuple, set, dict)) else int(value or 0)


def _writes(r: object) -> str:
    results = getattr(r, "results", [])
    written = sum(1 for x in results if getattr(x, "changed", False))
    problems = getattr(r, "problems", [])
    errors = sum(1 for p in problems if getattr(p, "severity", None) is Severity.ERROR)
    return (
        f"written {plural(written, 'file')}, unchanged {len(results) - written:,}, "
        f"{plural(errors, 'error')}"
    )


def _import(r: object) -> str:
    plan = getattr(r, "plan", None)
    weeks = getattr(r, "weeks", [])
    where = f" into {', '.join(weeks)}" if weeks else ""
    parts = [
        f"copied {plural(_n(r, 'copied'), 'file')} ({human_bytes(_n(r, 'bytes_copied'))}){where}"
    ]
    if _n(plan, "already"):
        parts.append(f"{_n(plan, 'already'):,} already archived")
    if _n(plan, "skipped"):
        parts.append(f"skipped {_n(plan, 'skipped'):,}")
    return ", ".join(parts)


def _plan(r: object) -> str:
    return (
        f"{plural(_n(r, 'new_files'), 'new file')} ({human_bytes(_n(r, 'new_bytes'))}), "
        f"{_n(r, 'already'):,} already archived, skipped {_n(r, 'skipped'):,}"
    )


def _verify(r: object) -> str:
    if getattr(r, "rebuilt", False):
        return f"catalog rebuilt from {plural(_n(r, 'checked'), 'file')}"
    bad = _n(r, "missing") + _n(r, "changed")
    checked = plural(_n(r, "checked"), "file")
    return f"checked {checked}: {_n(r, 'ok'):,} intact, {bad:,} missing or changed"


def _remote(r: object) -> str:
    checked = plural(_n(r, "checked"), "file")
    return (
        f"compared {checked}: {_n(r, 'ok'):,} match, {_n(r, 'not_in_bucket'):,} not in the "
        f"bucket, {_n(r, 'mismatched'):,} different"
    )


def result_words(result: object) -> str:
    """'sent 12 new files (48.0 MB), replaced 0, held back 0, skipped 0', or '' if unknown."""
    if result is None:
        return ""
    own = getattr(result, "in_words", None)  # a result that can say what it did itself
    if callable(own):
        return str(own())
    if hasattr(result, "copied") and hasattr(result, "plan"):
        return _import(result)
    if hasattr(result, "results") and hasattr(result, "changed"):
        return _writes(result)
    if hasattr(result, "new_files") and hasattr(result, "already"):
        return _plan(result)
    if hasattr(result, "not_in_bucket"):
        return _remote(result)
    if hasattr(result, "checked") and hasattr(result, "ok"):
        return _verify(result)
    return ""
