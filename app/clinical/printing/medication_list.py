"""The medication list on paper: what the patient takes now, then what they took before.

Current means active or on hold (as the chart's summary has it); each line gives the drug
as charted, how to take it (the sig as stored, or its parts in words), since when and who
prescribed it. Past medications (stopped, completed, ...) follow with their status, so a
clinician reading a transferred printout sees what was already tried.
"""

from app.clinical.chart.chart import ACTIVE
from app.clinical.printing.chart_reads import day, section
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work

TITLE = "Medication list"
COLUMNS = ("Medication", "How to take it", "Since", "Prescriber")
WIDTHS = (33, 35, 14, 18)


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None) -> Content:
    entries = section(work, patient_id, "medications")
    current, past = [], []
    for record, item in zip(entries.records, entries.items, strict=True):
        prescriber = (record.get("requester") or record.get("informationSource") or {}
                      ).get("display", "")
        if item.status in ACTIVE["medications"]:
            held = " (on hold)" if item.status == "on-hold" else ""
            current.append((item.title + held, item.dose or "", day(item.date), prescriber))
        else:
            past.append((item.title, item.dose or "", day(item.date), item.status or ""))
    return Content((), (
        Section("Current medications", COLUMNS, WIDTHS, tuple(current),
                "No current medications recorded."),
        Section("Past medications", ("Medication", "How it was taken", "Started", "Status"),
                WIDTHS, tuple(past), "No past medications recorded.",
                entries.note("medication")),
    ), len(entries.records))
