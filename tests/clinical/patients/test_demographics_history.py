"""Editing a registered patient's demographics: each edit its own version, queued and
audited with what it changed; the duplicate check never flags the patient being edited."""

import pytest

from app.clinical.patients.registration import NewPatient, Registration
from fhir_common import fhir_json
from tests.conftest import sign_in


@pytest.fixture
def desk(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "frank", "front-desk")


def test_each_edit_is_a_version_of_its_own_with_what_it_changed(desk):
    registration = Registration(desk.store, desk.policy.registration)
    form = NewPatient("Okafor", "Amara", "2001-06-09", "female", phone="555 700 1000")
    amara = registration.register(desk.session, form).patient
    moved = desk.patients.update(desk.session, {
        **desk.patients.get(desk.session, amara["id"]),
        "address": [{"line": ["4 Elm Rd"], "city": "Springfield"}]})
    desk.patients.update(desk.session, {**moved, "telecom": [{"system": "phone",
                                                               "value": "555 700 2000"}]})
    with desk.store.read() as conn:
        versions = [fhir_json.loads(body) for (body,) in conn.exec_driver_sql(
            "SELECT json FROM outbox WHERE id = ? ORDER BY seq", (amara["id"],))]
        details = conn.exec_driver_sql(
            "SELECT detail FROM audit WHERE action = 'update' ORDER BY seq").scalars().all()
    assert [v.get("address", [{}])[0].get("line") for v in versions] == [
        None, ["4 Elm Rd"], ["4 Elm Rd"]]
    assert [v["telecom"][0]["value"] for v in versions] == [
        "555 700 1000", "555 700 1000", "555 700 2000"]
    assert details == ["changed address", "changed telecom"]
    assert registration.check(desk.session, form.person(), exclude=amara["id"]) == []
    assert [c.patient_id for c in registration.check(desk.session, form.person())] == [
        amara["id"]]
