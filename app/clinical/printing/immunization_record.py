"""The immunization record on paper: every vaccine given, newest first, as a school, an
employer or another clinic asks for it.

Each line gives the date, the vaccine as charted with its code (CVX), the dose number in
its series when recorded, the lot number, and the status (a dose recorded as not done
says so: it is not a dose given).
"""

from app.clinical.printing.chart_reads import day, section
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work

TITLE = "Immunization record"
COLUMNS = ("Date", "Vaccine", "Code", "Dose", "Lot", "Status")
WIDTHS = (15, 38, 11, 8, 14, 14)
CVX = "http://hl7.org/fhir/sid/cvx"


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None) -> Content:
    entries = section(work, patient_id, "immunizations")
    rows = []
    for record, item in zip(entries.records, entries.items, strict=True):
        code = next((c.get("code", "") for c in (record.get("vaccineCode") or {}).get(
            "coding", []) if c.get("system") == CVX), "")
        dose = next((str(p.get("doseNumberPositiveInt") or p.get("doseNumberString") or "")
                     for p in record.get("protocolApplied", [])), "")
        status = {"completed": "given", "not-done": "NOT given"}.get(item.status or "",
                                                                       item.status or "")
        rows.append((day(item.date), item.title, code and f"CVX {code}", dose,
                     record.get("lotNumber", ""), status))
    return Content((), (Section("Immunizations", COLUMNS, WIDTHS, tuple(rows),
                                "No immunizations recorded.", entries.note("immunization")),),
                   len(entries.records))
