"""The accounting of disclosures as the patient is given it (HIPAA 164.528(b)): each
disclosure of their record with its date, who made it, what it was and to whom.

Read inside the print's one audited read, like every document; that print is recorded as a
disclosure itself (printouts.Printouts), so it is in the next list, not in this one. Read
under READ_CHART or REVIEW_AUDIT (app.clinical.disclosures.accounting says why both).
"""

from app.clinical.disclosures.accounting import MAY_READ, disclosures_in
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work
from app.display_time import when_text

TITLE = "Accounting of disclosures"
PERMISSIONS = MAY_READ


def read(work: Work, patient_id: str, name: str, visit: str | None) -> Content:
    listed = disclosures_in(work, patient_id)
    rows = tuple((when_text(d.at, with_date=True), d.by, d.what, d.to) for d in listed)
    return Content(
        facts=(("Patient", name),
               ("What this lists", "Every time this workstation printed or exported your "
                "record, oldest first: when, by whom, what and to whom.")),
        sections=(Section("Disclosures", ("When", "By", "What", "To"), (2, 3, 5, 3), rows,
                          empty="Nothing from your record has been printed or exported "
                                "here."),),
        entries=len(rows))
