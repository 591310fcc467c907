"""Operations of the calendar: reading a provider's week, booking (once or weekly),
checking in and out, walk-ins, cancelling, marking a no-show and moving (one appointment or
"this and following" of a series), the waiting list (adding, the offers for a freed time,
filling it) and printing the day sheet, each through the booking services."""

from datetime import date, datetime

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.visits import series_of
from app.clinical.visits.booking import BookingRequest, FreeSlot
from app.clinical.visits.day_sheet import DaySheet, DaySheetPrinted, DaySheetRequest
from app.clinical.visits.providers import Provider
from app.clinical.visits.recurrence import Series, SeriesBooked
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.waitlist import Waiting, Waitlist, WaitlistRequest
from app.clinical.visits.week import ProviderWeek
from app.ui.common.background import Background
from app.ui.operations import Op

WEEK = "calendar week"
PROVIDERS = "calendar providers"


def weekly(weeks: int) -> str:
    """The RFC 5545 rule of "repeat weekly for `weeks` weeks"."""
    return f"FREQ=WEEKLY;COUNT={weeks}"


def providers(owner: QObject, background: Background, ws: Workstation) -> Op[list[Provider]]:
    return Op(owner, background, lambda: ws.weeks.providers(ws.session), PROVIDERS)


def week(owner: QObject, background: Background, ws: Workstation, user: str,
         day: date) -> Op[ProviderWeek]:
    """The week holding `day` of the clinician `user`; only the newest asked answers."""
    return Op(owner, background, lambda: ws.weeks.week(ws.session, user, day), WEEK)


def book(owner: QObject, background: Background, ws: Workstation, request: BookingRequest,
         weeks: int = 1) -> Op[list[Appointment]]:
    """One appointment, or `weeks` of them a week apart (a series, booked whole or not)."""
    if weeks <= 1:
        return Op(owner, background, lambda: [ws.booking.book(ws.session, request)])

    def series() -> list[Appointment]:
        booked: SeriesBooked = Series(ws.booking).book(ws.session, request, weekly(weeks))
        return booked.appointments
    return Op(owner, background, series)


def check_in(owner: QObject, background: Background, ws: Workstation,
             appointment_id: str) -> Op[Appointment]:
    """The patient is here: the appointment becomes "arrived" (Today lists them waiting)."""
    return Op(owner, background, lambda: ws.schedule.check_in(ws.session, appointment_id))


def cancel(owner: QObject, background: Background, ws: Workstation, appointment_id: str,
           reason: str) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.cancel(ws.session, appointment_id, reason))


def no_show(owner: QObject, background: Background, ws: Workstation,
            appointment_id: str) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.no_show(ws.session, appointment_id))


def move(owner: QObject, background: Background, ws: Workstation, appointment_id: str,
         start: datetime) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.move(ws.session, appointment_id, start))


def move_following(owner: QObject, background: Background, ws: Workstation,
                   appointment_id: str, start: datetime) -> Op[list[Appointment]]:
    """This occurrence to `start` and each later one of its series by as much, or none."""
    return Op(owner, background,
              lambda: Series(ws.booking).move_following(ws.session, appointment_id, start))


def cancel_following(owner: QObject, background: Background, ws: Workstation,
                     appointment_id: str, reason: str) -> Op[list[Appointment]]:
    return Op(owner, background,
              lambda: Series(ws.booking).cancel_following(ws.session, appointment_id, reason))


def following(owner: QObject, background: Background, ws: Workstation,
              appointment_id: str) -> Op[int]:
    """How many appointments "this and following" would change (0: not of a series)."""
    return Op(owner, background,
              lambda: series_of.following(ws.booking.records, ws.session, appointment_id))


def check_out(owner: QObject, background: Background, ws: Workstation,
              appointment_id: str) -> Op[Appointment]:
    """The patient leaves: the arrived appointment is over (fulfilled)."""
    return Op(owner, background, lambda: ws.booking.check_out(ws.session, appointment_id))


def next_free(owner: QObject, background: Background, ws: Workstation, kind: str,
              user: str | None) -> Op[FreeSlot | None]:
    """The first time from now a `kind` visit fits with `user` (None: anyone)."""
    return Op(owner, background, lambda: ws.booking.next_free(ws.session, kind, user))


def walk_in(owner: QObject, background: Background, ws: Workstation, patient_id: str,
            user: str | None) -> Op[Appointment]:
    """A same-day visit from now with `user`, the patient already here."""
    return Op(owner, background, lambda: ws.booking.walk_in(ws.session, patient_id, user))


def offers(owner: QObject, background: Background, ws: Workstation,
           freed_id: str) -> Op[list[Waiting]]:
    """Who on the waiting list fits the time appointment `freed_id` gave up."""
    return Op(owner, background, lambda: Waitlist(ws.booking).offers(ws.session, freed_id))


def fill(owner: QObject, background: Background, ws: Workstation, waiting_id: str,
         freed_id: str) -> Op[Appointment]:
    return Op(owner, background,
              lambda: Waitlist(ws.booking).fill(ws.session, waiting_id, freed_id))


def add_to_waitlist(owner: QObject, background: Background, ws: Workstation,
                    request: WaitlistRequest) -> Op[Waiting]:
    return Op(owner, background, lambda: Waitlist(ws.booking).add(ws.session, request))


def day_sheet(owner: QObject, background: Background, ws: Workstation,
              request: DaySheetRequest) -> Op[DaySheetPrinted]:
    """The day's appointments written to a PDF (complete, or not at all)."""
    return Op(owner, background, lambda: DaySheet(ws.store, ws.policy.sync.organization,
                                                     ws.policy.billing)
              .print(ws.session, request))
