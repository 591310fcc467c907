"""Top diagnoses: the conditions recorded in the period, by code, most patients first.

A diagnosis is a Condition, dated by when it was recorded (else its onset), counted once per
patient and code: the same problem charted twice for one person is one patient. Its code is
its first coding's (ICD-10-CM for what Hearth records); one entered in error is left out.
"""

from sqlalchemy import Connection, text

from app.clinical.reports.table import Chart, Period, ReportTable

TOP = 10
WHEN = ("datetime(coalesce(json_extract(json, '$.recordedDate'), "
        "json_extract(json, '$.onsetDateTime')))")
CODE = "json_extract(json, '$.code.coding[0].code')"
TOP_CODES = text(
    f"SELECT {CODE}, max(coalesce(json_extract(json, '$.code.coding[0].display'), "
    "json_extract(json, '$.code.text'), '')), "
    "count(DISTINCT json_extract(json, '$.subject.reference')) FROM resource "
    "WHERE type = 'Condition' AND deleted = 0 "
    "AND coalesce(json_extract(json, '$.verificationStatus.coding[0].code'), '') "
    f"!= 'entered-in-error' AND {CODE} IS NOT NULL AND {WHEN} >= :start AND {WHEN} < :end "
    "GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT :top")


def top_diagnoses(conn: Connection, period: Period) -> ReportTable:
    rows = [tuple(r) for r in conn.execute(TOP_CODES, {**period.utc_bounds(), "top": TOP})]
    return ReportTable("top-diagnoses", "Top diagnoses", period,
                       ("Code", "Diagnosis", "Patients"), rows, None, Chart(label=0, value=2),
                       f"The {TOP} codes recorded for the most patients in the period.")
