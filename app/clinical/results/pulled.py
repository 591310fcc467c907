"""Results arriving by sync pull filed to the inbox, like results arriving by import.

A result another workstation imported, or that a lab interface put on the server, reaches
this workstation by a pull. This check (run in the pull's transaction, app.bootstrap hands
it to app.store.sync_side) files the review Task each such result needs, so it lands in the
ordering clinician's inbox (or the clinic queue) here too. It only derives the Tasks; the
sync adapter stores them (app.store.sync_side.Derived), so no patient record is written
around the write path's owners.

One Task per report, whichever workstation filed it: the Task's id is derived from the
result's (app.clinical.results.arrivals.task_id), so every workstation that files a result
makes the same record. A Task filed here by a pull is kept here and not queued for the
server: every workstation derives the same one from the same result, and when the one
another workstation filed (and perhaps acknowledged) arrives, it simply replaces this one,
with nothing to merge and no conflict. The first acknowledgement, here or there, is a
change like any other and is sent. A result whose Task is already here (it arrived in the
same page, or was filed before) is left alone, so an acknowledged item stays so.

A report is filed once its results are here: a server without system history sends every
DiagnosticReport before any Observation, so a report that arrives first waits, and is filed
when its Observations arrive, with its flag (and so its place in the inbox) complete.
"""

from sqlalchemy import Connection, bindparam, text

from app.clinical.fhir.validation import validation_errors
from app.clinical.results.arrivals import items_to_review, review_items, task_id
from app.store.resources import get_resource
from app.store.sync_side import Derived
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

REPORTS_WITH = text(  # the reports here, of these patients, listing any of these results
    "SELECT r.json, x.value ->> '$.reference' FROM patient_compartment c JOIN resource r "
    "ON r.type = c.type AND r.id = c.id AND r.deleted = 0 JOIN json_each(r.json, '$.result') x "
    "WHERE c.patient_id IN :patients AND c.type = 'DiagnosticReport' "
    "AND x.value ->> '$.reference' IN :references").bindparams(
    bindparam("patients", expanding=True), bindparam("references", expanding=True))
TASK_HERE = "SELECT 1 FROM resource WHERE type = 'Task' AND id = ?"


def file_pulled_results(conn: Connection, received: list[dict]) -> list[Derived]:
    """The pull's filer: the review Task of each result the page completes that has none
    here yet, each with its audit detail (or only a note, when the Task would be invalid)."""
    waiting = [r for r in _completed_results(conn, received)
               if not conn.exec_driver_sql(TASK_HERE, (task_id(r),)).first()]
    notes = []
    for one in review_items(conn, waiting):
        entity = f"Task/{one.task['id']}"
        if problems := validation_errors("Task", fhir_json.dumps(one.task)):
            notes.append(Derived(None, patient_of(one.result), entity,
                                 f"result not filed for review: {'; '.join(problems)}"))
            continue
        notes.append(Derived(one.task, patient_of(one.result), entity,
                             f"result to review (arrived by sync): {one.task['description']}"
                             + (f"; {one.sentence}" if one.sentence else "")))
    return notes


def _completed_results(conn: Connection, received: list[dict]) -> list[dict]:
    """The reports and lone Observations this page brings or completes: an Observation that
    belongs to a report already here stands for that report (one read for the page), and a
    report is complete when every result it lists is here."""
    results = items_to_review(received)
    lone = {f"Observation/{r['id']}": patient for r in results
            if r["resourceType"] == "Observation" and (patient := patient_of(r))}
    reports_of: dict[str, list[dict]] = {}
    if lone:
        for body, reference in conn.execute(REPORTS_WITH, {
                "patients": sorted(set(lone.values())), "references": sorted(lone)}):
            reports_of.setdefault(reference, []).append(fhir_json.loads(body))
    found: dict[str, dict] = {}
    for result in results:
        reference = f"{result['resourceType']}/{result['id']}"
        for one in reports_of.get(reference) or [result]:
            found[f"{one['resourceType']}/{one['id']}"] = one
    return [result for result in found.values()
            if _may_name_order(result) and _complete(conn, result)]


def _may_name_order(result: dict) -> bool:
    """Only a result with a basedOn or an identifier can answer an order (matching); the
    rest is chart history, not worth reading its results for."""
    return bool(result.get("basedOn") or result.get("identifier"))


def _complete(conn: Connection, result: dict) -> bool:
    return all(get_resource(conn, "Observation", ref.rpartition("/")[2]) is not None
               for r in result.get("result", []) if (ref := r.get("reference")))
