"""`hearth fees` and `hearth claims` as billing and the admin meet them: a fee CSV with a bad
row named, claims listed as JSON, a claim submitted, answered, and sent as an 837P that
pyx12 finds no error in; each bad input a sentence."""

import dataclasses
import json

from app.cli.commands import main
from app.clinical.billing.fees import HCPCS
from tests.clinical.billing.test_837 import CLINIC, pyx12_errors
from tests.clinical.billing.test_claims import coded_visit, office  # noqa: F401
from tests.conftest import ADMIN_PASSWORD, password_of


def hearth(env, store_dir, monkeypatch, *args: str, user: str = "bill") -> int:
    monkeypatch.setenv("HEARTH_PASSWORD",
                       ADMIN_PASSWORD if user == "admin" else password_of(user))
    clinic = dataclasses.replace(env, policy=dataclasses.replace(env.policy, billing=CLINIC))
    try:
        return main(["--store", str(store_dir), "--user", user, *args], env=clinic)
    except SystemExit as parsed:
        return parsed.code


def test_fees_import_names_the_bad_row_and_lists_the_rest_with_their_digits(
        office, env, store_dir, monkeypatch, capsys, tmp_path):
    source = tmp_path / "fees.csv"
    source.write_text("code,system,description,payer,amount,currency\n"
                      "99395,cpt,Preventive visit 18-39,default,150.00,USD\n"
                      "99396,cpt,Preventive visit 40-64,default,1.234,USD\n")

    assert hearth(env, store_dir, monkeypatch, "fees", "import", str(source),
                  user="admin") == 1
    assert capsys.readouterr().out.splitlines() == [
        "Row 3: the amount '1.234' must be zero or more, with at most 2 decimal places; "
        "left out.", f"Set 1 fee(s) from {source}; 1 row(s) left out."]
    assert hearth(env, store_dir, monkeypatch, "fees", "list", "--json") == 0
    listed = {(f["code"], f["payer"]): f["amount"] for f in json.loads(capsys.readouterr().out)}
    assert listed[("99395", "default")] == "150.00"
    assert listed[("99213", "default")] == "75.50"


def test_billing_submits_records_and_exports_claims(office, env, store_dir, monkeypatch,
                                                    capsys, tmp_path):
    for n, day in enumerate(("2026-03-02", "2026-03-03", "2026-03-04"), 1):
        coded_visit(office, f"enc{n}", day)
        assert hearth(env, store_dir, monkeypatch, "claims", "submit", f"claim-enc{n}") == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Submitted claim claim-enc1: total 77.50 USD.")
    output = tmp_path / "batch.837"

    assert hearth(env, store_dir, monkeypatch, "claims", "export-837", "--since",
                  "2026-03-01", "--output", str(output)) == 0
    assert pyx12_errors(output) == []
    assert hearth(env, store_dir, monkeypatch, "claims", "status", "claim-enc2", "denied",
                  "--reason", "CO-16: missing information") == 0
    capsys.readouterr()
    assert hearth(env, store_dir, monkeypatch, "claims", "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["claim"], r["patient"]["name"], r["visit_date"], r["status"], r["total"],
             r["payer"]) for r in rows] == [
        ("claim-enc3", "Okafor, Ann", "2026-03-04", "sent", "77.50", "Acme Health"),
        ("claim-enc2", "Okafor, Ann", "2026-03-03", "denied", "77.50", "Acme Health"),
        ("claim-enc1", "Okafor, Ann", "2026-03-02", "sent", "77.50", "Acme Health")]
    assert hearth(env, store_dir, monkeypatch, "claims", "list") == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "2026-03-03 DENIED             77.50 USD  Okafor, Ann; Acme Health; claim claim-enc2 "
        "(CO-16: missing information)")


def test_claims_list_names_the_payer_and_why_a_draft_is_not_ready(office, env, store_dir,
                                                                  monkeypatch, capsys):
    coded_visit(office, "enc1", "2026-03-02")
    coded_visit(office, "enc2", "2026-03-03", insured=False,
                lines=(("G0008", HCPCS, 1, [1]),))
    assert hearth(env, store_dir, monkeypatch, "claims", "list", "--json") == 0
    rows = {r["claim"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["claim-enc1"]["payer"], rows["claim-enc1"]["not_ready"]) == (
        "Acme Health", None)
    assert (rows["claim-enc2"]["payer"], rows["claim-enc2"]["not_ready"]) == (
        None, "Line 1 (G0008) has no fee in the fee schedule: add one in the Admin tab's fee "
              "schedule.")
    assert hearth(env, store_dir, monkeypatch, "claims", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "2026-03-03 DRAFT             not priced  Okafor, Ann; self-pay; claim claim-enc2 (not "
        "ready: Line 1 (G0008) has no fee in the fee schedule: add one in the Admin tab's fee "
        "schedule.)",
        "2026-03-02 READY             not priced  Okafor, Ann; Acme Health; claim claim-enc1"]


def test_bad_input_is_one_sentence(office, env, store_dir, monkeypatch, capsys, tmp_path):
    coded_visit(office, "enc1", diagnoses=())  # no diagnosis: lines point at nothing there
    assert hearth(env, store_dir, monkeypatch, "claims", "submit", "claim-enc1") == 2
    assert capsys.readouterr().err.strip() == (
        "hearth: Nothing billed: Claim claim-enc1 is not ready to bill. The claim has no "
        "diagnosis: add at least one ICD-10-CM code (the first is the primary). Line 1 (99213) "
        "points at diagnosis 1, 2, which the claim does not have. Line 2 (J1100) points at "
        "diagnosis 1, which the claim does not have.")
    assert hearth(env, store_dir, monkeypatch, "claims", "export-837", "--since",
                  "2026-13-01", "--output", str(tmp_path / "x.837")) == 2
    assert "'2026-13-01' is not a date: write YYYY-MM-DD" in capsys.readouterr().err
    assert hearth(env, store_dir, monkeypatch, "claims", "status", "claim-enc1",
                  "denied") == 2
    assert capsys.readouterr().err.strip() == (
        "hearth: Missing or invalid input: Say why the claim was denied: the payer's reason.")
    not_json = tmp_path / "era.json"
    not_json.write_text("ISA*00*...")
    assert hearth(env, store_dir, monkeypatch, "claims", "import-response", str(not_json)) == 2
    assert capsys.readouterr().err.strip() == (
        f"hearth: Missing or invalid input: {not_json} is not JSON: give a FHIR ClaimResponse "
        "file.")
    not_ours = tmp_path / "other.json"
    not_ours.write_text(json.dumps({"resourceType": "ClaimResponse", "id": "x",
                                    "request": {"reference": "Claim/claim-nowhere"}}))
    assert hearth(env, store_dir, monkeypatch, "claims", "import-response", str(not_ours)) == 1
    assert capsys.readouterr().err.strip() == "hearth: Not found: There is no claim claim-nowhere."
