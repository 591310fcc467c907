"""The writing half of an import: each batch the worker prepared, in one transaction.

A record refused (a change to a signed note, a version the guard keeps back or holds as
a conflict) is reported and skipped, and the rest of the file still imports. Records are
written as the worker serialised them (Work.save_serialised), with an audit row per
patient and file, at the very time their outbox rows carry (app.clinical.imports.guard
tells an import's outbox rows apart by it). Only records already stored are parsed here.
Python's cycle collector is held off while a batch is received and written
(app.clinical.imports.collector).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from app.clinical.imports.guard import hold, judge
from app.clinical.imports.medication_review import ImportedMedication
from app.clinical.imports.prepare import Prepared
from app.clinical.imports.reader import Item, Said
from app.clinical.imports.report import ImportReport, shown
from app.clinical.imports.unscheduled import Imported
from app.clinical.records import Work
from app.clinical.results.arrivals import file_items
from app.store.resources import stored_records
from app.store.signed_notes import signed_note_refusal
from fhir_common import fhir_json


class Place(NamedTuple):
    """Where an entry is, as the report names it."""
    source: Path
    index: int


@dataclass
class Written:
    """What the import wrote that is checked once it is all in: appointments on no
    calendar, medications for safety."""
    appointments: list[Imported] = field(default_factory=list)
    medications: list[ImportedMedication] = field(default_factory=list)


def tell(report: ImportReport, said: list[Said]) -> None:
    """Put into the report what the worker said of entries, in order."""
    for one in said:
        _tell(report, Place(one.source, one.index), one.kind, one.sentence)


def write(work: Work, items: list[Item], report: ImportReport, written: Written) -> None:
    """One batch in one transaction."""
    ready: list[tuple[Place, Prepared]] = []
    for item in items:
        place = Place(item.source, item.index)
        for kind, sentence in item.said:
            _tell(report, place, kind, sentence)
        ready.append((place, item.prepared))
    stored = stored_records(work.conn, [p.key for _, p in ready])  # read once, used thrice
    ready = _unsigned(ready, report, stored)
    create_only = {p.key for _, p in ready if p.post}
    verdicts = judge(work.conn, [p.key for _, p in ready], lambda i: ready[i][1].resource(),
                     create_only, stored)
    writes = []
    for (place, prepared), verdict in zip(ready, verdicts, strict=True):
        if verdict.action == "write":
            writes.append((place, prepared))
        elif verdict.action == "unchanged":
            report.unchanged += 1
        elif verdict.action == "refuse":
            report.skip(place, verdict.reason)
        else:
            if verdict.action == "hold":
                hold(work.conn, prepared.resource(), f"imported from {shown(place.source.name)} "
                                                     f"entry {place.index}")
                report.conflicts += 1
            else:
                report.kept += 1
            report.warn(place, verdict.reason)
    ops = work.save_serialised([p.row for _, p in writes], create_only, stored)
    arrived = [(place, p) for (place, p), op in zip(writes, ops, strict=True)
               if op != "unchanged"]
    report.unchanged += len(writes) - len(arrived)
    by_patient: dict[tuple[str | None, str], Counter] = defaultdict(Counter)
    for place, prepared in arrived:
        report.imported += 1
        if prepared.appointment:
            written.appointments.append(prepared.appointment)
        if prepared.medication:
            written.medications.append(prepared.medication)
        patient = prepared.row.chart[0] if prepared.row.chart else None
        by_patient[(patient, place.source.name)][prepared.row.kind] += 1
    _file_results(work, arrived, report)
    for (patient, source), kinds in by_patient.items():  # at: as the outbox rows (guard)
        work.audit("create", patient=patient, entity=f"Import/{source}",
                   detail=", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))


def _unsigned(ready: list[tuple[Place, Prepared]], report: ImportReport, stored: dict
              ) -> list[tuple[Place, Prepared]]:
    """The batch without changes to a signed note, each refused in the report."""
    kept = []
    for place, prepared in ready:
        body, deleted = stored.get(prepared.key, (None, 1))[:2]
        if prepared.row.kind == "DocumentReference" and not deleted and (
                refused := signed_note_refusal(fhir_json.loads(body), prepared.resource())):
            report.skip(place, refused)
        else:
            kept.append((place, prepared))
    return kept


def _file_results(work: Work, arrived: list[tuple[Place, Prepared]],
                  report: ImportReport) -> None:
    """Results that name an order, filed to the inbox in this transaction: every report,
    and each Observation that is not one of the results of a report arriving with it."""
    in_reports = {ref for _, p in arrived for ref in p.results}
    stamp = fhir_json.dumps(work.at)
    items = {}
    for place, p in arrived:
        if p.reviewable and not (p.row.kind == "Observation"
                                 and f"Observation/{p.row.id}" in in_reports):
            result = fhir_json.loads(p.row.json(stamp))
            items[id(result)] = (place, result)
    for filed in file_items(work, [result for _, result in items.values()]):
        if filed.sentence:  # in the inbox, same transaction; the report names the odd ones
            report.warn(items[id(filed.result)][0], filed.sentence)


def _tell(report: ImportReport, place: Place, kind: str, sentence: str | None) -> None:
    if kind == "skip":
        report.skip(place, sentence)
    elif kind == "warn":
        report.warn(place, sentence)
    elif kind == "unresolved":
        report.unresolved_reference(place, sentence)
    elif kind == "unchanged":
        report.unchanged += 1
    else:
        report.kept += 1
