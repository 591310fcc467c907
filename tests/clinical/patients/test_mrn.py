"""MRNs: never the same on two offline workstations, and a mistyped one is caught."""

import dataclasses
from importlib.resources import files

import orjson
import pytest

from app.bootstrap import Environment, init_store, open_workstation
from app.clinical.patients.mrn import mrn_problem, store_prefix, with_check
from app.clinical.patients.registration import NewPatient, Registration
from app.errors import UsageError
from app.security.policy import Policy, RegistrationPolicy
from tests.conftest import ADMIN_PASSWORD, password_of, sign_in

VALID = "K7Q2MX-000123-17"


def desk_of(env: Environment, root) -> Registration:
    init_store(env, root, "admin", "Ada Admin", ADMIN_PASSWORD)
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "frank", "Frank", "front-desk", password_of("frank"))
    admin.close()
    desk = open_workstation(env, root, "frank", password_of("frank"))
    return desk, Registration(desk.store, desk.policy.registration)


def register_many(desk, registration, count: int) -> set[str]:
    return {registration.register(desk.session, NewPatient(
        f"Family{n}", "Pat", f"{1930 + n % 90}-01-{1 + n % 28:02d}", "unknown"),
        despite_candidates=True).mrn for n in range(count)}


def test_two_offline_workstations_registering_500_each_share_no_mrn(env, tmp_path):
    one, two = desk_of(env, tmp_path / "one"), desk_of(env, tmp_path / "two")
    first, second = register_many(*one, 500), register_many(*two, 500)
    assert len(first) == len(second) == 500
    assert first.isdisjoint(second)
    assert all(mrn_problem(mrn) is None for mrn in first | second)
    for desk, _ in (one, two):
        desk.close()


def test_every_single_mistyped_character_and_swapped_neighbour_fails_the_check():
    assert mrn_problem(VALID) is None
    slips = {VALID[:i] + ch + VALID[i + 1:] for i, old in enumerate(VALID) if old != "-"
             for ch in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" if ch != old}
    slips |= {VALID[:i] + VALID[i + 1] + VALID[i] + VALID[i + 2:] for i in range(len(VALID) - 1)
              if "-" not in VALID[i:i + 2] and VALID[i] != VALID[i + 1]}
    refused = {slip for slip in slips if mrn_problem(slip)}
    assert refused == slips
    mistyped = VALID[:11] + VALID[12] + VALID[11] + VALID[13:]  # 000123 as 000132
    assert mrn_problem(mistyped) == (f"{mistyped} is not a valid MRN: its check digits do not "
                                     "match, so a character was mistyped.")
    assert mrn_problem("12345") == ("'12345' is not an MRN of the form PREFIX-NUMBER-CHECK "
                                    "(e.g. K7Q2MX-000123-17).")


def test_the_prefix_is_the_policys_or_made_from_the_store_id(admin, env, store_dir):
    desk = sign_in(admin, env, store_dir, "frank", "front-desk")
    form = NewPatient("Lee", "Wei", "1990-05-05", "male")
    made = Registration(desk.store, RegistrationPolicy()).register(desk.session, form).mrn
    assert made == with_check(store_prefix(desk.store.store_id), 1, 6)
    mine = RegistrationPolicy("https://clinic.example/mrn", "NTH2", 4)
    patient = Registration(desk.store, mine).register(desk.session, form,
                                                      despite_candidates=True).patient
    assert patient["identifier"][0]["system"] == "https://clinic.example/mrn"
    assert patient["identifier"][0]["value"] == with_check("NTH2", 2, 4)


def test_a_number_another_patient_already_holds_is_skipped(admin, env, store_dir):
    desk = sign_in(admin, env, store_dir, "frank", "front-desk")
    policy = RegistrationPolicy(workstation_prefix="A1")
    desk.patients.register(desk.session, {
        "resourceType": "Patient", "name": [{"family": "Restored"}],
        "identifier": [{"system": "urn:hearth:mrn", "value": with_check("A1", 1, 6)}]})
    made = Registration(desk.store, policy).register(
        desk.session, NewPatient("Lee", "Wei", "1990-05-05", "male")).mrn
    assert made == with_check("A1", 2, 6)


@pytest.mark.parametrize(("setting", "sentence"), [
    ({"workstation_prefix": "a-1"}, "The policy's registration.workstation_prefix is 'a-1'; it "
                                    "must be 1 to 8 capital letters or digits, or null."),
    ({"sequence_digits": 40}, "The policy's registration.sequence_digits is 40; it must be a "
                              "whole number from 3 to 12."),
    ({"mrn_system": "clinic"}, "The policy's registration.mrn_system is 'clinic'; it must be "
                               "a URI such as \"urn:oid:1.2.3\" or \"https://clinic.example/mrn\"."),
])
def test_a_bad_registration_policy_is_refused_by_name(setting, sentence):
    with pytest.raises(UsageError) as refused:
        dataclasses.replace(Policy.default(), registration=RegistrationPolicy(**setting))
    assert refused.value.message == sentence


def test_a_misspelt_registration_setting_is_refused_by_name():
    shipped = orjson.loads(files("hearth_resources").joinpath("default-policy.json").read_bytes())
    with pytest.raises(UsageError, match=r"^Unknown policy registration setting\(s\): prefix\.$"):
        Policy.from_json(orjson.dumps({**shipped, "registration": {"prefix": "A1"}}))
