"""The issue's walk: a nurse breaks the glass into a restricted chart offline; after a sync
the auditor on another workstation reviews it, and the review comes back to the first.
Each workstation's audit trail says what arrived: the grant on the second, its review on
the first (app.clinical.access.arrived)."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.gate import ChartRestricted
from app.clinical.access.grants import is_restricted
from app.clinical.access.restricted import Restriction
from app.clinical.access.review import EmergencyReview
from app.clinical.records import Records
from app.security.roles import Permission
from app.store.resources import get_resource
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import PASSWORD, patient, sync, workstation


def test_the_auditor_on_another_workstation_reviews_it_after_sync(keyring_session, env,
                                                                     tmp_path):
    with start_fhir_server(tmp_path / "server") as server:
        front = workstation(env, tmp_path / "a", "doc")
        back = workstation(env, tmp_path / "b", "pat")
        for ws, user, role in ((front, "nina", "nurse"), (back, "audrey", "auditor")):
            admin = open_workstation(env, ws.store.paths.root, "admin", "admin pass 12")
            admin.users.add(admin.session, user, user.title(), role, PASSWORD)
            admin.close()
        rosa = front.patients.register(front.session, patient("Quiet", "Rosa"))["id"]
        front.encounters.start_visit(front.session, rosa)
        Restriction(front.store, front.policy.access).set(front.session, rosa, True)
        nina = open_workstation(env, front.store.paths.root, "nina", PASSWORD)
        grant = BreakGlass(nina.store, nina.policy).open(  # no server needed for this
            nina.session, rosa, "Emergency care", "fell in the car park", PASSWORD)
        nina.close()
        sync(front, server)
        sync(back, server)
        with pytest.raises(ChartRestricted):  # the restriction travelled with the Patient
            back.chart.summary(back.session, rosa)
        assert trail_of(back, grant.task_id) == [(
            rosa, "emergency access on another workstation, received from the server: Nina "
            "(nina) broke the glass: Emergency care: fell in the car park; access until "
            f"{grant.end.isoformat(timespec='seconds')}; sync started by pat")]
        audrey = open_workstation(env, back.store.paths.root, "audrey", PASSWORD)
        review = EmergencyReview(audrey.store)
        [waiting] = review.list(audrey.session)
        assert (waiting.task_id, waiting.clinician) == (grant.task_id, "Nina (nina)")
        review.decide(audrey.session, grant.task_id, "reviewed", "ED transfer confirmed")
        audrey.close()
        sync(back, server)
        sync(front, server)
        with front.store.read() as conn:
            status = conn.exec_driver_sql(
                "SELECT json_extract(json, '$.businessStatus.text') FROM resource WHERE "
                "type = 'Task' AND id = ?", (grant.task_id,)).scalar_one()
        assert status == "reviewed"
        assert trail_of(front, grant.task_id)[-1] == (
            rosa, "emergency access of Nina (nina) reviewed on another workstation by Audrey, "
            "received from the server; sync started by doc")
        front.close()
        back.close()


def test_a_restriction_survives_an_edit_of_the_patient_made_meanwhile(keyring_session, env,
                                                                     tmp_path):
    """The desk on B changes the phone; Dr Doc on A restricts the chart before hearing of it:
    after both sync, both workstations hold the phone AND the restriction."""
    with start_fhir_server(tmp_path / "server") as server:
        a, b = workstation(env, tmp_path / "a", "doc"), workstation(env, tmp_path / "b", "pat")
        rosa = a.patients.register(a.session, patient("Quiet", "Rosa"))["id"]
        sync(a, server)
        sync(b, server)
        phoned = {**stored(b, rosa), "telecom": [{"system": "phone", "value": "555 0100"}]}
        with Records(b.store).write(b.session, Permission.EDIT_DEMOGRAPHICS) as work:
            work.save(phoned, "update")
        sync(b, server)
        Restriction(a.store, a.policy.access).set(a.session, rosa, True)
        sync(a, server)
        sync(b, server)
        for ws in (a, b):
            assert is_restricted(stored(ws, rosa)) and stored(ws, rosa)["telecom"]
        a.close()
        b.close()


def stored(ws, pid: str) -> dict:
    with ws.store.read() as conn:
        return get_resource(conn, "Patient", pid)


def trail_of(ws, task_id: str) -> list[tuple[str, str]]:
    """(patient, detail) of the audit rows naming the grant, oldest first."""
    with ws.store.read() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT patient, detail FROM audit WHERE entity = ? ORDER BY seq",
            (f"Task/{task_id}",))]
