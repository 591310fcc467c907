"""The clinic's letterhead: the head every printed page about a patient carries.

A page that comes loose from a printout must still say whose it is and what it belongs to,
so EVERY page (not only the first) carries, at the top, the clinic's name and the document's
title, the patient's name, date of birth and medical record number; the foot ("Printed by",
"Page X of Y"), the paper and the fonts are those of every printout of the clinic
(app.clinical.printing.pages). The patient's documents (app.clinical.printing.printouts),
the requisition and the prescription (app.clinical.orders.order_prints) print under it.

The clinic is named as the policy names it (`clinic_name`): its sync organization's
Organization record, else the billing section's organization name.

Only identifiers that name the patient in this clinic are printed: the MRN (or, with none,
the first other number with its kind). Social security, licence and passport numbers stay
off paper that may be handed to the patient or left at a pharmacy counter.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable
from sqlalchemy import Connection

from app.clinical.fhir.names import family_given, identifier_text, medical_record_number
from app.clinical.printing.pages import INK, MUTED, escape, fonts, head, write
from app.store.resources import get_resource


@dataclass(frozen=True)
class Letterhead:
    """What the head and foot of each page say."""

    clinic: str
    title: str  # the document: "Medication list"
    patient: str  # "Family, Given"
    born: str  # YYYY-MM-DD, or "" when not recorded
    identifier: str  # "MRN 123-45", "" when the patient has no number
    printed_by: str
    printed_at: datetime


def letterhead_of(patient: dict, clinic: str, title: str, printed_by: str,
                  printed_at: datetime) -> Letterhead:
    """The letterhead for `patient` (a FHIR Patient)."""
    mrn = medical_record_number(patient)
    others = [i for i in patient.get("identifier", []) if i.get("value") and i.get("use") != "old"]
    identifier = f"MRN {mrn}" if mrn else (identifier_text(others[0]) if others else "")
    return Letterhead(clinic, title, family_given(patient, "(no name)"),
                      patient.get("birthDate", ""), identifier, printed_by, printed_at)


def clinic_name(conn: Connection, organization: str | None, billing_name: str | None) -> str:
    """The clinic as the policy names it: the name of its Organization ("Organization/<id>",
    the sync section's), else the billing section's organization name, else ""."""
    kind, _, rid = (organization or "").partition("/")
    found = get_resource(conn, "Organization", rid) if kind == "Organization" and rid else None
    return (found or {}).get("name", "") or billing_name or ""


def styles() -> dict[str, ParagraphStyle]:
    """The body's paragraph styles, in the letterhead's fonts."""
    regular, bold = fonts()
    return {
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=12, leading=15,
                                  spaceBefore=8, spaceAfter=4, textColor=INK),
        "text": ParagraphStyle("text", fontName=regular, fontSize=10, leading=13.5,
                               spaceAfter=5, textColor=INK),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11.5,
                               textColor=INK),
        "label": ParagraphStyle("label", fontName=bold, fontSize=9, leading=11.5,
                                textColor=INK),
        "quiet": ParagraphStyle("quiet", fontName=regular, fontSize=9, leading=11.5,
                                textColor=MUTED)}


def render(path: Path, paper: str, letterhead: Letterhead, story: Sequence[Flowable]) -> int:
    """Write `story` under the letterhead to `path`; how many pages it has."""
    bold = fonts()[1]
    patient = " · ".join(filter(None, [
        f'<font name="{bold}">{escape(letterhead.patient)}</font>',
        letterhead.born and f"born {escape(letterhead.born)}", escape(letterhead.identifier)]))
    lines = head(escape(" · ".join(filter(None, [letterhead.clinic, letterhead.title]))),
                 patient)
    return write(path, paper, lines, story, f"{letterhead.title}: {letterhead.patient}",
                 letterhead.printed_by, letterhead.printed_at)
