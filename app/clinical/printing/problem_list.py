"""The problem list on paper: active problems first, then resolved and inactive ones.

Active means active, a recurrence or a relapse (as the chart's summary has it). Each line
gives the problem as charted, its code (ICD-10-CM first, "ICD-10-CM E11.9") and since when;
past problems give their status, so a resolved diagnosis is never read as a current one.
"""

from app.clinical.chart.chart import ACTIVE
from app.clinical.printing.chart_reads import day, section
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work

TITLE = "Problem list"
WIDTHS = (46, 22, 16, 16)


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None) -> Content:
    entries = section(work, patient_id, "problems")
    active, past = [], []
    for record, item in zip(entries.records, entries.items, strict=True):
        if item.status in ACTIVE["problems"]:
            active.append((item.title, item.code or "", day(item.date), item.status or ""))
        else:
            ended = day(record.get("abatementDateTime")) or item.status or ""
            past.append((item.title, item.code or "", day(item.date), ended))
    return Content((), (
        Section("Active problems", ("Problem", "Code", "Since", "Status"), WIDTHS,
                tuple(active), "No active problems recorded."),
        Section("Past problems", ("Problem", "Code", "Since", "Resolved"), WIDTHS,
                tuple(past), "No past problems recorded.", entries.note("problem")),
    ), len(entries.records))
