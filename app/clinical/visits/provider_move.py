"""Moving an appointment to another provider (and, with it, perhaps another time): what a drag
across the clinic's day asks for when Dr A is running late and Dr B has the time free.

It is the booking service's move with one more change, in the same unit of work: the
appointment's practitioner becomes the new provider (their Practitioner made at this first
booking if need be), and then the time is checked against the NEW provider's hours and
bookings exactly as a move is (`Booking.shift`), so a refusal names what was wrong and
nothing is stored. The patient, type, length and room stay as they were; the audit row says
from whom and when to whom and when.

`move_to_room` is the same for a drag across the Rooms view: the appointment's Location
becomes the new room (its Location made at its first booking if need be) and the time is
checked as a move is, the new room's hours and bookings included (a room is never
overbooked); the provider stays.
"""

from datetime import datetime

from app.clinical.visits.booking import Booking
from app.clinical.visits.booking_checks import moment
from app.clinical.visits.providers import ensure_practitioner, provider
from app.clinical.visits.rooms import ensure_room, room, room_of
from app.clinical.visits.schedule import Appointment, listed
from app.security.roles import Permission
from app.security.session import Session


def move_to_provider(booking: Booking, session: Session, appointment_id: str, user: str,
                     start: datetime) -> Appointment:
    """The same appointment with the clinician `user` at `start`, as long as it was."""
    with booking.records.write(session, Permission.MANAGE_SCHEDULE) as work:
        resource = booking.movable(work, appointment_id, "moved")
        who = ensure_practitioner(work, provider(work.conn, user), booking.clinic.availability)
        before = datetime.fromisoformat(resource["start"]).astimezone()
        was = "another clinician"
        for participant in resource["participant"]:
            actor = participant.get("actor") or {}
            if str(actor.get("reference", "")).startswith("Practitioner/"):
                was = actor.get("display") or was
                participant["actor"] = {"reference": who.reference, "display": who.name}
        detail = booking.shift(work, resource, start.astimezone(), None)
        work.save(resource, "update", f"moved from {was} at {moment(before)} to {who.name} at "
                                      f"{detail}")
        return listed(work.conn, [resource])[0]


def move_to_room(booking: Booking, session: Session, appointment_id: str, name: str,
                 start: datetime) -> Appointment:
    """The same appointment in the clinic's room `name` at `start`, as long as it was."""
    availability = booking.clinic.availability
    with booking.records.write(session, Permission.MANAGE_SCHEDULE) as work:
        resource = booking.movable(work, appointment_id, "moved")
        before = datetime.fromisoformat(resource["start"]).astimezone()
        was = room_of(work.conn, availability, resource)
        place = ensure_room(work, room(work.conn, availability, name), availability)
        resource["participant"] = [p for p in resource["participant"] if not (
            was and (p.get("actor") or {}).get("reference") == was.reference)] + [
            {"actor": {"reference": place.reference, "display": place.name},
             "required": "required", "status": "accepted"}]
        detail = booking.shift(work, resource, start.astimezone(), None)
        work.save(resource, "update", f"moved from {was.name if was else 'no room'} at "
                                      f"{moment(before)} to {place.name} at {detail}")
        return listed(work.conn, [resource])[0]
