"""The duplicate check: who already registered the new person may be, and why."""

import pytest

from app.clinical.patients.duplicates import Person
from app.clinical.patients.registration import Registration
from tests.conftest import sign_in


def patient(pid, family, given, born, phone=None, **more):
    record = {"resourceType": "Patient", "id": pid, "birthDate": born,
              "name": [{"family": family, "given": given.split()}], **more}
    if phone:
        record["telecom"] = [{"system": "phone", "value": phone}]
    return record


@pytest.fixture
def desk(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "frank", "front-desk")
    for record in [
        patient("robert", "Smith", "Robert", "1975-03-04", "555-201-3344"),
        patient("jose", "García", "José", "1962-11-30"),
        patient("twin", "Okafor", "Amara", "2001-06-09", "555 700 1000"),
        patient("other", "Haddad", "Fatima", "1975-03-04"),
        patient("beatrice", "Quist", "Beatrice", "1990-05-05"),
        patient("merged", "Smith", "Bobby", "1975-03-04",
                link=[{"other": {"reference": "Patient/robert"}, "type": "replaced-by"}]),
    ]:
        ws.patients.register(ws.session, record)
    return ws


@pytest.fixture
def check(desk):
    registration = Registration(desk.store, desk.policy.registration)
    return lambda *person, exclude=None: [
        (c.patient_id, c.why) for c in registration.check(desk.session, Person(*person),
                                                          exclude)]


@pytest.mark.parametrize(("typed", "why"), [
    (("Smith", "Robert", "1975-03-04"), "same birth date; same name"),
    (("Smith", "Bob", "1975-03-04"), "same birth date; same family name, given name a short form"),
    (("Smyth", "Robert", "1975-03-04"),
     "same birth date; family name sounds alike, same given name"),
    (("Smitj", "Robert", "1975-03-04"),
     "same birth date; family name one letter apart, same given name"),
    (("Smith", "Robert", "1975-04-03"),
     "birth date with day and month swapped; same name"),
    (("Robert", "Smith", "1975-03-04"), "same birth date; same name"),
    (("Smyth", "Rob", "1980-01-01", ("(555) 201-3344",)),
     "same phone; family name sounds alike, given name a short form"),
    (("Jones", "Robert", "1975-03-04", ("5552013344",)),
     "same birth date and phone; same given name"),
])
def test_the_same_person_typed_again_is_a_candidate_that_says_why(check, typed, why):
    assert check(*typed) == [("robert", why)]


def test_a_given_name_cut_to_its_first_letters_is_a_short_form_but_an_initial_is_not(check):
    assert check("Quist", "Bea", "1990-05-05") == [
        ("beatrice", "same birth date; same family name, given name a short form")]
    assert check("Quist", "B", "1990-05-05") == []


def test_accents_and_case_are_folded(check):
    assert check("GARCIA", "Jose", "1962-11-30") == [("jose", "same birth date; same name")]


def test_the_name_and_one_of_birth_date_or_phone_must_match(check):
    assert check("Smith", "Robert", "1990-01-01") == []  # a namesake
    assert check("Haddad", "Layla", "1975-03-04") == []  # same birth date, another name
    assert check("Okafor", "Chidi", "1999-01-01", ("555-700-1000",)) == []  # a family's phone


def test_a_form_half_filled_in_compares_by_what_it_has(check):
    assert check("Smith", "Robert", "1975-03") == []
    assert check("Smith", "Robert", "", ("555 201 3344",)) == [("robert", "same phone; same name")]


def test_a_patient_being_edited_is_not_their_own_duplicate(check):
    assert check("Smith", "Robert", "1975-03-04", exclude="robert") == []


def test_a_record_merged_into_another_is_not_offered(check):
    assert [pid for pid, _ in check("Smith", "Bobby", "1975-03-04")] == ["robert"]


def test_the_check_is_an_audited_read(desk, check):
    check("Smith", "Robert", "1975-03-04")
    with desk.store.read() as conn:
        detail = conn.exec_driver_sql("SELECT detail FROM audit WHERE action = 'query' "
                                      "ORDER BY seq DESC LIMIT 1").scalar_one()
    assert detail == "duplicate check for Smith, Robert born 1975-03-04: 1 candidates: robert"
