"""The results inbox: the signed-in clinician's results to review, and the clinic queue
(results whose order is not here) for whoever may sign orders; acknowledging one.

An item is a review Task (app.clinical.results.arrivals) still `requested`. Reading the inbox
is one audited read: the page's items are read with their result, patient and order, and
the audit row names how many were shown. Acknowledging completes the Task through the write
path (audited), with the clinician's note, if any, kept on the Task as an annotation.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

from app.clinical.access import gate
from app.clinical.charting.entries import annotation
from app.clinical.fhir.names import family_given
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.results.arrivals import flag_of_result
from app.clinical.results.result_lines import ResultLine, order_line, result_line
from app.clinical.visits.encounters import HEARTH_USER, now
from app.display_time import when_text
from app.errors import InvalidRecord, NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

PAGE = 50
CHUNK = 500  # ids per IN (...) read
READ_MANY = text("SELECT id, json FROM resource WHERE type = :type AND deleted = 0 "
                 "AND id IN :ids").bindparams(bindparam("ids", expanding=True))
MINE = ("FROM resource WHERE type = 'Task' AND deleted = 0 "
        "AND json_extract(json, '$.status') = 'requested' "
        "AND json_extract(json, '$.code.coding[0].code') = 'review' "
        "AND (json_extract(json, '$.owner.identifier.value') = :user "
        "OR (:queue AND json_extract(json, '$.owner') IS NULL)) ")
FOR = "coalesce(json_extract(json, '$.for.reference'), '')"
OPEN_TASKS = text(
    "SELECT json " + MINE + f"AND {FOR} NOT IN :shut "
    "ORDER BY CASE json_extract(json, '$.priority') WHEN 'stat' THEN 0 WHEN 'urgent' THEN 1 "
    "ELSE 2 END, json_extract(json, '$.authoredOn') DESC, id LIMIT :limit").bindparams(
    bindparam("shut", expanding=True))
COUNT_BY_PATIENT = text(f"SELECT {FOR}, count(*) " + MINE + "GROUP BY 1")


@dataclass(frozen=True)
class InboxItem:
    task_id: str
    patient_id: str
    patient: str  # "Family, Given", or the id when the patient is not here
    deceased: bool
    test: str
    flag: str | None  # "critical", "abnormal" or None
    when: str | None  # the result's time (issued or effective), else when it arrived
    order_id: str | None  # the matched order; None: the clinic queue
    result: str  # "DiagnosticReport/<id>"
    notes: tuple[str, ...]
    # Each result as read before acknowledging: "Potassium 6.9 mmol/L (3.5–5.1) CRITICAL HIGH"
    results: tuple[ResultLine, ...] = ()
    order: str | None = None  # "Basic metabolic panel, ordered 02 Mar"


class Inbox:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._store, self._records = store, Records(store, feed)

    def open_items(self, session: Session, limit: int = PAGE) -> gate.OpenRows:
        """The open items owned by the signed-in user, with the clinic queue's for whoever
        may sign orders: critical first, then abnormal, each newest first; one audited
        read (a row per patient shown). Items of a restricted chart the user may not open
        are left out, never read, and counted (`withheld`: every one, not only a page's);
        they take no place in the page, so one such chart cannot push the rest off it."""
        queue = session.may(Permission.SIGN_ORDERS)
        with self._records.read(session, Permission.READ_CHART) as work:
            _, shut = _open_by_patient(work.conn, session)
            bodies = work.conn.execute(OPEN_TASKS, {"user": session.user, "queue": queue,
                                                    "shut": sorted(shut), "limit": limit})
            items = gate.OpenRows(_items(work, [fhir_json.loads(b) for b in bodies.scalars()]))
            items.withheld = sum(shut.values())
            for patient_id in dict.fromkeys(i.patient_id for i in items):
                work.read(f"Patient/{patient_id}", "results inbox", patient_id)
            work.read("Task", f"results inbox: {len(items)} open items shown"
                      + (" with the clinic queue" if queue else "")
                      + (f"; {items.withheld} of restricted charts left out"
                         if items.withheld else ""))
        return items

    def count(self, session: Session) -> int:
        """How many items `open_items` would list, without the page's limit, so without
        those of a restricted chart the user may not open (the list leaves them out and
        says so; the title counts what the user can see). A count names no patient, so it
        is not an audited read (the Inbox tab's title asks every few seconds, for results
        an import in another process filed)."""
        session.require(Permission.READ_CHART)
        with self._store.read() as conn:
            return sum(_open_by_patient(conn, session)[0].values())

    def acknowledge(self, session: Session, task_id: str, note: str | None = None) -> dict:
        """Mark a result reviewed: its Task completed, with the note if one is given. Only
        the clinician it is filed to, or (for the clinic queue) one who may sign orders."""
        with self._records.write(session, Permission.READ_CHART) as work:
            task = work.get("Task", task_id)
            if task is None or "review" not in {c.get("code") for c in (
                    task.get("code") or {}).get("coding", [])}:
                raise NotFound(f"There is no result to review with id {task_id}.")
            owner = (task.get("owner") or {}).get("identifier", {}).get("value")
            if owner is None:
                session.require(Permission.SIGN_ORDERS)
            elif owner != session.user:
                raise InvalidRecord(f"This result is filed to "
                                    f"{task['owner'].get('display', owner)}, not to you.")

            def edit(record: dict) -> str:
                if record.get("status") != "requested":
                    raise InvalidRecord(_already(record))
                record["status"] = "completed"
                record["lastModified"] = now()
                record["executionPeriod"] = {"end": record["lastModified"]}
                record["owner"] = record.get("owner") or {
                    "type": "Practitioner", "display": session.full_name,
                    "identifier": {"system": HEARTH_USER, "value": session.user}}
                text_ = f"Acknowledged{': ' + note.strip() if note and note.strip() else ''}"
                record.setdefault("note", []).append(annotation(session, text_))
                return f"result acknowledged: {record.get('description', '')}" + (
                    f"; note: {note.strip()}" if note and note.strip() else "")

            return work.revise("Task", task_id, "result to review", edit, None,
                               lambda r: r.get("description", "result"))


def _already(task: dict) -> str:
    """Why an item cannot be acknowledged again: who did it (on this or another
    workstation), and when."""
    if task.get("status") != "completed":
        return f"This result's review was {task.get('status')}: there is nothing to acknowledge."
    done = next((n for n in reversed(task.get("note", []))
                 if n.get("text", "").startswith("Acknowledged")), {})
    by = f" by {done['authorString']}" if done.get("authorString") else ""
    when = f" at {when_text(done['time'], with_date=True)}" if done.get("time") else ""
    return f"This result was already acknowledged{by}{when}."


def _open_by_patient(conn: Connection, session: Session) -> tuple[dict, dict]:
    """The user's open items counted by patient reference: those whose chart the user may
    open, and those of a restricted chart they may not (app.clinical.access.gate), so the
    list, its count and what it says it withheld leave out the same items."""
    may, shut = {}, {}
    for reference, count in conn.execute(COUNT_BY_PATIENT, {
            "user": session.user, "queue": session.may(Permission.SIGN_ORDERS)}):
        opens = gate.may_open(conn, session, reference.removeprefix("Patient/"))
        (may if opens else shut)[reference] = count
    return may, shut


def _items(work: Work, tasks: list[dict]) -> list[InboxItem]:
    """The page's items, their results, patients and the results' Observations read in a
    few queries (one per kind), not one per record: a page of 50 is otherwise 250 reads."""
    found = _read(work, [t["focus"]["reference"] for t in tasks]
                  + [t["for"]["reference"] for t in tasks]
                  + [b["reference"] for t in tasks for b in t.get("basedOn", [])[:1]
                     if isinstance(b.get("reference"), str)])
    found |= _read(work, [r["reference"] for result in found.values()
                          if result["resourceType"] == "DiagnosticReport"
                          for r in result.get("result", []) if isinstance(r.get("reference"), str)])

    def get(kind: str, record_id: str) -> dict | None:
        return found.get(f"{kind}/{record_id}")

    return [_item(get, task) for task in tasks]


def _read(work: Work, references: list[str]) -> dict[str, dict]:
    """The stored records these "Type/id" references name, by reference."""
    by_kind: dict[str, set[str]] = {}
    for reference in references:
        kind, _, record_id = reference.partition("/")
        by_kind.setdefault(kind, set()).add(record_id)
    found = {}
    for kind, ids in by_kind.items():
        ids = sorted(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            rows = work.conn.execute(READ_MANY.bindparams(type=kind, ids=chunk))
            found |= {f"{kind}/{rid}": fhir_json.loads(body) for rid, body in rows}
    return found


def _item(get, task: dict) -> InboxItem:
    result_ref = task["focus"]["reference"]
    kind, _, result_id = result_ref.partition("/")
    result = get(kind, result_id) or {"resourceType": kind, "id": result_id}
    patient_id = task["for"]["reference"].removeprefix("Patient/")
    patient = get("Patient", patient_id)
    order_id = (task.get("basedOn") or [{}])[0].get("reference", "").removeprefix(
        "ServiceRequest/") or None
    order = get("ServiceRequest", order_id) if order_id else None
    return InboxItem(
        task["id"], patient_id, family_given(patient, patient_id) if patient else patient_id,
        bool(patient and (patient.get("deceasedBoolean") or patient.get("deceasedDateTime"))),
        task.get("description", "result"),
        flag_of_result(get, result),
        result.get("issued") or result.get("effectiveDateTime") or task.get("authoredOn"),
        order_id, result_ref, tuple(n["text"] for n in task.get("note", [])),
        tuple(result_line(o) for o in _observations(get, result)),
        order_line(order) if order else None)


def _observations(get, result: dict) -> list[dict]:
    """The Observations a result stands for: a report's own (those here), or itself."""
    if result["resourceType"] == "Observation":
        return [result] if "code" in result else []
    found = (get("Observation", r["reference"].rpartition("/")[2])
             for r in result.get("result", []) if isinstance(r.get("reference"), str))
    return [o for o in found if o is not None]
