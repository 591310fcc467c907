"""The X12 837P of a batch of submitted claims, checked by an independent parser: pyx12's
005010X222A1 map finds no error in a batch of 3 claims (and in one of a patient on their
own plan, one on a spouse's and one on Medicare); a claim that is not ready to bill
refuses the batch with a sentence before any file is written."""

import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path

import pytest
from pyx12.params import params
from pyx12.x12n_document import x12n_document

from app.clinical.billing.claims import ClaimRefused, Claims
from app.clinical.billing.x12_837 import export_837
from app.clinical.patients.insurance_card import Insurance, PolicyHolder, coverage_of
from app.clinical.records import Records
from app.errors import UsageError
from app.security.policy import BillingPolicy, Policy
from app.security.roles import Permission
from tests.clinical.billing.test_claims import coded_visit, office, save_as  # noqa: F401

CLINIC = BillingPolicy(organization_name="Riverside Family Practice", npi="1234567893",
                       tax_id="123456789", address_line="100 Main St", city="Springfield",
                       state="IL", postal_code="62701", phone="217-555-0100",
                       submitter_id="RIVERSIDE01", receiver_name="Clearing House",
                       receiver_id="CLEARHOUSE")


def pyx12_errors(path: Path) -> list[str]:
    """What pyx12's 837P map finds wrong with the file: every error at every level of its
    JSON report, plus a note when it calls the file invalid without naming one."""
    report, ack = io.StringIO(), io.StringIO()
    valid = x12n_document(params(), str(path), ack, None, fd_json=report)
    found = list(_errors(json.loads(report.getvalue() or "{}")))
    return found if found or valid else ["pyx12 found the file invalid"]


def _errors(node) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors":
                yield from (json.dumps(e) for e in value)
            else:
                yield from _errors(value)
    elif isinstance(node, list):
        for value in node:
            yield from _errors(value)


def submitted(office, encounter: str, day: str) -> dict:
    claim = coded_visit(office, encounter, day)
    return Claims(office.biller.store).submit(office.biller.session, claim["id"])


def export(office, output: Path, since: str = "2026-03-01"):
    biller = office.biller
    return export_837(Records(biller.store, biller.changes), biller.session,
                      date.fromisoformat(since), CLINIC, output, datetime(2026, 3, 10, 9, 30))


def test_three_claims_make_an_837p_that_pyx12_finds_no_error_in(office, tmp_path):
    for n, day in enumerate(("2026-03-02", "2026-03-03", "2026-03-04"), 1):
        submitted(office, f"enc{n}", day)
    output = tmp_path / "batch.837"

    batch = export(office, output)

    assert batch.claims == ["claim-enc1", "claim-enc2", "claim-enc3"]
    assert batch.notes == ["Acme Health has no payer id on the patients' coverage, so its "
                           "name was sent as the id (claims claim-enc1, claim-enc2, claim-enc3)."]
    assert pyx12_errors(output) == []
    segments = output.read_text().split("~\n")
    assert [s for s in segments if s.startswith("CLM")] == [
        f"CLM*enc{n}*77.5***11:B:1*Y*A*Y*Y" for n in (1, 2, 3)]
    assert segments.count("HI*ABK:E119*ABF:I10") == 3
    assert "SV1*HC:99213:25*68.1*UN*1***1:2" in segments
    assert "SV1*HC:J1100*9.4*UN*4***1" in segments
    assert "NM1*85*2*RIVERSIDE FAMILY PRACTICE*****XX*1234567893" in segments
    assert "NM1*IL*1*OKAFOR*ANN****MI*ACM123456" in segments
    assert segments[0].split("*")[13] == segments[-2].split("*")[2] == f"{batch.control_number:09d}"


def insured(office, family: str, given: str, born: str, card: Insurance):
    """`office` with another patient (an address in Springfield) holding `card`."""
    patient = office.doctor.patients.register(office.doctor.session, {
        "resourceType": "Patient", "name": [{"family": family, "given": [given]}],
        "birthDate": born, "gender": "male",
        "address": [{"line": ["9 Elm Rd"], "city": "Springfield", "state": "IL",
                     "postalCode": "62704"}]})
    coverage = coverage_of(card, patient["id"])
    save_as(office.doctor, coverage)
    return dataclasses.replace(office, patient_id=patient["id"], coverage_id=coverage["id"])


def test_own_plan_a_spouses_plan_and_medicare_make_an_837p_pyx12_finds_no_error_in(
        office, tmp_path):
    submitted(office, "enc1", "2026-03-02")  # Ann, her own plan, no payer id
    spouse = PolicyHolder("Diaz", "Carmen", "1962-07-09", "female")
    submitted(insured(office, "Diaz", "Bo", "1961-01-02", Insurance(
        "Acme Health", "ACM777", "G7", "60054", "CI", "spouse", spouse)), "enc2", "2026-03-03")
    submitted(insured(office, "Reyes", "Cy", "1950-04-05", Insurance(
        "Medicare Part B", "1EG4TE5MK73", payer_id="00952", kind="MB")), "enc3", "2026-03-04")
    output = tmp_path / "batch.837"

    batch = export(office, output)

    assert pyx12_errors(output) == []
    segments = output.read_text().split("~\n")
    loops = [s for s in segments if s.split("*")[0] in ("HL", "SBR", "PAT", "NM1", "DMG")]
    assert loops[loops.index("HL*2*1*22*0"):] == [
        "HL*2*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*OKAFOR*ANN****MI*ACM123456",
        "DMG*D8*19600501*F", "NM1*PR*2*ACME HEALTH*****PI*ACME HEALTH",
        "HL*3*1*22*1", "SBR*P**G7******CI", "NM1*IL*1*DIAZ*CARMEN****MI*ACM777",
        "DMG*D8*19620709*F", "NM1*PR*2*ACME HEALTH*****PI*60054",
        "HL*4*3*23*0", "PAT*01", "NM1*QC*1*DIAZ*BO", "DMG*D8*19610102*M",
        "HL*5*1*22*0", "SBR*P*18*******MB", "NM1*IL*1*REYES*CY****MI*1EG4TE5MK73",
        "DMG*D8*19500405*M", "NM1*PR*2*MEDICARE PART B*****PI*00952"]
    assert batch.notes == ["Acme Health has no payer id on the patients' coverage, so its "
                           "name was sent as the id (claims claim-enc1)."]


def test_a_dependents_claim_whose_coverage_names_no_holder_is_refused(office, tmp_path):
    bo = insured(office, "Diaz", "Bo", "1961-01-02", Insurance("Acme Health", "ACM777"))
    with Records(office.doctor.store).write(office.doctor.session,
                                            Permission.CODE_VISITS) as work:
        card = work.get("Coverage", bo.coverage_id)
        work.save(dict(card, relationship={"coding": [{"code": "child"}]}), "update")
    submitted(bo, "enc1", "2026-03-02")
    with pytest.raises(ClaimRefused, match="Claim claim-enc1 is not ready to bill: the "
                       r"coverage names no policy holder \(the patient is not the subscriber\)."):
        export(office, tmp_path / "batch.837")


def test_a_patient_without_an_address_is_named_before_export(office, tmp_path):
    bo = office.doctor.patients.register(office.doctor.session, {
        "resourceType": "Patient", "name": [{"family": "Diaz", "given": ["Bo"]}],
        "birthDate": "1990-01-02"})
    submitted(dataclasses.replace(office, patient_id=bo["id"]), "enc1", "2026-03-02")
    with pytest.raises(ClaimRefused, match="Claim claim-enc1 is not ready to bill: the "
                       r"patient's address \(street, city, state, ZIP\) is incomplete."):
        export(office, tmp_path / "batch.837")


def test_pyx12_names_what_a_damaged_837p_lacks(office, tmp_path):
    submitted(office, "enc1", "2026-03-02")
    output = tmp_path / "batch.837"
    export(office, output)
    output.write_text(output.read_text().replace("HI*ABK:E119*ABF:I10~\n", ""))
    assert pyx12_errors(output) != []  # the check above can fail


def test_the_rendering_clinicians_own_npi_is_named_when_they_have_one(office, tmp_path):
    save_as(office.doctor, {"resourceType": "Practitioner", "id": "dr-lee",
                            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi",
                                            "value": "1245319599"}],
                            "name": [{"family": "Lee", "given": ["Dana"]}]})
    claim = coded_visit(office, "enc1", "2026-03-02",
                        provider={"reference": "Practitioner/dr-lee"})
    Claims(office.biller.store).submit(office.biller.session, claim["id"])
    output = tmp_path / "batch.837"
    export(office, output)
    assert "NM1*82*1*LEE*DANA****XX*1245319599" in output.read_text().split("~\n")
    assert pyx12_errors(output) == []


def test_a_claim_goes_out_once_and_each_batch_is_numbered_next(office, tmp_path):
    submitted(office, "enc1", "2026-03-02")
    first = export(office, tmp_path / "one.837")
    submitted(office, "enc2", "2026-03-03")
    second = export(office, tmp_path / "two.837")
    assert second.control_number == first.control_number + 1
    assert second.claims == ["claim-enc2"]
    assert second.notes[0] == "1 claim(s) sent in an earlier batch were left out."
    with pytest.raises(UsageError, match=r"No submitted claim with a visit since 2026-03-01 "
                       r"is waiting to be sent \(2 sent in earlier batches\)."):
        export(office, tmp_path / "three.837")
    assert not (tmp_path / "three.837").exists()


def test_a_claim_missing_a_diagnosis_is_refused_before_export(office, tmp_path):
    submitted(office, "enc1", "2026-03-02")
    coded_visit(office, "enc2", "2026-03-03", diagnoses=(), status="active",  # as synced
                lines=(("99213", "http://www.ama-assn.org/go/cpt", 1, []),))
    output = tmp_path / "batch.837"

    with pytest.raises(ClaimRefused) as refused:
        export(office, output)

    assert str(refused.value) == (
        "Claim claim-enc2 is not ready to bill: it has no diagnosis; line 1 (99213) points at "
        "no diagnosis; it is not priced.")
    assert not output.exists()


def test_an_export_names_the_billing_settings_the_policy_lacks(office, tmp_path):
    submitted(office, "enc1", "2026-03-02")
    biller = office.biller
    with pytest.raises(UsageError, match=r"The policy's billing section must name "
                       r"billing.npi, billing.tax_id before claims can be sent as an 837P."):
        export_837(Records(biller.store), biller.session, date(2026, 3, 1),
                   dataclasses.replace(CLINIC, npi=None, tax_id=None), tmp_path / "x.837")
    assert not (tmp_path / "x.837").exists()


def test_a_policy_with_a_mistyped_npi_is_refused_with_a_sentence():
    policy = json.loads(files("hearth_resources").joinpath("default-policy.json").read_bytes())
    policy["billing"] = {"organization_name": "Riverside", "npi": "1234567890"}
    with pytest.raises(UsageError, match="The policy's billing.npi is '1234567890'; an NPI is "
                       "10 digits whose last is the check digit."):
        Policy.from_json(json.dumps(policy).encode())
    policy["billing"]["npi"] = "1234567893"
    assert Policy.from_json(json.dumps(policy).encode()).billing.npi == "1234567893"
