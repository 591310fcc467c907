"""The patient banner: who this chart is, and what they are allergic to, always in view.

Allergies follow `hearth chart` (app.chart_text): an empty list is "none recorded", never
"NKA"; only a record that says "no known allergy" is shown as NKA. Recorded allergies are
in the alert colour, in words as well, so colour is never the only signal. A patient record
carrying a modifier Hearth does not understand says so on a line of its own.
"""

import re
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from app.clinical.chart_items import ChartItem
from app.clinical.modifiers import modifier_warning
from app.clinical.names import family_given, medical_record_number
from app.ui.chart_style import ToneLabel, scaled_font

# ChartItem carries no code, so an explicit "no known allergy" record is known by its title:
# SNOMED CT 716186003 "No known allergy", 409137002 "No known drug allergy", and the like.
NO_KNOWN = re.compile(r"^\s*(nk[dfel]?a\b|no known (\w+ )?allerg)", re.IGNORECASE)
GENERAL_NO_KNOWN = re.compile(r"^\s*(nka\b|no known allerg)", re.IGNORECASE)
QUIET_STATUSES = {None, "active"}
SEXES = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Sex unknown"}


def display_name(patient: dict) -> str:
    """The chart's title for the patient, as the patient list names them; never blank, so a
    nameless record still has a heading."""
    return family_given(patient, missing="(no name)")


def age_text(patient: dict, today: date | None = None) -> str:
    """Years, or months under two; at death for a deceased patient."""
    born = _day(patient.get("birthDate"))
    died = _day(patient.get("deceasedDateTime"))
    if born is None:
        return "Died, age unknown" if died or patient.get("deceasedBoolean") else "age unknown"
    until = died or today or date.today()
    months = (until.year - born.year) * 12 + until.month - born.month - (until.day < born.day)
    age = f"{months // 12} y" if months >= 24 else f"{months} mo"
    if died:
        return f"Died {died.isoformat()}, aged {age}"
    return f"{age} (deceased)" if patient.get("deceasedBoolean") else age


def sex_text(patient: dict) -> str:
    return SEXES.get(patient.get("gender", ""), "Sex not recorded")


def allergy_line(allergies: list[ChartItem]) -> tuple[str, str | None]:
    """The banner's allergy text and its tone ("alert" when there are allergies).

    An NKA record counts only while it is current (active, or without a status) and no
    recorded allergy is: an allergy recorded later makes it inactive, and an allergy made
    inactive before NKA was recorded no longer outweighs it.
    """
    recorded = [a for a in allergies if not NO_KNOWN.match(a.title)]
    current = [a for a in recorded if a.status in QUIET_STATUSES]
    nka = any(GENERAL_NO_KNOWN.match(a.title) and a.status in QUIET_STATUSES
              for a in allergies)
    if recorded and (current or not nka):
        return "Allergies: " + ", ".join(_with_status(a) for a in recorded), "alert"
    if nka:
        return "Allergies: NKA (no known allergies, as recorded)", None
    if allergies:
        return "Allergies: " + ", ".join(_with_status(a) for a in allergies), None
    return "Allergies: none recorded (not the same as no known allergies)", None


def _with_status(allergy: ChartItem) -> str:
    return (allergy.title if allergy.status in QUIET_STATUSES
            else f"{allergy.title} ({allergy.status})")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text and len(text) >= 10 else None
    except ValueError:
        return None


class Banner(QFrame):
    def __init__(self):
        super().__init__()
        self.setAccessibleName("Patient banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = ToneLabel(name="Patient name")
        self.name.setFont(scaled_font(self, 1.4, bold=True))
        self.name.setWordWrap(False)  # "Family, Given" on one line, as a wristband reads
        self.details = ToneLabel(name="Age, sex, birth date and MRN")
        self.allergies = ToneLabel(name="Allergies")
        self.allergies.setFont(scaled_font(self, 1.1, bold=True))
        self.warning = ToneLabel(tone="alert", name="Patient record warning")
        self.warning.hide()
        for label in (self.name, self.details, self.allergies, self.warning):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.name)
        top.addWidget(self.details, 1, Qt.AlignmentFlag.AlignBaseline)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.allergies)
        box.addWidget(self.warning)

    def show_patient(self, patient: dict, allergies: list[ChartItem]) -> None:
        self.name.setText(display_name(patient))
        born = patient.get("birthDate") or "not recorded"
        self.details.setText(f"{age_text(patient)}  ·  {sex_text(patient)}  ·  born {born}  ·  "
                             f"MRN {medical_record_number(patient) or 'none'}")
        text, tone = allergy_line(allergies)
        self.allergies.setText(text)
        self.allergies.set_tone(tone)
        warning = modifier_warning(patient)
        self.warning.setText(f"⚠ {warning}" if warning else "")
        self.warning.setVisible(warning is not None)
