"""`hearth patient add` and `hearth patient show` as IT or a clerk's script meets them: the
exit code, the JSON the issue names, the one line on stderr."""

import json

import pytest

from app.cli.commands import main
from app.clinical.patients.mrn import mrn_problem
from tests.cli.test_cli import (  # noqa: F401  (clinic, hearth, store: fixtures)
    NURSE_PASSWORD,
    clinic,
    hearth,
    refused,
    store,
)
from tests.conftest import new_store, password_of

ANN = ["--family", "Álvarez", "--given", "Ann", "--birth-date", "1980-03-14", "--sex", "female",
       "--phone", "555-201-3344"]


@pytest.fixture(scope="module")
def desk(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("patient-cli") / "store"
    env, _ = new_store(root, {"frank": ("Frank Desk", "front-desk"),
                              "bill": ("Bill Ing", "billing")})
    return env, root


def run(desk, monkeypatch, *args: str, user: str = "frank") -> int:
    env, root = desk
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, "patient", *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_add_prints_the_new_id_and_mrn_and_show_reads_it_back(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "add", *ANN, "--insurer", "Acme Health", "--member-id",
               "ACM-1", "--json") == 0
    added = json.loads(capsys.readouterr().out)
    assert added["candidates"] == [] and set(added["created"]) == {"id", "mrn"}
    assert mrn_problem(added["created"]["mrn"]) is None
    assert run(desk, monkeypatch, "show", added["created"]["id"], "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["name"], shown["mrn"], shown["phones"]) == (
        "Álvarez, Ann", added["created"]["mrn"], ["555-201-3344"])
    assert [(c["payer"], c["memberId"]) for c in shown["coverage"]] == [("Acme Health", "ACM-1")]
    assert run(desk, monkeypatch, "show", added["created"]["id"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Álvarez, Ann  female, born 1980-03-14\n")
    assert f"  MRN        {added['created']['mrn']}\n" in text
    assert "  Insurance  Acme Health, member ACM-1, Commercial insurance (CI) (active)\n" \
        in text


def test_the_payer_id_kind_and_policy_holder_are_stored_and_shown(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "add", "--family", "Mensah", "--given", "Kofi",
               "--birth-date", "2012-06-01", "--sex", "male", "--insurer", "Medicaid IL",
               "--member-id", "MCD-77", "--payer-id", "77027", "--payer-kind", "mc",
               "--relationship", "child", "--holder-family", "Mensah", "--holder-given",
               "Ama", "--holder-birth-date", "1984-02-10", "--holder-sex", "female",
               "--json") == 0
    patient = json.loads(capsys.readouterr().out)["created"]["id"]
    assert run(desk, monkeypatch, "show", patient, "--json") == 0
    (cover,) = json.loads(capsys.readouterr().out)["coverage"]
    assert (cover["payerId"], cover["payerKind"], cover["relationship"], cover["holder"]) == (
        "77027", "MC", "child", {"family": "Mensah", "given": "Ama", "birthDate": "1984-02-10",
                                 "sex": "female"})
    assert run(desk, monkeypatch, "show", patient) == 0
    assert ("  Insurance  Medicaid IL (payer id 77027), member MCD-77, Medicaid (MC); holder "
            "Mensah, Ama, born 1984-02-10, the patient's parent (active)\n"
            ) in capsys.readouterr().out


@pytest.mark.parametrize(("options", "said"), [
    (["--payer-id", "77-027", "--payer-kind", "XX"],
     "The payer id '77-027' may hold only letters and digits, as the payer publishes it. "
     "'XX' is not a kind of payer (an X12 claim filing indicator such as CI, MB, MA, 16, MC, "
     "BL)."),
    (["--relationship", "spouse", "--holder-given", "Ama", "--holder-birth-date", "1984-13-01"],
     "The policy holder's family name is missing. The policy holder's birth date "
     "'1984-13-01' is not a date (YYYY-MM-DD)."),
    (["--relationship", "cousin"],
     "Say how the patient is related to the policy holder: spouse, child or other."),
])
def test_a_bad_card_is_refused_with_the_forms_sentences(desk, monkeypatch, capsys, options,
                                                        said):
    assert run(desk, monkeypatch, "add", "--family", "Osei", "--given", "Yaw", "--birth-date",
               "1990-01-01", "--sex", "male", "--insurer", "Acme Health", "--member-id", "A1",
               *options) == 2
    assert said in capsys.readouterr().err


def test_a_possible_duplicate_creates_nothing_and_exits_7_unless_new(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "add", "--family", "Nguyen", "--given", "William",
               "--birth-date", "1971-07-02", "--sex", "male", "--json") == 0
    first = json.loads(capsys.readouterr().out)["created"]
    again = ["add", "--family", "Nguyen", "--given", "Bill", "--birth-date", "1971-02-07",
             "--sex", "male"]
    assert run(desk, monkeypatch, *again, "--json") == 7
    assert json.loads(capsys.readouterr().out) == {"created": None, "candidates": [{
        "id": first["id"], "name": "Nguyen, William", "birthDate": "1971-07-02",
        "why": "birth date with day and month swapped; same family name, given name a "
               "short form"}]}
    assert run(desk, monkeypatch, *again) == 7
    assert capsys.readouterr().out.startswith("Not registered: 1 patient may already be this "
                                              "person.")
    assert run(desk, monkeypatch, *again, "--new", "--json") == 0
    created = json.loads(capsys.readouterr().out)
    assert created["created"]["id"] != first["id"] and len(created["candidates"]) == 1


@pytest.mark.parametrize(("args", "said"), [
    (["--given", "Ann", "--birth-date", "1975-02-30", "--sex", "female"],
     "hearth: Missing or invalid input: The family name is missing. 1975-02-30 is not a date."
     "\n"),
    (["--family", "Lee", "--given", "Wei", "--birth-date", "2999-01-01", "--sex", "male"],
     "hearth: Missing or invalid input: The birth date 2999-01-01 is in the future.\n"),
    (["--family", "Lee", "--given", "Wei", "--birth-date", "1990-01-01", "--sex", "x",
      "--phone", "none"],
     "hearth: Missing or invalid input: 'x' is not a sex Hearth records: say male, female, "
     "other or unknown. The phone number 'none' has no digits.\n"),
])
def test_bad_input_exits_2_with_a_sentence_per_mistake(desk, monkeypatch, capsys, args, said):
    assert run(desk, monkeypatch, "add", *args) == 2
    assert capsys.readouterr().err == said


def test_other_numbers_are_stored_with_their_kind_and_shown(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "add", "--family", "Osei", "--given", "Kwame", "--birth-date",
               "1966-01-09", "--sex", "male", "--identifier", "passport=G1234567",
               "--identifier", "Previous clinic's MRN=OLD-77", "--json") == 0
    created = json.loads(capsys.readouterr().out)["created"]
    assert run(desk, monkeypatch, "show", created["id"], "--json") == 0
    numbers = json.loads(capsys.readouterr().out)["patient"]["identifier"][1:]
    assert numbers == [
        {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "PPN"}], "text": "Passport"},
         "system": "urn:hearth:identifier:passport", "value": "G1234567"},
        {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "MR"}], "text": "Previous clinic's MRN"},
         "system": "urn:hearth:identifier:previous-mrn", "value": "OLD-77"}]
    assert run(desk, monkeypatch, "show", created["id"]) == 0
    assert "  Number     G1234567 (Passport)\n" in capsys.readouterr().out


@pytest.mark.parametrize(("option", "said"), [
    ("Library card=12", "hearth: Missing or invalid input: 'Library card' is not a kind of "
                        "number this clinic records: National ID, Passport, Driver's licence, "
                        "Previous clinic's MRN, US Social Security number, US Medicare "
                        "number.\n"),
    ("G1234567", "hearth: Missing or invalid input: --identifier 'G1234567' must be "
                 "KIND=NUMBER, e.g. \"National ID=X1234567\".\n"),
    ("Passport=", "hearth: Missing or invalid input: The Passport has no number.\n"),
])
def test_an_unknown_kind_or_a_missing_number_is_named(desk, monkeypatch, capsys, option, said):
    assert run(desk, monkeypatch, "add", *ANN, "--identifier", option) == 2
    assert capsys.readouterr().err == said


def test_billing_may_not_register_and_is_told_which_permission(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "add", *ANN, user="bill") == 4
    assert "may not register and edit patients" in capsys.readouterr().err


def test_show_of_an_unknown_patient_or_a_mistyped_mrn_is_one_line(desk, monkeypatch, capsys):
    assert run(desk, monkeypatch, "show", "nobody") == 1
    assert capsys.readouterr().err == "hearth: Not found: There is no patient nobody.\n"
    assert run(desk, monkeypatch, "show", "K7Q2MX-000132-17") == 2
    assert capsys.readouterr().err == ("hearth: Missing or invalid input: K7Q2MX-000132-17 is "
                                       "not a valid MRN: its check digits do not match, so a "
                                       "character was mistyped.\n")


def test_the_exit_code_7_reaches_a_script_from_outside(clinic):  # noqa: F811
    nina = ["--user", "nina", "patient", "add", "--family", "Okafor", "--given", "Amara",
            "--birth-date", "2001-06-09", "--sex", "female"]
    assert clinic(*nina, password=NURSE_PASSWORD).returncode == 0
    again = clinic(*nina, "--json", password=NURSE_PASSWORD)
    assert again.returncode == 7, again.stderr
    assert json.loads(again.stdout)["created"] is None
    refused(clinic("--user", "nina", "patient", "show", "nobody", password=NURSE_PASSWORD), 1,
            "There is no patient nobody")
