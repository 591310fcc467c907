"""Registering a walk-in: checked with a sentence per mistake, numbered, checked for
duplicates, and saved with the insurance in one audited transaction."""

import pytest
from sqlalchemy import text

from app.clinical.patients.registration import (
    Address,
    EmergencyContact,
    Identifier,
    Insurance,
    NewPatient,
    Registration,
    RegistrationRefused,
)
from app.errors import NotFound, PermissionDenied, UsageError
from tests.conftest import sign_in

ANN = NewPatient("Álvarez", "Ann Marie", "1980-03-14", "female", phone="(555) 201-3344",
                 email="ann@example.org", address=Address(("1 Main St",), "Springfield", "IL",
                                                          "62701", "US"),
                 identifiers=(Identifier("urn:oid:2.16.840.1.113883.4.1", "123-45-6789"),),
                 language="es-MX",
                 emergency_contact=EmergencyContact("Luis Álvarez", "brother", "555 201 9999"),
                 insurance=Insurance("Acme Health", "ACM-778812", "GRP-42"))


@pytest.fixture
def desk(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "frank", "front-desk")


@pytest.fixture
def registration(desk):
    return Registration(desk.store, desk.policy.registration, desk.changes)


def rows(ws, query, **values):
    with ws.store.read() as conn:
        return [tuple(row) for row in conn.execute(text(query), values)]


def test_a_walk_in_is_saved_with_an_mrn_and_insurance_in_one_audited_transaction(
        desk, registration):
    done = registration.register(desk.session, ANN)
    patient, coverage = done.patient, done.coverage
    assert patient["name"] == [{"use": "official", "family": "Álvarez",
                                "given": ["Ann", "Marie"]}]
    [mrn] = [i for i in patient["identifier"] if i.get("type")]
    assert mrn["type"]["coding"][0]["code"] == "MR" and mrn["system"] == "urn:hearth:mrn"
    assert mrn["value"] == done.mrn
    assert patient["contact"][0]["name"] == {"text": "Luis Álvarez"}
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es-MX"
    assert coverage["beneficiary"] == {"reference": f"Patient/{patient['id']}"}
    assert coverage["payor"] == [{"display": "Acme Health"}]
    assert coverage["subscriberId"] == "ACM-778812"
    assert rows(desk, "SELECT type FROM outbox ORDER BY seq") == [("Patient",),
                                                                        ("Coverage",)]
    assert rows(desk, "SELECT action, entity FROM audit WHERE user = 'frank' "
                      "AND action IN ('create', 'query') ORDER BY seq") == [
        ("query", "Patient"), ("create", f"Patient/{patient['id']}")]
    shown = registration.show(desk.session, patient["id"])
    assert (shown.mrn, [c["id"] for c in shown.coverages]) == (done.mrn, [coverage["id"]])


def test_a_form_with_mistakes_is_refused_with_a_sentence_for_each_and_nothing_saved(
        desk, registration):
    blank = NewPatient("", " ", "", "")
    with pytest.raises(RegistrationRefused) as refused:
        registration.register(desk.session, blank)
    assert refused.value.problems == [
        "The family name is missing.", "The given name is missing.",
        "The birth date is missing.", "The sex is missing: say male, female, other or unknown."]
    assert refused.value.fields == ["family", "given", "birth_date", "sex"]
    assert rows(desk, "SELECT count(*) FROM resource WHERE type = 'Patient'") == [(0,)]


@pytest.mark.parametrize(("field", "typed", "sentence"), [
    ("birth_date", "1975-02-30", "1975-02-30 is not a date."),
    ("birth_date", "14/03/1975", "'14/03/1975' is not a date in the form YYYY-MM-DD."),
    ("birth_date", "2999-01-01", "The birth date 2999-01-01 is in the future."),
    ("sex", "m", "'m' is not a sex Hearth records: say male, female, other or unknown."),
    ("phone", "ask daughter", "The phone number 'ask daughter' has no digits."),
    ("email", "ann.example.org",
     "The email 'ann.example.org' is not an address: it needs a name, @ and a domain."),
    ("language", "Spanish", "'Spanish' is not a language code such as en, es or es-MX."),
])
def test_each_bad_field_gets_its_own_sentence(desk, registration, field, typed, sentence):
    form = NewPatient(**{**ANN.__dict__, field: typed})
    with pytest.raises(RegistrationRefused) as refused:
        registration.register(desk.session, form)
    assert refused.value.problems == [sentence]
    assert refused.value.exit_code == 2


def test_a_possible_duplicate_holds_the_registration_until_the_desk_confirms(
        desk, registration):
    first = registration.register(desk.session, ANN).patient
    again = NewPatient("Alvarez", "Annie", "1980-03-14", "female")
    held = registration.register(desk.session, again)
    assert held.patient is None
    assert [(c.patient_id, c.why) for c in held.candidates] == [
        (first["id"], "same birth date; same family name, given name a short form")]
    assert rows(desk, "SELECT count(*) FROM resource WHERE type = 'Patient'") == [(1,)]
    confirmed = registration.register(desk.session, again, despite_candidates=True)
    assert confirmed.patient is not None and confirmed.mrn != first["identifier"][0]["value"]
    [(detail,)] = rows(desk, "SELECT detail FROM audit WHERE action = 'create' AND entity = "
                             ":e", e=f"Patient/{confirmed.patient['id']}")
    assert detail.endswith(f"despite possible duplicates: {first['id']}")


def test_billing_may_not_register_and_the_refusal_names_the_permission(
        admin, env, store_dir, registration):
    billing = sign_in(admin, env, store_dir, "bill", "billing")
    with pytest.raises(PermissionDenied, match="register and edit patients"):
        registration.register(billing.session, ANN)


def test_a_patient_is_shown_by_mrn_and_a_mistyped_mrn_is_named_as_such(desk, registration):
    done = registration.register(desk.session, ANN)
    assert registration.show(desk.session, done.mrn.lower()).patient["id"] == done.patient["id"]
    prefix, number, check = done.mrn.split("-")
    slip = f"{prefix}-{number[:-2]}{number[-1]}{number[-2]}-{check}"  # ...01 typed as ...10
    with pytest.raises(UsageError) as refused:
        registration.show(desk.session, slip)
    assert refused.value.message == (f"{slip} is not a valid MRN: its check digits do not "
                                     "match, so a character was mistyped.")


def test_showing_a_patient_who_is_not_there_is_audited_as_a_failed_read(desk, registration):
    with pytest.raises(NotFound, match="There is no patient nobody"):
        registration.show(desk.session, "nobody")
    assert rows(desk, "SELECT outcome FROM audit WHERE patient = 'nobody'") == [("failure",)]
