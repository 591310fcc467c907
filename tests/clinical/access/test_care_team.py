"""Who is on a restricted patient's care team: an appointment in the last 30 days (not 40),
or a place on the patient's CareTeam; everyone else is refused."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import open_workstation
from app.clinical.access.gate import ChartRestricted
from app.clinical.access.restricted import Restriction
from app.clinical.records import Records
from app.security.roles import Permission
from tests.conftest import new_store, password_of

USERS = {"doc": ("Elena Ortiz", "physician"), "gp": ("Gil Parr", "physician"),
         "nina": ("Nina Nurse", "nurse"), "desk": ("Frank Desk", "front-desk")}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("care-team") / "store"
    env, _ = new_store(root, USERS)
    stations = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    yield stations
    for station in stations.values():
        station.store.close()


def restricted_patient(clinic) -> str:
    """A patient Dr Ortiz sees today and restricts."""
    desk, doc = clinic["desk"], clinic["doc"]
    pid = desk.patients.register(desk.session, {
        "resourceType": "Patient", "name": [{"family": "Quiet", "given": ["Rosa"]}]})["id"]
    doc.encounters.start_visit(doc.session, pid)
    Restriction(doc.store, doc.policy.access).set(doc.session, pid, True)
    return pid


def booked_with_gp(clinic, pid: str, days_ago: int) -> None:
    """Dr Parr's Practitioner and an appointment of the patient with him, days ago."""
    desk = clinic["desk"]
    start = datetime.now(UTC) - timedelta(days=days_ago)
    with Records(desk.store).write(desk.session, Permission.MANAGE_SCHEDULE) as work:
        work.save({"resourceType": "Practitioner", "id": "dr-parr",
                   "identifier": [{"system": "urn:hearth:user", "value": "gp"}],
                   "name": [{"family": "Parr", "given": ["Gil"]}]}, "update")
        work.save({"resourceType": "Appointment", "id": str(uuid.uuid4()), "status": "fulfilled",
                   "start": start.isoformat(), "end": (start + timedelta(minutes=20)).isoformat(),
                   "participant": [{"actor": {"reference": f"Patient/{pid}"},
                                    "status": "accepted"},
                                   {"actor": {"reference": "Practitioner/dr-parr"},
                                    "status": "accepted"}]}, "create")


def test_an_appointment_40_days_ago_is_too_old_10_days_ago_counts(clinic):
    gp, pid = clinic["gp"], restricted_patient(clinic)
    booked_with_gp(clinic, pid, 40)
    with pytest.raises(ChartRestricted):
        gp.chart.summary(gp.session, pid)
    booked_with_gp(clinic, pid, 10)
    assert gp.chart.summary(gp.session, pid).patient["id"] == pid


def test_a_nurse_named_on_the_care_team_reads_the_chart(clinic):
    doc, nina, pid = clinic["doc"], clinic["nina"], restricted_patient(clinic)
    with pytest.raises(ChartRestricted):
        nina.chart.summary(nina.session, pid)
    with Records(doc.store).write(doc.session, Permission.EDIT_CHART) as work:
        work.save({"resourceType": "CareTeam", "id": str(uuid.uuid4()), "status": "active",
                   "subject": {"reference": f"Patient/{pid}"},
                   "participant": [{"member": {"identifier": {"system": "urn:hearth:user",
                                                              "value": "nina"},
                                               "display": "Nina Nurse"}}]}, "create")
    assert nina.chart.summary(nina.session, pid).patient["id"] == pid


def test_a_result_waiting_in_a_physicians_inbox_opens_the_chart_to_him(clinic):
    doc, gp, pid = clinic["doc"], clinic["gp"], restricted_patient(clinic)
    with Records(doc.store).write(doc.session, Permission.EDIT_CHART) as work:
        work.save({"resourceType": "Task", "id": str(uuid.uuid4()), "status": "requested",
                   "intent": "order", "for": {"reference": f"Patient/{pid}"},
                   "owner": {"identifier": {"system": "urn:hearth:user", "value": "gp"},
                             "display": "Gil Parr"}}, "create")
    assert gp.chart.summary(gp.session, pid).patient["id"] == pid
