"""Two workstations book the same provider at the same time offline: the second to sync
holds a double-booking conflict that a person there resolves, and the first sees the
decision at its next sync. Never both kept silently, never one dropped silently.

A real SEKMET server between workstation A and workstation B (tests/sync/conftest.py).
"""

import uuid
from datetime import datetime, timedelta

import pytest

from app.bootstrap import SyncSettings, open_workstation
from app.cli.commands import main
from app.clinical.visits.double_booking import Decision, DoubleBookings
from app.clinical.visits.slots import OVERBOOKED
from app.errors import InvalidRecord, PermissionDenied
from app.store.resources import get_resource, put_resource
from sync.pull import Puller
from tests.sync.stations import PASSWORD, patient, sync

NINE = datetime(2031, 6, 2, 9, 0)


@pytest.fixture
def clinic(a, b, fhir_server):
    """A practitioner of this test's own and two patients, on both workstations; then A
    books Ann at 09:00 and B books Bea at 09:10 with that practitioner, both offline."""
    doctor = f"dr-{uuid.uuid4().hex[:8]}"
    with a.store.write() as conn:
        put_resource(conn, {"resourceType": "Practitioner", "id": doctor,
                            "name": [{"family": "Okafor", "given": ["Ada"]}]},
                     "setup", "2026-01-01T00:00:00+00:00")
    ann = a.patients.register(a.session, patient("Mensah", "Ann"))
    bea = a.patients.register(a.session, patient("Quist", "Bea"))
    sync(a, fhir_server)
    sync(b, fhir_server)
    first = a.schedule.book(a.session, ann["id"], f"Practitioner/{doctor}", NINE, 20,
                            "Follow-up")
    second = b.schedule.book(b.session, bea["id"], f"Practitioner/{doctor}",
                             NINE.replace(minute=10), 20, "Check-up")
    sync(a, fhir_server)
    sync(b, fhir_server)
    return first, second


def appointment(ws, appointment_id: str) -> dict:
    with ws.store.read() as conn:
        return get_resource(conn, "Appointment", appointment_id)


def test_the_second_to_sync_holds_one_conflict_naming_both_bookings(a, b, clinic,
                                                                     fhir_server):
    first, second = clinic
    [conflict] = b.conflicts.list(b.session)
    assert conflict.kind == "double-booking" and conflict.resource_id == second.id
    assert conflict.remote["id"] == first.id
    assert conflict.reason.startswith("Ada Okafor is booked twice at 09:10 on 02 Jun 2031: "
                                      "Quist, Bea, Check-up 09:10–09:30 (booked here) and "
                                      "Mensah, Ann, Follow-up 09:00–09:20 (booked on another "
                                      "workstation)")
    assert {appointment(b, i)["status"] for i in (first.id, second.id)} == {"booked"}
    sync(a, fhir_server)  # A was first: it raises nothing, and loses nothing
    assert a.conflicts.list(a.session) == []
    assert appointment(a, second.id)["status"] == "booked"
    sync(b, fhir_server)
    assert len(b.conflicts.list(b.session)) == 1  # held once, not again at each sync


def test_cancelling_the_other_reaches_the_first_workstation(a, b, clinic, fhir_server):
    first, _ = clinic
    [conflict] = b.conflicts.list(b.session)
    done = DoubleBookings(b.store).resolve(
        b.session, conflict.id, Decision("cancel-other", "Dr Okafor sees Bea; Ann rebooked"))
    assert done == "cancelled the one booked elsewhere (Dr Okafor sees Bea; Ann rebooked)"
    assert b.conflicts.list(b.session) == []
    sync(b, fhir_server)
    sync(a, fhir_server)
    mine = appointment(a, first.id)
    assert mine["status"] == "cancelled"
    assert mine["cancelationReason"]["text"] == "Dr Okafor sees Bea; Ann rebooked"
    assert a.conflicts.list(a.session) == []


def test_overbooking_keeps_both_with_the_reason_on_both_workstations(a, b, clinic,
                                                                      fhir_server):
    first, second = clinic
    [conflict] = b.conflicts.list(b.session)
    with pytest.raises(InvalidRecord, match="Say why"):
        DoubleBookings(b.store).resolve(b.session, conflict.id, Decision("overbook", " "))
    DoubleBookings(b.store).resolve(b.session, conflict.id, Decision("overbook", "urgent"))
    sync(b, fhir_server)
    sync(a, fhir_server)
    theirs = appointment(a, second.id)
    assert theirs["extension"] == [{"url": OVERBOOKED, "valueString": "urgent"}]
    assert appointment(a, first.id)["status"] == theirs["status"] == "booked"
    assert a.conflicts.list(a.session) == []


def test_moving_the_one_booked_here_and_an_occupied_time_refused(a, b, clinic, fhir_server):
    first, second = clinic
    [conflict] = b.conflicts.list(b.session)
    with pytest.raises(InvalidRecord, match="09:15 on 02 Jun 2031 is booked too"):
        DoubleBookings(b.store).resolve(b.session, conflict.id,
                                        Decision("move", start=NINE.replace(minute=15)))
    DoubleBookings(b.store).resolve(b.session, conflict.id,
                                    Decision("move", start=NINE.replace(hour=10)))
    sync(b, fhir_server)
    sync(a, fhir_server)
    moved = appointment(a, second.id)
    assert datetime.fromisoformat(moved["start"]).astimezone().strftime("%H:%M") == "10:00"
    assert appointment(a, first.id)["start"] == appointment(b, first.id)["start"]


def test_keep_local_or_remote_is_refused_with_what_to_do(b, clinic):
    [conflict] = b.conflicts.list(b.session)
    with pytest.raises(InvalidRecord, match="is a double booking: keep both"):
        b.conflicts.resolve(b.session, conflict.id, "local")


def test_the_command_line_lists_and_resolves_it(b, clinic, env, tmp_path, monkeypatch,
                                                capsys):
    _, second = clinic

    def hearth(*args: str) -> int:
        monkeypatch.setenv("HEARTH_PASSWORD", PASSWORD)
        return main(["--store", str(tmp_path / "b"), "--user", "pat", "conflicts", *args],
                    env=env)

    assert hearth("list") == 0
    listed = capsys.readouterr().out
    assert "double-booking" in listed and "Ada Okafor is booked twice at 09:10" in listed
    conflict = b.conflicts.list(b.session)[0].id
    assert hearth("resolve", str(conflict), "--cancel", "here") == 2
    assert "Say why with --reason TEXT" in capsys.readouterr().err
    assert hearth("resolve", str(conflict), "--cancel", "here", "--reason", "Bea prefers "
                  "Tuesday") == 0
    assert capsys.readouterr().out == (f"Conflict {conflict} resolved: cancelled the one "
                                       "booked here (Bea prefers Tuesday). It is sent at the "
                                       "next sync.\n")
    assert appointment(b, second.id)["status"] == "cancelled"


def test_a_clash_of_days_gone_by_holds_nothing(a, b, fhir_server):
    """Both visits have happened (or not): nothing is left to move or cancel."""
    doctor = f"dr-{uuid.uuid4().hex[:8]}"
    with a.store.write() as conn:
        put_resource(conn, {"resourceType": "Practitioner", "id": doctor,
                            "name": [{"family": "Okafor", "given": ["Ada"]}]},
                     "setup", "2026-01-01T00:00:00+00:00")
    ann = a.patients.register(a.session, patient("Mensah", "Ann"))
    sync(a, fhir_server)
    sync(b, fhir_server)
    last_week = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(
        days=7)
    for ws in (a, b):
        ws.schedule.book(ws.session, ann["id"], f"Practitioner/{doctor}", last_week, 20,
                         "Follow-up", status="fulfilled" if ws is a else "booked")
    sync(a, fhir_server)
    sync(b, fhir_server)
    assert b.conflicts.list(b.session) == []


def test_the_front_desk_sees_and_decides_it_billing_does_not(b, clinic, env, tmp_path):
    admin = open_workstation(env, tmp_path / "b", "admin", "admin pass 12")
    for name, role in (("desk", "front-desk"), ("bill", "billing")):
        admin.users.add(admin.session, name, name.title(), role, "a long pass 1")
    admin.close()
    admin.store.close()
    desk, bill = (open_workstation(env, tmp_path / "b", name, "a long pass 1")
                  for name in ("desk", "bill"))
    [conflict] = desk.conflicts.list(desk.session)
    assert bill.conflicts.list(bill.session) == []
    with pytest.raises(PermissionDenied, match="book appointments"):
        DoubleBookings(bill.store).resolve(bill.session, conflict.id,
                                           Decision("overbook", "urgent"))
    DoubleBookings(desk.store).resolve(desk.session, conflict.id, Decision("overbook", "urgent"))
    assert desk.conflicts.list(desk.session) == []
    for ws in (desk, bill):
        ws.close()
        ws.store.close()


def test_a_booking_not_sent_yet_waits_for_the_decision(a, b, fhir_server):
    """B pulls A's booking before sending its own: its own waits in the outbox, held, so A
    never sees the clash; the decision (here: cancel B's own) is what goes to the server."""
    doctor = f"dr-{uuid.uuid4().hex[:8]}"
    with a.store.write() as conn:
        put_resource(conn, {"resourceType": "Practitioner", "id": doctor,
                            "name": [{"family": "Okafor", "given": ["Ada"]}]},
                     "setup", "2026-01-01T00:00:00+00:00")
    ann = a.patients.register(a.session, patient("Mensah", "Ann"))
    sync(a, fhir_server)
    sync(b, fhir_server)
    a.schedule.book(a.session, ann["id"], f"Practitioner/{doctor}", NINE, 20, "Follow-up")
    mine = b.schedule.book(b.session, ann["id"], f"Practitioner/{doctor}", NINE, 20, "Routine")
    sync(a, fhir_server)
    engine = b.sync_engine(SyncSettings(fhir_server.base_url))
    try:
        Puller(engine.local, engine.transport, engine.capabilities()).pull()
    finally:
        engine.transport.close()
    [conflict] = b.conflicts.list(b.session)
    sync(b, fhir_server)  # held: not sent
    sync(a, fhir_server)
    assert appointment(a, mine.id) is None
    DoubleBookings(b.store).resolve(b.session, conflict.id,
                                    Decision("cancel-here", "booked twice by mistake"))
    sync(b, fhir_server)
    sync(a, fhir_server)
    assert appointment(a, mine.id)["status"] == "cancelled"
