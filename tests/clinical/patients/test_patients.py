"""Patient writes: permission first, then record + outbox + audit in one transaction."""

import pytest
from sqlalchemy import text

from app.errors import InvalidRecord, NotFound, PermissionDenied
from tests.conftest import sign_in

ANN = {"resourceType": "Patient", "name": [{"family": "Álvarez", "given": ["Ann"]}],
       "birthDate": "1980-03-14", "identifier": [{"system": "urn:mrn", "value": "MRN-1"}]}


@pytest.fixture
def desk(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "frank", "front-desk")


def counts(ws, patient_id):
    with ws.store.read() as conn:
        return {t: conn.execute(text(q), {"p": patient_id}).scalar_one() for t, q in {
            "outbox": "SELECT count(*) FROM outbox WHERE id = :p",
            "audit": "SELECT count(*) FROM audit WHERE patient = :p AND action != 'read'",
            "search": "SELECT count(*) FROM patient_search WHERE patient_id = :p",
        }.items()}


def test_registering_writes_record_outbox_audit_and_index(desk):
    ann = desk.patients.register(desk.session, ANN)
    assert desk.patients.get(desk.session, ann["id"])["name"][0]["family"] == "Álvarez"
    assert counts(desk, ann["id"]) == {"outbox": 1, "audit": 1, "search": 1}


def test_removing_a_duplicate_takes_it_out_of_search_and_queues_the_delete(desk):
    ann = desk.patients.register(desk.session, ANN)
    desk.patients.delete(desk.session, ann["id"], "duplicate of MRN-0")
    with pytest.raises(NotFound):
        desk.patients.get(desk.session, ann["id"])
    assert desk.search.search(desk.session, "alvarez") == []
    with desk.store.read() as conn:
        assert conn.execute(text("SELECT op FROM local_change ORDER BY seq")).scalars().all() \
            == ["create", "delete"]
        assert conn.execute(text("SELECT detail FROM audit WHERE action = 'delete'")
                            ).scalar_one() == "duplicate of MRN-0"


def test_an_update_is_queued_and_audited_again(desk):
    ann = desk.patients.register(desk.session, ANN)
    desk.patients.update(desk.session, {**ann, "gender": "female"})
    assert counts(desk, ann["id"]) == {"outbox": 2, "audit": 2, "search": 1}
    assert desk.patients.get(desk.session, ann["id"])["gender"] == "female"


def test_an_update_that_does_not_say_which_version_it_changes_is_refused(desk):
    ann = desk.patients.register(desk.session, ANN)
    with pytest.raises(InvalidRecord, match=r"^Patient Álvarez, Ann was sent without the "
                                            r"version it was read from \(meta\.lastUpdated\)"):
        desk.patients.update(desk.session, {**ANN, "id": ann["id"], "gender": "female"})
    assert counts(desk, ann["id"])["outbox"] == 1


def test_two_users_editing_one_patient_keep_both_changes_or_are_told(
        admin, env, store_dir, desk):
    """Gina saves a phone while Frank's form is open: Frank's sex is merged with it, and his
    stale phone is refused rather than saved over hers."""
    ann = desk.patients.register(desk.session, ANN)
    gina = sign_in(admin, env, store_dir, "gina", "front-desk")
    read = desk.patients.get(desk.session, ann["id"])
    gina.patients.update(gina.session, {**read, "telecom": [
        {"system": "phone", "value": "555-0101"}]})
    desk.patients.update(desk.session, {**read, "gender": "female"}, based_on=read)
    with pytest.raises(InvalidRecord, match=r"^Patient Álvarez, Ann was changed meanwhile .*: "
                                            r"telecom changed there too"):
        desk.patients.update(desk.session, {**read, "telecom": [
            {"system": "phone", "value": "555-0202"}]}, based_on=read)
    saved = gina.patients.get(gina.session, ann["id"])
    assert (saved["gender"], saved["telecom"]) == (
        "female", [{"system": "phone", "value": "555-0101"}])
    assert counts(desk, ann["id"])["outbox"] == 3


def test_a_refused_write_leaves_no_trace_but_the_message(admin, env, store_dir, desk):
    billing = sign_in(admin, env, store_dir, "bill", "billing")
    with pytest.raises(PermissionDenied, match="billing and may not register"):
        billing.patients.register(billing.session, {**ANN, "id": "p1"})
    assert counts(desk, "p1") == {"outbox": 0, "audit": 0, "search": 0}


def test_admin_does_not_read_charts(admin, desk):
    ann = desk.patients.register(desk.session, ANN)
    with pytest.raises(PermissionDenied, match="admin and may not read patient"):
        admin.patients.get(admin.session, ann["id"])


def test_every_read_is_audited_even_a_miss(desk):
    with pytest.raises(NotFound):
        desk.patients.get(desk.session, "nobody")
    with desk.store.read() as conn:
        row = conn.execute(text("SELECT action, outcome FROM audit WHERE patient='nobody'")).one()
    assert tuple(row) == ("read", "failure")


@pytest.mark.parametrize("patient, message", [
    ({"resourceType": "Observation"}, "Expected a FHIR Patient"),
    ({**ANN, "id": "bad id!"}, "not a valid FHIR id"),
    ({"resourceType": "Patient", "name": []}, "needs a name"),
    ({**ANN, "birthDate": "someday"}, "Not a valid FHIR R4 Patient: .*birthDate"),
])
def test_invalid_patients_are_refused_by_reason(desk, patient, message):
    with pytest.raises(InvalidRecord, match=message):
        desk.patients.register(desk.session, patient)
