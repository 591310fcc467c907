"""Who appointments are booked with: the clinic's clinicians, each a FHIR Practitioner with
a Schedule.

A Hearth user who sees patients (a physician or a nurse, not locked) is a provider. Their
Practitioner is the one whose identifier is their user name (system urn:hearth:user), else
the one named as their full name that no other user owns (practitioners that came by
import or sync before the user booked anything; not when two clinicians share that name),
else one made for them at their first booking, with that identifier. Appointments are a
provider's by that Practitioner's reference, never by a name (Today's "Mine" as the
calendar). Their calendar is a FHIR Schedule whose actor is that Practitioner, made beside
it, saying which week template they work to; both are written through the write path and
sync like any record.
"""

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, select, text

from app.clinical.fhir.names import main_name
from app.clinical.records import Work
from app.clinical.visits.availability import Availability
from app.clinical.visits.booking_errors import BookingRefused
from app.store import schema
from fhir_common import fhir_json

USER_SYSTEM = "urn:hearth:user"  # identifier system of Hearth user names
CLINICAL_ROLES = ("physician", "nurse")
PRACTITIONERS = text("SELECT id, json FROM resource WHERE type = 'Practitioner' AND deleted = 0"
                     " ORDER BY id")
SCHEDULE_OF = text("SELECT id FROM resource WHERE type = 'Schedule' AND deleted = 0"
                   " AND json_extract(json, '$.actor[0].reference') = :actor LIMIT 1")


@dataclass(frozen=True)
class Provider:
    user: str
    name: str  # the user's full name, "Given Family"
    practitioner_id: str | None  # None until their first booking makes one

    @property
    def reference(self) -> str | None:
        return f"Practitioner/{self.practitioner_id}" if self.practitioner_id else None


def providers(conn: Connection) -> list[Provider]:
    """Every clinician who may be booked, by user name."""
    rows = conn.execute(select(schema.app_user.c.name, schema.app_user.c.full_name).where(
        schema.app_user.c.role.in_(CLINICAL_ROLES), schema.app_user.c.locked == 0
    ).order_by(schema.app_user.c.name)).all()
    found = _practitioners(conn)
    names = Counter(_said(full_name) for _, full_name in rows)
    return [Provider(name, full_name, _match(found, name, full_name, names[_said(full_name)]))
            for name, full_name in rows]


def provider(conn: Connection, user: str) -> Provider:
    """The clinician with user name `user`, or a refusal saying why they cannot be booked."""
    row = conn.execute(select(schema.app_user.c.full_name, schema.app_user.c.role,
                              schema.app_user.c.locked).where(
        schema.app_user.c.name == user)).first()
    if row is None:
        raise BookingRefused(f"There is no user named {user!r} to book with.")
    if row.role not in CLINICAL_ROLES:
        raise BookingRefused(f"{row.full_name} ({user}) is {row.role}, not a clinician who sees "
                             "patients; book with a physician or a nurse.")
    if row.locked:
        raise BookingRefused(f"{row.full_name} ({user}) is locked out of Hearth; book with "
                             "another clinician.")
    return next(p for p in providers(conn) if p.user == user)


def provider_of(conn: Connection, reference: str) -> Provider | None:
    """The clinician whose Practitioner `reference` is, if a Hearth user is."""
    return next((p for p in providers(conn) if p.reference == reference), None)


def ensure_practitioner(work: Work, who: Provider, availability: Availability) -> Provider:
    """`who` with a Practitioner and a Schedule, both made now if they are missing."""
    if who.practitioner_id is None:
        given, _, family = who.name.rpartition(" ")
        practitioner = {"resourceType": "Practitioner", "id": str(uuid.uuid4()), "active": True,
                        "identifier": [{"system": USER_SYSTEM, "value": who.user}],
                        "name": [{"family": family, **({"given": given.split()} if given else {})}]}
        work.save(practitioner, "create", f"practitioner for Hearth user {who.user}")
        who = Provider(who.user, who.name, practitioner["id"])
    template = availability.template_of(who.user)
    ensure_schedule(work, who.reference, who.name, template.name if template else "(none)",
                    availability)
    return who


def ensure_schedule(work: Work, actor: str, display: str, week: str,
                    availability: Availability) -> None:
    """A Schedule (the calendar) of `actor` ("Practitioner/<id>", "Location/<id>"), made
    now if it has none, saying which week of which file it keeps to."""
    if work.conn.execute(SCHEDULE_OF, {"actor": actor}).first() is None:
        work.save({"resourceType": "Schedule", "id": str(uuid.uuid4()), "active": True,
                   "actor": [{"reference": actor, "display": display}],
                   "comment": f"Keeps to the week {week!r} of {availability.source}, version "
                              f"{availability.version}."},
                  "create", f"calendar of {display}")


def _practitioners(conn: Connection) -> list[dict]:
    return [fhir_json.loads(body) for _, body in conn.execute(PRACTITIONERS)]


def _match(practitioners: list[dict], user: str, full_name: str,
           namesakes: int = 1) -> str | None:
    """The Practitioner of `user`: the one with their user name, else (only when no other
    clinician has the same full name, `namesakes` counting them too) the one of that name
    that no Hearth user owns, so two clinicians of one name never share a calendar."""
    for p in practitioners:
        if _user_of(p) == user:
            return p["id"]
    wanted = full_name.casefold().split()
    return next((p["id"] for p in practitioners if _user_of(p) is None
                 and _spoken(p).casefold().split() == wanted), None) if namesakes == 1 else None


def _user_of(practitioner: dict) -> str | None:
    return next((i.get("value") for i in practitioner.get("identifier", [])
                 if i.get("system") == USER_SYSTEM), None)


def _said(full_name: str) -> tuple[str, ...]:
    return tuple(full_name.casefold().split())


def _spoken(person: dict) -> str:
    name = main_name(person)
    return " ".join([*name.get("given", []), name.get("family", "")])
