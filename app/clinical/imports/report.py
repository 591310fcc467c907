"""What an import did: counts for its summary, and a short sentence for every file or entry
that was refused, kept back, held as a conflict or left with an unresolved reference."""

from dataclasses import dataclass, field
from typing import Protocol

MAX_LISTED = 1000  # problems listed in a report; the rest are only counted
MAX_REASON = 200  # a fuzzed file once had a 1.3 MB value echoed into its skip reason
MAX_ALERT = 1000  # a safety alert is kept whole: its message and its source
SHOWN = 60  # characters of a value a sentence quotes


def shown(text: str, limit: int = SHOWN) -> str:
    """A value as a sentence may quote it: long ones are cut, and the cut is marked."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def json_kind(value) -> str:
    """What a JSON value is, as a sentence names it ("an object", "a string", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    kinds = ((dict, "an object"), (list, "an array"), (str, "a string"), (int | float, "a number"))
    return next(name for kind, name in kinds if isinstance(value, kind))


class Where(Protocol):
    source: object
    index: int


@dataclass(frozen=True)
class Problem:
    file: str
    entry: int
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    kept: int = 0  # not applied: a newer version (in the file or the store) was kept
    conflicts: int = 0  # held for a person to choose between it and an edit made here
    skipped: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unresolved: list[Problem] = field(default_factory=list)  # references to nothing here
    unscheduled: list[Problem] = field(default_factory=list)  # appointments on no calendar
    safety: list[Problem] = field(default_factory=list)  # medication alerts to review

    def skip(self, where: Where, reason: str) -> None:
        self.skipped += 1
        _listed(self.errors, where, reason)

    def warn(self, where: Where, reason: str) -> None:
        _listed(self.warnings, where, reason)

    def unresolved_reference(self, where: Where, reason: str) -> None:
        self.warn(where, reason)
        _listed(self.unresolved, where, reason)

    def unscheduled_appointment(self, where: Where, reason: str) -> None:
        """An appointment imported that no provider's calendar here shows
        (app.clinical.imports.unscheduled)."""
        self.warn(where, reason)
        _listed(self.unscheduled, where, reason)

    def safety_alert(self, where: Where, reason: str) -> None:
        """An imported medication the safety check alerts on: imported all the same
        (app.clinical.imports.medication_review). A list of its own, not a warning about the
        file: the file is sound, the patient's drugs need a clinician's review."""
        _listed(self.safety, where, reason, MAX_ALERT)

    def summary(self) -> str:
        parts = [f"Imported {self.imported} resources", f"{self.unchanged} already there"]
        if self.kept:
            parts.append(f"{self.kept} older than the version kept")
        if self.conflicts:
            held = "a conflict" if self.conflicts == 1 else "conflicts"
            parts.append(f"{self.conflicts} held as {held} with edits made here")
        if self.unscheduled:
            parts.append(f"{len(self.unscheduled)} "
                         f"{'appointment' if len(self.unscheduled) == 1 else 'appointments'}"
                         " on no provider's calendar")
        if self.safety:
            parts.append(f"{len(self.safety)} medication safety "
                         f"{'alert' if len(self.safety) == 1 else 'alerts'} to review")
        return ", ".join([*parts, f"{self.skipped} skipped."])

    def as_json(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged, "kept": self.kept,
                "conflicts": self.conflicts, "skipped": self.skipped,
                "errors": [p.__dict__ for p in self.errors],
                "warnings": [p.__dict__ for p in self.warnings],
                "unresolved": [p.__dict__ for p in self.unresolved],
                "unscheduled": [p.__dict__ for p in self.unscheduled],
                "safety": [p.__dict__ for p in self.safety]}


def _listed(problems: list[Problem], where: Where, reason: str, limit: int = MAX_REASON
            ) -> None:
    if len(problems) < MAX_LISTED:
        problems.append(Problem(str(where.source), where.index, shown(reason, limit)))
