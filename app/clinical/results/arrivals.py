"""Results arriving (by import) filed to the inbox: one review Task per result, in the same
unit of work that stores it, so a result is never stored without its inbox item.

A DiagnosticReport is the item to review; an Observation gets its own Task only when it is
not one of the results of a report arriving with it. Only results that name or match an
order are filed (app.clinical.results.matching). A matched result's Task is owned by the
order's requester, the ordering clinician; an unknown order's has no owner: the clinic
queue. A result for a deceased patient is still filed to whoever ordered it (it may matter
to the family or to a death review), with a note saying so, and the import names it. The
Task's id is derived from the result's, so a result re-imported or changed never makes a
second item, and an item already acknowledged stays so.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.records import Work
from app.clinical.results.flags import flag_of, worst
from app.clinical.results.matching import match
from app.clinical.visits.encounters import now
from app.store.resources import get_resource
from fhir_common.compartment import patient_of

RESULTS = ("DiagnosticReport", "Observation")
TASK_CODE = {"coding": [{"system": "urn:hearth:task", "code": "review",
                         "display": "Review result"}], "text": "Review result"}
TASK_IDS = uuid.UUID("0b6c3cbe-6f61-4d46-9d3e-4f1a7b0d5e15")  # namespace of review Task ids
PRIORITY = {"critical": "stat", "abnormal": "urgent", None: "routine"}


@dataclass(frozen=True)
class Filed:
    result: dict
    task: dict
    sentence: str | None  # for the import report: an unknown order, a deceased patient


def task_id(result: dict) -> str:
    return str(uuid.uuid5(TASK_IDS, f"{result['resourceType']}/{result['id']}"))


def file_results(work: Work, written: list[dict]) -> list[Filed]:
    """Make and save the review Task of each arrived result that answers an order."""
    return file_items(work, items_to_review(written))


def file_items(work: Work, items: list[dict]) -> list[Filed]:
    """Make and save the review Task of each of these items that answers an order (an
    import picks its items from records it never reads back whole: app.clinical.imports)."""
    filed = review_items(work.conn, items)
    if filed:
        tasks = [f.task for f in filed]
        ops = work.save_batch(tasks, {("Task", t["id"]) for t in tasks})
        for one, op in zip(filed, ops, strict=True):
            if op == "create":
                work.audit("create", patient=patient_of(one.result),
                           entity=f"Task/{one.task['id']}",
                           detail=f"result to review: {one.task['description']}")
    return filed


def items_to_review(written: list[dict]) -> list[dict]:
    """The results among `written` that are items of their own: every report, and each
    Observation that is not one of the results of a report written with it."""
    in_reports = {r.get("reference") for one in written
                  if one["resourceType"] == "DiagnosticReport" for r in one.get("result", [])}
    return [result for result in written if result["resourceType"] in RESULTS and not (
        result["resourceType"] == "Observation"
        and f"Observation/{result['id']}" in in_reports)]


def review_items(conn: Connection, results: list[dict]) -> list[Filed]:
    """The review Task each of these results needs (not saved): those that answer an order
    here or name one that is not here; a result that names none is chart history."""
    filed = []
    for result in results:
        patient_id = patient_of(result)
        found = match(conn, result, patient_id) if patient_id else None
        if found is not None:
            filed.append(_filed(conn, result, patient_id, found))
    return filed


def flag_of_result(get, result: dict) -> str | None:
    """A report's worst result's flag (its results read with `get`), or an Observation's."""
    if result["resourceType"] == "Observation":
        return flag_of(result)
    observations = (get("Observation", ref.rpartition("/")[2])
                    for r in result.get("result", []) if (ref := r.get("reference")))
    return worst(flag_of(o) for o in observations if o is not None)


def _filed(conn: Connection, result: dict, patient_id: str, found) -> Filed:
    reference = f"{result['resourceType']}/{result['id']}"
    flag = flag_of_result(lambda kind, rid: get_resource(conn, kind, rid), result)
    test = (result.get("code") or {}).get("text") or next(
        (c.get("display") for c in (result.get("code") or {}).get("coding", [])
         if c.get("display")), "result")
    task = {"resourceType": "Task", "id": task_id(result), "status": "requested",
            "intent": "order", "priority": PRIORITY[flag], "code": TASK_CODE,
            "description": test,
            "focus": {"reference": reference}, "for": {"reference": f"Patient/{patient_id}"},
            "authoredOn": now()}
    notes, sentences = [], []
    if found.order is not None:
        task["basedOn"] = [{"reference": f"ServiceRequest/{found.order['id']}"}]
        if requester := found.order.get("requester"):
            task["owner"] = {**requester, "type": requester.get("type", "Practitioner")}
    else:
        notes.append(f"Names {found.named}, which is not on this computer: filed to the "
                     "clinic queue.")
        sentences.append(f"{reference} is for {found.named}, which is not on this "
                         "computer: it was filed to the clinic queue for review")
    patient = get_resource(conn, "Patient", patient_id) or {}
    if patient.get("deceasedBoolean") or patient.get("deceasedDateTime"):
        when = patient.get("deceasedDateTime", "")[:10]
        notes.append(f"The patient is recorded as deceased{' on ' + when if when else ''}.")
        sentences.append(f"{reference} is for a patient recorded as deceased: filed for "
                         "review all the same, marked deceased")
    if notes:
        task["note"] = [{"time": task["authoredOn"], "text": n} for n in notes]
    return Filed(result, task, "; ".join(sentences) or None)
