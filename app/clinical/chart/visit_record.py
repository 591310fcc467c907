"""A visit (FHIR Encounter) opened: what was charted in it, with when and by whom.

A record belongs to the visit when it names the Encounter as its own (`encounter`, or a
DocumentReference's `context.encounter`). They are grouped the way a clinician reads a
visit: diagnoses (Conditions of the visit, and those its `diagnosis` names), notes, vital
signs, results, and orders (ServiceRequest, MedicationRequest). Whatever else names the
visit (procedures, immunizations, claims) is counted by chart section, so nothing charted
in it is silently left out. The reasons for the visit are its `reasonCode` and
`reasonReference`.

Everything is read in ONE audited read, from the patient's own chart: the candidates are
the patient's records whose JSON holds the visit's reference (a substring test SQLite does
without parsing), each then checked field by field. Authors are the records' own
performer, author, recorder or requester, named by their display, else by the stored
Practitioner they reference.
"""

from dataclasses import dataclass, field

from sqlalchemy import text

from app.clinical.chart.chart_items import ChartItem, describe
from app.clinical.chart.item_details import concept_text
from app.clinical.records import Records, Work
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.chart_index import section_of
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

GROUPS = ("diagnoses", "notes", "vitals", "results", "orders")
GROUP_OF_TYPE = {"Condition": "diagnoses", "DocumentReference": "notes", "Composition": "notes",
                 "ServiceRequest": "orders", "MedicationRequest": "orders"}
# Who did it, by record type: the first of these fields that names someone.
AUTHOR_FIELDS = ("author", "performer", "recorder", "asserter", "requester",
                 "resultsInterpreter", "authenticator")
NAMING = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.section != 'demographics' AND instr(r.json, :needle) > 0")


@dataclass(frozen=True)
class VisitLine:
    item: ChartItem
    author: str | None
    role: str | None = None  # a diagnosis's use in the visit ("Admission diagnosis")


@dataclass(frozen=True)
class VisitRecord:
    encounter: ChartItem  # its title (the visit's type), start date and status
    start: str | None
    end: str | None
    participants: list[str]
    reasons: list[str]
    lines: dict[str, list[VisitLine]]  # by group (GROUPS), each oldest first
    others: dict[str, int] = field(default_factory=dict)  # chart section -> records

    @property
    def empty(self) -> bool:
        return not any(self.lines.values()) and not self.others


class VisitRecords:
    def __init__(self, store: Store):
        self._records = Records(store)

    def read(self, session: Session, patient_id: str, encounter_id: str) -> VisitRecord:
        """The visit and everything charted in it; only a visit in this patient's chart."""
        with self._records.read(session, Permission.READ_CHART) as work:
            work.patient(patient_id, f"visit Encounter/{encounter_id} with what was charted "
                                     "in it")
            encounter = work.get("Encounter", encounter_id)
            visit = (_Visit(work, patient_id, encounter).record()
                     if encounter is not None and patient_of(encounter) == patient_id
                     else None)
        if visit is None:  # after the commit, so the failed read stays in the audit trail
            raise NotFound(f"Encounter/{encounter_id} is not a visit in this patient's chart.")
        return visit


def visit_in(work: Work, patient_id: str, encounter: dict) -> VisitRecord:
    """The visit read inside a caller's audited read (a printout reads it with the rest)."""
    return _Visit(work, patient_id, encounter).record()


class _Visit:
    """One visit being read, in the read's transaction."""

    def __init__(self, work: Work, patient_id: str, encounter: dict):
        self._work, self._patient, self._encounter = work, patient_id, encounter
        self._reference = f"Encounter/{encounter['id']}"
        self._names: dict[str, str | None] = {}

    def record(self) -> VisitRecord:
        encounter = self._encounter
        lines: dict[str, list[VisitLine]] = {group: [] for group in GROUPS}
        others: dict[str, int] = {}
        for resource in self._naming_the_visit():
            group = _group(resource)
            if group is None:
                section = section_of(resource).replace("_", " ")
                others[section] = others.get(section, 0) + 1
            else:
                lines[group].append(VisitLine(describe(resource), self._author(resource)))
        lines["diagnoses"] += self._named_diagnoses(
            {line.item.id for line in lines["diagnoses"]})
        for group in lines.values():
            group.sort(key=lambda line: (line.item.date or "", line.item.title))
        period = encounter.get("period") or {}
        return VisitRecord(
            describe(encounter), period.get("start"), period.get("end"),
            _unique(self._name(p.get("individual")) for p in encounter.get("participant", [])),
            _unique([*(concept_text(c) for c in encounter.get("reasonCode", [])),
                     *(self._condition_name(r) for r in encounter.get("reasonReference", []))]),
            lines, others)

    def _naming_the_visit(self) -> list[dict]:
        rows = self._work.conn.execute(NAMING, {"patient": self._patient,
                                                "needle": f'"{self._reference}"'})
        found = (fhir_json.loads(body) for (body,) in rows)
        return [r for r in found if self._reference in _visit_references(r)]

    def _named_diagnoses(self, listed: set[str]) -> list[VisitLine]:
        """The visit's `diagnosis` entries whose Condition does not name the visit itself."""
        lines = []
        for diagnosis in self._encounter.get("diagnosis", []):
            reference = diagnosis.get("condition") or {}
            condition = self._condition(reference)
            item = describe(condition) if condition else ChartItem(
                "Condition", reference.get("reference") or "", None,
                reference.get("display") or reference.get("reference") or "Not recorded",
                None, None, None)
            if item.id in listed:
                continue
            listed.add(item.id)
            lines.append(VisitLine(item, condition and self._author(condition),
                                   concept_text(diagnosis.get("use"))))
        return lines

    def _condition(self, reference: dict) -> dict | None:
        kind, _, record_id = (reference.get("reference") or "").rpartition("/")
        if kind.rpartition("/")[2] != "Condition":
            return None
        found = self._work.get("Condition", record_id)
        return found if found is not None and patient_of(found) == self._patient else None

    def _condition_name(self, reference: dict) -> str | None:
        condition = self._condition(reference)
        return describe(condition).title if condition else reference.get("display")

    def _author(self, resource: dict) -> str | None:
        for name in AUTHOR_FIELDS:
            value = resource.get(name)
            for reference in value if isinstance(value, list) else [value]:
                if isinstance(reference, dict) and "actor" in reference:  # Procedure
                    reference = reference["actor"]
                if found := self._name(reference):
                    return found
        return None

    def _name(self, reference: dict | None) -> str | None:
        """Who a Reference names: its display, else the stored Practitioner's name."""
        if not isinstance(reference, dict):
            return None
        if reference.get("display"):
            return reference["display"]
        target = reference.get("reference") or ""
        if target not in self._names:
            kind, _, record_id = target.rpartition("/")
            person = (self._work.get("Practitioner", record_id)
                      if kind.rpartition("/")[2] == "Practitioner" else None)
            self._names[target] = person and _person_name(person)
        return self._names[target]


def _visit_references(resource: dict) -> list[str]:
    """The Encounter references that make a record part of a visit."""
    own = resource.get("encounter")
    if resource["resourceType"] == "DocumentReference":
        own = (resource.get("context") or {}).get("encounter")
    references = own if isinstance(own, list) else [own]
    return [r.get("reference") for r in references if isinstance(r, dict)]


def _group(resource: dict) -> str | None:
    if resource["resourceType"] == "Observation":
        return "vitals" if section_of(resource) == "vitals" else "results"
    return GROUP_OF_TYPE.get(resource["resourceType"])


def _person_name(person: dict) -> str | None:
    """ "Dr. Jan Smith": a Practitioner as a colleague reads the name."""
    for name in person.get("name", [])[:1]:
        if name.get("text"):
            return name["text"]
        words = [*name.get("prefix", []), *name.get("given", []), name.get("family")]
        return " ".join(w for w in words if w) or None
    return None


def _unique(names) -> list[str]:
    return list(dict.fromkeys(n for n in names if n))

