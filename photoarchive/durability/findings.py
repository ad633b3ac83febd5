"""What a scrub found and did: per-file findings and the run's report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from photoarchive.jobs import Problem

_DONE = ("restored", "re-uploaded", "accepted")


@dataclass
class Finding:
    path: str
    state: str  # 'damaged', 'missing', 'edited', 'remote-changed', 'remote-missing'
    detail: str
    action: str = ""  # what was done, or (without --repair) what would be done


@dataclass
class ScrubReport:
    checked: int = 0
    bytes: int = 0
    ok: int = 0
    remaining: int = 0  # files not reached within the budget
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    remote_checked: int = 0
    sampled: int = 0
    repaired: int = 0
    cancelled: bool = False

    @property
    def clean(self) -> bool:
        """Nothing wrong, or everything found was set right."""
        return not self.problems and all(f.action.startswith(_DONE) for f in self.findings)

    def in_words(self) -> str:
        """What the run did, for the GUI's jobs bar."""
        found = ", ".join(f"{f.state}: {f.path} ({f.action})" for f in self.findings)
        text = f"re-read {self.checked} file(s), {self.ok} ok, {self.remaining} left for later"
        return f"{text}; {found}" if found else text

    def to_json(self) -> str:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        data["clean"] = self.clean
        import json  # here: only --json asks

        return json.dumps(data)
