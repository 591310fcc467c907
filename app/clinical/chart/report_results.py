"""A report (DiagnosticReport) as a clinician opens it: its text, if any, and the results it
groups, each with its value, reference range and flag.

The results are the records its `result` references name, read in the report's order in
the same audited read as the report. A result that is not on this computer, or that is in
another patient's chart, is not shown but counted (`missing`), so a short list is never
mistaken for the whole report.
"""

from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.chart.chart_items import ChartItem, describe
from app.clinical.charting.trends import note_of
from app.clinical.records import Records
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

IN_CHART = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.type = :type AND c.id = :id")


@dataclass(frozen=True)
class ReportRecord:
    id: str
    title: str
    date: str | None
    status: str | None
    text: str | None  # the report's own words (presentedForm, conclusion), None if it has none
    why_no_text: str | None  # for the reader, when there is neither text nor a result
    results: list[ChartItem]  # in the report's order
    missing: int  # results it names that are not in this patient's chart on this computer


class ReportResults:
    def __init__(self, store: Store):
        self._records = Records(store)

    def read(self, session: Session, patient_id: str, report_id: str) -> ReportRecord:
        """The report and its results, in one read, audited once; only a report in this
        patient's chart is read."""
        with self._records.read(session, Permission.READ_CHART) as work:
            work.patient(patient_id, f"report DiagnosticReport/{report_id} with its results")
            body = work.conn.execute(IN_CHART, {"patient": patient_id, "type": "DiagnosticReport",
                                                "id": report_id}).scalar_one_or_none()
            report = body and fhir_json.loads(body)
            results, missing = [], 0
            for reference in (report or {}).get("result", []):
                result = _result(work.get, reference.get("reference") or "", patient_id)
                if result is None:
                    missing += 1
                else:
                    results.append(describe(result))
        if report is None:  # after the commit, so the failed read stays in the audit trail
            raise NotFound(f"DiagnosticReport/{report_id} is not in this patient's chart.")
        item, note = describe(report), note_of(report)
        return ReportRecord(report_id, item.title, item.date, item.status, note.text,
                            None if report.get("result") else note.why_no_text, results,
                            missing)


def _result(get, reference: str, patient_id: str) -> dict | None:
    """The Observation a result reference names, if it is stored and this patient's."""
    kind, _, record_id = reference.rpartition("/")
    if kind.rpartition("/")[2] != "Observation" or not record_id:
        return None
    found = get("Observation", record_id)
    return found if found is not None and patient_of(found) == patient_id else None
