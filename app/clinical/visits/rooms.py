"""Rooms appointments are booked into: each a FHIR Location with a Schedule, made at its
first booking, open in the week the clinic's availability file gives it (`rooms`).

A room holds one appointment at a time: unlike a provider, it is never overbooked. A
Location is found by its identifier (system urn:hearth:room, the room's name), so a room
made on one workstation is the same room on another after sync.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.clinical.records import Work
from app.clinical.visits.availability import Availability
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.providers import ensure_schedule

ROOM_SYSTEM = "urn:hearth:room"  # identifier system of the clinic's room names
LOCATION_OF = text(
    "SELECT id FROM resource WHERE type = 'Location' AND deleted = 0 AND EXISTS (SELECT 1 FROM"
    " json_each(resource.json, '$.identifier') WHERE json_extract(value, '$.system') = :system"
    " AND json_extract(value, '$.value') = :name) ORDER BY id LIMIT 1")


@dataclass(frozen=True)
class Room:
    name: str
    location_id: str | None  # None until its first booking makes one

    @property
    def reference(self) -> str | None:
        return f"Location/{self.location_id}" if self.location_id else None


def room(conn: Connection, availability: Availability, name: str) -> Room:
    """The clinic's room called `name`, or a refusal naming the rooms there are."""
    if availability.room_template(name) is None:
        rooms = ", ".join(availability.rooms) or "none are set up"
        raise BookingRefused(f"{name!r} is not one of this clinic's rooms ({rooms}).")
    return Room(name, conn.execute(LOCATION_OF, {"system": ROOM_SYSTEM, "name": name}
                                   ).scalar())


def ensure_room(work: Work, place: Room, availability: Availability) -> Room:
    """`place` with a Location and a Schedule, both made now if they are missing."""
    if place.location_id is None:
        location = {"resourceType": "Location", "id": str(uuid.uuid4()), "status": "active",
                    "name": place.name, "mode": "instance",
                    "identifier": [{"system": ROOM_SYSTEM, "value": place.name}],
                    "physicalType": {"coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                        "code": "ro", "display": "Room"}]}}
        work.save(location, "create", f"room {place.name}")
        place = Room(place.name, location["id"])
    ensure_schedule(work, place.reference, place.name, availability.rooms[place.name],
                    availability)
    return place


def room_of(conn: Connection, availability: Availability, appointment: dict) -> Room | None:
    """The clinic room an appointment is booked into, if any."""
    for participant in appointment.get("participant", []):
        reference = str((participant.get("actor") or {}).get("reference", ""))
        if reference.startswith("Location/"):
            name = conn.execute(text(
                "SELECT json_extract(json, '$.name') FROM resource WHERE type = 'Location' "
                "AND id = :id"), {"id": reference.removeprefix("Location/")}).scalar()
            if name in availability.rooms:
                return Room(name, reference.removeprefix("Location/"))
    return None
