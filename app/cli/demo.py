"""A demo store to try Hearth with: synthetic patients, a user per role, a day's clinic.

The first start builds the store in a scratch directory beside `root` (users, then the
bundled Synthea data) and renames it into place only when it is complete, so an
interrupted first start leaves no half-made demo behind. Later starts reuse the store and
only book the day's appointments, if that day has none yet, so a demo opened on a new day
still has patients waiting.

Where no OS keyring works (a machine without a desktop session), the demo keeps its device
secret in a file beside its store and says everywhere that it is not protected
(app.store.demo_secret); every other store keeps refusing to open without a keyring.

Hearth users are not linked to Practitioner resources; the demo doctor is given the full
name of the practitioner who saw the demo patients most often, so "Mine" on the Today
screen shows that practitioner's appointments.
"""

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib.resources import as_file, files
from pathlib import Path

from app.bootstrap import Environment, init_store, open_workstation
from app.clinical.visits.schedule import Schedule
from app.errors import StoreExists
from app.security.roles import Role
from app.security.session import Session
from app.store.demo_secret import NOT_PROTECTED, DemoSecrets
from app.store.paths import StorePaths
from fhir_common import fhir_json

DOCTOR, NURSE, DESK, ADMIN = "demo-doctor", "demo-nurse", "demo-desk", "demo-admin"
# (time, type, status); every appointment lasts 20 minutes, the day ends by 16:30.
# The first two patients have been seen or are waiting; every third is with a colleague.
DAY = (
    ("08:30", "Check-up", "fulfilled"), ("09:00", "Follow-up", "arrived"),
    ("09:30", "Routine", "booked"), ("10:15", "Follow-up", "booked"),
    ("11:00", "Check-up", "booked"), ("11:45", "Walk-in", "booked"),
    ("13:30", "Follow-up", "booked"), ("14:15", "Routine", "booked"),
    ("15:00", "Check-up", "booked"), ("16:00", "Follow-up", "booked"),
)
MINUTES = 20


@dataclass(frozen=True)
class DemoUser:
    name: str
    password: str
    role: Role
    full_name: str


@dataclass(frozen=True)
class DemoInfo:
    root: Path
    created: bool  # False when an existing demo store was reused
    users: tuple[DemoUser, ...]
    env: Environment  # the one that opens this demo: its device secret may be in a file
    protected: bool  # False when that secret is in the file beside the store

    @property
    def notice(self) -> str:
        """For the window title and the sign-in screen: "" when the keyring protects it."""
        return "" if self.protected else NOT_PROTECTED

    def hints(self) -> str:
        """For the sign-in screen: who to sign in as (the data is synthetic)."""
        lines = [f"{u.name} / {u.password}  ({u.role})" for u in self.users]
        return "Demo store with synthetic patients. Sign in as:\n" + "\n".join(lines)


@dataclass(frozen=True)
class _Cast:
    """Who is in the bundled data: patient ids, and practitioners as (reference, name),
    the one the patients' encounters name most often first."""

    patients: list[str]
    practitioners: list[tuple[str, str]]


def ensure_demo_store(env: Environment, root: Path, day: date | None = None,
                      say: Callable[[str], None] = lambda line: None) -> DemoInfo:
    """The demo store at `root`, built on first use, with appointments on `day` (today).
    `say` hears one line before the work starts: building (slow, once) or opening."""
    env = replace(env, demo_root=root)
    with as_file(files("hearth_resources") / "demo") as folder:
        cast = _cast(folder)
        users = _users(cast)
        created = not StorePaths(root).exists()
        if created:
            say(f"Building the demo clinic at {root} (the first time takes a minute)…")
            _build(env, root, folder, users)
        else:
            say(f"Opening the demo clinic at {root}…")
    desk = open_workstation(env, root, DESK, _password(DESK))
    try:
        schedule = Schedule(desk.store)
        booking_day = day or date.today()
        if not schedule.today(desk.session, booking_day).total:
            _book(schedule, desk.session, cast, booking_day)
        in_file = DemoSecrets(env.keyring_backend, root).in_file(desk.store.store_id)
    finally:
        desk.close()
    return DemoInfo(root, created, users, env, protected=not in_file)


def _build(env: Environment, root: Path, folder: Path, users: tuple[DemoUser, ...]) -> None:
    if root.exists() and any(root.iterdir()):
        raise StoreExists(f"{root} holds files but no Hearth store; the demo needs an empty "
                          "folder. Move those files away and start the demo again.")
    building = root.with_name(root.name + ".building")
    shutil.rmtree(building, ignore_errors=True)  # left by an interrupted first start
    admin = next(u for u in users if u.role == Role.ADMIN)
    store_id = init_store(env, building, admin.name, admin.full_name, admin.password)
    try:
        station = open_workstation(env, building, admin.name, admin.password)
        try:
            for user in users:
                if user is not admin:
                    station.users.add(station.session, user.name, user.full_name, user.role,
                                      user.password)
            station.importer.run(station.session, [folder])
        finally:
            station.close()
        if root.exists():
            root.rmdir()
        building.rename(root)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        env.device_secrets().forget(store_id)
        raise


def _book(schedule: Schedule, session: Session, cast: _Cast, day: date) -> None:
    doctor, colleague = cast.practitioners[:2]
    for index, ((hhmm, kind, status), patient) in enumerate(zip(DAY, cast.patients,
                                                                  strict=False)):
        start = datetime.combine(day, time.fromisoformat(hhmm))
        with_whom = colleague if index % 3 == 2 else doctor
        schedule.book(session, patient, with_whom[0], start, MINUTES, kind, status=status)


def _users(cast: _Cast) -> tuple[DemoUser, ...]:
    return tuple(DemoUser(name, _password(name), role, full_name) for name, role, full_name in (
        (DOCTOR, Role.PHYSICIAN, cast.practitioners[0][1]),
        (NURSE, Role.NURSE, "Demo Nurse"),
        (DESK, Role.FRONT_DESK, "Demo Front Desk"),
        (ADMIN, Role.ADMIN, "Demo Admin"),
    ))


def _password(user: str) -> str:
    """Easy to type on purpose: the demo holds only synthetic data."""
    return f"{user}-pass"


def _cast(folder: Path) -> _Cast:
    """Read from the bundles themselves, so the demo follows whatever data is shipped
    (the importer keeps Synthea's own resource ids)."""
    practitioners: dict[str, tuple[str, str]] = {}  # fullUrl -> (reference, name)
    patients: list[str] = []
    seen: Counter[str] = Counter()
    for path in sorted(folder.glob("*.json")):
        for entry in fhir_json.loads(path.read_bytes()).get("entry", []):
            resource = entry["resource"]
            kind = resource["resourceType"]
            if kind == "Practitioner":
                name = resource["name"][0]
                practitioners[entry["fullUrl"]] = (
                    f"Practitioner/{resource['id']}",
                    " ".join([*name.get("given", []), name.get("family", "")]).strip())
            elif kind == "Patient":
                patients.append(resource["id"])
            elif kind == "Encounter":
                seen.update(p["individual"]["reference"] for p in resource.get("participant", [])
                            if "individual" in p)
    return _Cast(patients, [practitioners[url] for url, _ in seen.most_common()
                            if url in practitioners])
