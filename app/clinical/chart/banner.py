"""The patient banner's facts: who this chart is, and what they are allergic to.

One copy for `hearth chart` (app.cli.chart_text) and the chart tab (app.ui.chart.banner), so the
two never disagree on a wristband fact. The name reads "Family, Given", as the patient list
and a wristband do. Allergies: an empty list is "none recorded", never "NKA"; only a record
that says "no known allergy" is shown as NKA. Recorded allergies carry the "alert" tone, and
say so in words as well, so colour is never the only signal. A current allergy recorded
as free text (no code) is marked "(not checkable)": no prescription is checked against it.
"""

import re
from dataclasses import dataclass
from datetime import date

from app.clinical.chart.chart_items import ChartItem
from app.clinical.fhir.modifiers import modifier_warning
from app.clinical.fhir.names import family_given, medical_record_number

# ChartItem carries no code, so an explicit "no known allergy" record is known by its title:
# SNOMED CT 716186003 "No known allergy", 409137002 "No known drug allergy", and the like.
NO_KNOWN = re.compile(r"^\s*(nk[dfel]?a\b|no known (\w+ )?allerg)", re.IGNORECASE)
GENERAL_NO_KNOWN = re.compile(r"^\s*(nka\b|no known allerg)", re.IGNORECASE)
QUIET_STATUSES = {None, "active"}
NOT_CHECKABLE = "not checkable"
SEXES = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Sex unknown"}


@dataclass(frozen=True)
class BannerFacts:
    name: str  # "Family, Given"; "(no name)" rather than blank
    age: str  # "46 y", "13 mo", "Died 2020-05-31, aged 69 y"
    sex: str
    born: str  # the birth date as recorded, or "not recorded"
    mrn: str  # or "none"
    allergies: str  # the whole line, "Allergies: …"
    allergy_tone: str | None  # "alert" while allergies are recorded
    warning: str | None  # the Patient record carries a modifier Hearth does not understand

    @property
    def details(self) -> list[str]:
        """Age, sex, birth date and MRN, in the order both banners show them."""
        return [self.age, self.sex, f"born {self.born}", f"MRN {self.mrn}"]


def banner_facts(patient: dict, allergies: list[ChartItem],
                 today: date | None = None) -> BannerFacts:
    allergy_text, tone = allergy_line(allergies)
    return BannerFacts(display_name(patient), age_text(patient, today), sex_text(patient),
                       patient.get("birthDate") or "not recorded",
                       medical_record_number(patient) or "none", allergy_text, tone,
                       modifier_warning(patient))


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
    if allergy.status not in QUIET_STATUSES:
        return f"{allergy.title} ({allergy.status})"
    if allergy.code is None and not NO_KNOWN.match(allergy.title):
        return f"{allergy.title} ({NOT_CHECKABLE})"
    return allergy.title


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text and len(text) >= 10 else None
    except ValueError:
        return None
