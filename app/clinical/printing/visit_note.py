"""A visit's notes on paper: each signed note of the visit, whole, oldest first.

The visit is the one asked for, else the patient's latest (app.clinical.printing.
chart_reads.visit). Above the notes, the visit's date, type, clinicians and reasons; each
note is headed by its title, who signed it and when, and its text follows as typed, paragraph
by paragraph, flowing over as many pages as it takes. A note with no text Hearth can show
says why instead of printing nothing. Notes marked entered in error are left out and counted.
A visit without a signed note prints nothing: a draft is its author's, not the record.
"""

from app.clinical.chart.visit_record import VisitRecord, visit_in
from app.clinical.charting.trends import note_of
from app.clinical.printing.chart_reads import IN_ERROR, day, visit
from app.clinical.printing.document import Content, Section
from app.clinical.records import Work
from app.errors import UsageError

TITLE = "Visit note"


def read(work: Work, patient_id: str, patient_name: str, visit_id: str | None) -> Content:
    encounter = visit(work, patient_id, patient_name, visit_id)
    record = visit_in(work, patient_id, encounter)
    notes = [work.get(line.item.type, line.item.id) for line in record.lines["notes"]]
    shown = [n for n in notes if n is not None and n.get("status") != IN_ERROR]
    if not shown:
        raise UsageError(f"Nothing to print: the visit of {day(record.start) or 'unknown date'}"
                         f" (Encounter/{encounter['id']}) has no signed note. No file was "
                         "written.")
    left_out = len(notes) - len(shown)
    sections = [_note(note) for note in shown]
    if left_out:
        sections[-1] = Section(sections[-1].heading, rows=sections[-1].rows,
                               note=f"{left_out} note{'s' * (left_out != 1)} of this visit "
                                    "marked entered in error not printed.")
    return Content(visit_facts(record), tuple(sections), len(shown),
                   f"Encounter/{encounter['id']}")


def visit_facts(record: VisitRecord) -> tuple[tuple[str, str], ...]:
    """The visit at the top of a visit's printout: when, what, with whom, why."""
    when = " to ".join(dict.fromkeys(filter(None, [day(record.start), day(record.end)])))
    return (("Visit", ", ".join(filter(None, [when, record.encounter.title]))),
            ("Seen by", ", ".join(record.participants)),
            ("Reason for visit", "; ".join(record.reasons)))


def _note(note: dict) -> Section:
    shown = note_of(note)
    signer = (note.get("authenticator") or {}).get("display")
    author = next((a.get("display") for a in note.get("author", []) if a.get("display")), "")
    heading = " · ".join(filter(None, [shown.title, f"signed by {signer}" if signer else
                                       author and f"by {author}", day(note.get("date"))]))
    text = shown.text or shown.why_no_text or ""
    paragraphs = [p.strip("\n") for p in text.split("\n\n") if p.strip()]
    return Section(heading, rows=tuple((p,) for p in paragraphs), empty="(no text)")
