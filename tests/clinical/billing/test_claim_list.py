"""The claims list billing's Claims tab shows (Claims.rows): who each claim bills, and for a
draft, the sentence Submit would refuse it with (a line without a fee included), so the
list says "ready" only of a claim Submit would take; and a claim's details as its superbill
shows them."""

import pytest

from app.clinical.billing.claim_details import ClaimReader
from app.clinical.billing.claims import Claims
from app.clinical.billing.fees import CPT, HCPCS
from app.errors import NotFound
from app.security.policy import BillingPolicy
from tests.clinical.billing.test_claims import coded_visit, office, save_as  # noqa: F401


def listed(office, claim_id: str):
    return next(r for r in Claims(office.biller.store).rows(office.biller.session)
                if r.claim_id == claim_id)


def test_each_claim_names_its_payer_and_a_draft_says_why_it_cannot_go(office):
    insured = coded_visit(office, "enc1")
    unpriced = coded_visit(office, "enc2", lines=(("G0008", HCPCS, 1, [1]),))
    self_paid = coded_visit(office, "enc3", insured=False, lines=(("99213", CPT, 1, [1]),))
    assert (listed(office, insured["id"]).payer, listed(office, insured["id"]).not_ready) \
        == ("Acme Health", None)
    assert listed(office, unpriced["id"]).not_ready == (
        "Line 1 (G0008) has no fee in the fee schedule: add one in the Admin tab's fee "
        "schedule.")
    assert listed(office, self_paid["id"]).payer is None  # self-pay


def test_an_imported_claim_naming_its_insurer_only_is_not_called_self_pay(office):
    claim = dict(coded_visit(office, "enc9"), id="imported-1", status="active",
                 insurance=[{"sequence": 1, "focal": True, "coverage": {"display": "private"}}])
    save_as(office.doctor, claim)
    assert listed(office, "imported-1").payer == "private"


def test_no_claim_by_that_id_is_said_and_the_failed_read_audited(office):
    reader = ClaimReader(office.biller.store, BillingPolicy())
    with pytest.raises(NotFound, match="^There is no claim claim-none.$"):
        reader.details(office.biller.session, "claim-none")
    with office.biller.store.read() as conn:
        audited = conn.exec_driver_sql(
            "SELECT outcome FROM audit WHERE entity = 'Claim/claim-none'").all()
    assert audited == [("failure",)]
