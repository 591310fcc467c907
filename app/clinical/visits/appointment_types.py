"""Appointment types: each with its default length and the colour calendars show it in.

Clinic-editable data (resources/scheduling/appointment-types.json, or the clinic's copy the
policy names), coded in HL7 v2 table 0276 where a code exists, since that is the binding
FHIR R4 gives Appointment.appointmentType. A type is asked for by name or code, any case.
"""

from dataclasses import dataclass

from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.clinic_files import clinic_file
from app.errors import UsageError

FILE = "appointment-types.json"


@dataclass(frozen=True)
class AppointmentType:
    code: str
    name: str
    minutes: int  # the default length of a booking of this type
    colour: str  # "#RRGGBB"

    def concept(self, system: str) -> dict:
        """Appointment.appointmentType."""
        return {"coding": [{"system": system, "code": self.code, "display": self.name}],
                "text": self.name}


class AppointmentTypes:
    """The types of one file, by name and by code."""

    def __init__(self, path: str | None = None):
        data, self.source = clinic_file(FILE, path)
        self.version, self.system = data["version"], data.get("system", "")
        try:
            self.types = [AppointmentType(t["code"], t["name"], t["minutes"], t["colour"])
                          for t in data["types"]]
        except (KeyError, TypeError):
            raise UsageError(f"Each type in {self.source} needs a code, a name, minutes and a "
                             "colour.") from None
        for t in self.types:
            if isinstance(t.minutes, bool) or not isinstance(t.minutes, int) or not (
                    1 <= t.minutes <= 24 * 60):
                raise UsageError(f"The type {t.name!r} in {self.source} lasts {t.minutes!r} "
                                 "minutes; give a whole number from 1 to 1440.")
        self._by_key = {key.casefold(): t for t in self.types for key in (t.code, t.name)}

    def get(self, asked: str) -> AppointmentType:
        """The type named or coded `asked`, or a refusal listing the clinic's types."""
        found = self._by_key.get(asked.strip().casefold())
        if found is None:
            raise BookingRefused(f"{asked.strip() or '(nothing)'!r} is not one of this clinic's "
                                 f"appointment types: {', '.join(t.name for t in self.types)}.")
        return found

    def of(self, appointment: dict) -> AppointmentType | None:
        """The type a stored appointment was booked as, if it is one of these."""
        concept = appointment.get("appointmentType") or {}
        for coding in concept.get("coding", []):
            if found := self._by_key.get(str(coding.get("code", "")).casefold()):
                return found
        return self._by_key.get(str(concept.get("text", "")).casefold())
