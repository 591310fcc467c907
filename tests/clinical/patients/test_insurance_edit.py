"""The insurance card edited from the details form: a new version of the same Coverage (what
the form does not show kept), a first card made, a card given up marked cancelled; saved
with the patient in one unit of work, so a refused card leaves the patient unsaved too."""

from dataclasses import replace
from datetime import date

import orjson
import pytest

from app.clinical.fhir.validation import validation_errors
from app.clinical.patients.demographics import Demographics, form_of
from app.clinical.patients.insurance import insurance_of, shown_coverage
from app.clinical.patients.insurance_card import PolicyHolder
from app.clinical.patients.registration import (
    Insurance,
    NewPatient,
    Registration,
    RegistrationRefused,
)
from app.errors import InvalidRecord
from app.store.resources import get_resource, put_resource
from tests.conftest import sign_in

CARD = Insurance("Acme Health", "ACM-778812", "GRP-42")


@pytest.fixture
def desk(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "frank", "front-desk")


def registered(desk, insurance=CARD):
    return Registration(desk.store, desk.policy.registration).register(desk.session, NewPatient(
        "Okafor", "Amara", "2001-06-09", "female", insurance=insurance)).patient


def edit(desk, patient_id, **typed):
    service = Demographics(desk.store)
    shown = service.read(desk.session, patient_id)
    form = replace(form_of(shown.patient), **typed)
    service.edit(desk.session, shown.patient, form, shown_coverage(shown.coverages))
    return Demographics(desk.store).read(desk.session, patient_id)


def test_a_new_member_id_is_a_new_version_of_the_same_card_keeping_what_is_not_shown(desk):
    amara = registered(desk)
    card = Demographics(desk.store).read(desk.session, amara["id"]).coverages[0]
    with desk.store.write() as conn:  # a period the form does not show
        put_resource(conn, {**card, "period": {"start": "2026-01-01"}}, "setup",
                     "2026-01-01T00:00:00+00:00")
    [after] = edit(desk, amara["id"], insurance=replace(CARD, member_id="ACM-000001")).coverages
    assert after["id"] == card["id"] and after["subscriberId"] == "ACM-000001"
    assert after["period"] == {"start": "2026-01-01"} and after["class"] == card["class"]
    with desk.store.read() as conn:
        detail = conn.exec_driver_sql("SELECT detail FROM audit WHERE entity = ? "
                                      "ORDER BY seq DESC LIMIT 1",
                                      (f"Coverage/{card['id']}",)).scalar()
    assert detail == "insurance changed to Acme Health ACM-000001"


def test_a_first_card_is_added_and_a_card_given_up_is_cancelled_not_deleted(desk):
    amara = registered(desk, insurance=None)
    [added] = edit(desk, amara["id"], insurance=CARD).coverages
    assert (added["status"], added["payor"], added["subscriberId"]) == (
        "active", [{"display": "Acme Health"}], "ACM-778812")
    [ended] = edit(desk, amara["id"], insurance=None).coverages
    assert ended["id"] == added["id"] and ended["status"] == "cancelled"


def test_a_card_changed_meanwhile_in_the_same_field_saves_neither_record(desk):
    amara = registered(desk)
    service = Demographics(desk.store)
    shown = service.read(desk.session, amara["id"])
    card = shown.coverages[0]
    with desk.store.write() as conn:  # sync brought another member id meanwhile
        put_resource(conn, {**card, "subscriberId": "ACM-999999"}, "sync",
                     "2026-06-01T00:00:00+00:00")
    typed = replace(form_of(shown.patient), phone="555 700 2000",
                    insurance=replace(CARD, member_id="ACM-000001"))
    with pytest.raises(InvalidRecord, match="changed meanwhile"):
        service.edit(desk.session, shown.patient, typed, card)
    with desk.store.read() as conn:
        assert "telecom" not in get_resource(conn, "Patient", amara["id"])
        assert get_resource(conn, "Coverage", card["id"])["subscriberId"] == "ACM-999999"


SPOUSES_PLAN = Insurance("Acme Health", "ACM-778812", "GRP-42", "60054", "BL", "spouse",
                         PolicyHolder("Okafor", "Chidi Emeka", "1970-02-03", "male"))


def test_a_spouses_plan_keeps_payer_id_kind_and_holder_and_an_edit_keeps_the_rest(desk):
    amara = registered(desk, insurance=SPOUSES_PLAN)
    card = Demographics(desk.store).read(desk.session, amara["id"]).coverages[0]
    assert validation_errors("Coverage", orjson.dumps(card)) == []
    assert card["payor"] == [{"display": "Acme Health", "identifier": {
        "type": {"text": "Payer ID (electronic claims)"}, "value": "60054"}}]
    assert card["type"]["coding"][0]["code"] == "BL" and card["subscriber"] == {
        "reference": "#holder"}
    assert insurance_of(card) == SPOUSES_PLAN
    kept = {"period": {"start": "2026-01-01"}, "extension": [
        {"url": "urn:example:plan-note", "valueString": "keep me"}]}
    with desk.store.write() as conn:  # what the form does not show
        put_resource(conn, {**card, **kept, "type": {"coding": [
            *card["type"]["coding"], {"system": "urn:example:plans", "code": "gold"}]}},
                     "setup", "2026-01-01T00:00:00+00:00")

    [after] = edit(desk, amara["id"], insurance=replace(SPOUSES_PLAN, kind="MB")).coverages

    assert insurance_of(after) == replace(SPOUSES_PLAN, kind="MB")
    assert {key: after[key] for key in kept} == kept
    assert after["type"]["coding"][1] == {"system": "urn:example:plans", "code": "gold"}
    assert [c["code"] for c in after["type"]["coding"]] == ["MB", "gold"]


def test_a_card_held_by_someone_else_needs_the_relationship_and_a_birth_date(desk):
    typed = NewPatient("Okafor", "Amara", "2001-06-09", "female", insurance=replace(
        SPOUSES_PLAN, relationship="", holder=replace(SPOUSES_PLAN.holder,
                                                      birth_date="03/02/1970")))
    with pytest.raises(RegistrationRefused) as refused:
        Registration(desk.store, desk.policy.registration).register(desk.session, typed)
    assert refused.value.problems == [
        "Say how the patient is related to the policy holder: spouse, child or other.",
        "The policy holder's birth date '03/02/1970' is not a date (YYYY-MM-DD)."]
    assert refused.value.fields == ["insurance.relationship", "insurance.holder_birth_date"]


def test_a_payer_id_and_kind_are_checked():
    card = replace(CARD, payer_id="600 54", kind="XX")
    assert card.problems(date(2026, 1, 1)) == [
        ("payer_id", "The payer id '600 54' may hold only letters and digits, as the payer "
                     "publishes it."),
        ("kind", "'XX' is not a kind of payer (an X12 claim filing indicator such as CI, MB, "
                 "MA, 16, MC, BL).")]
