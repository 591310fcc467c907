"""Submitting a claim asks what the coding dialog and the To code tab ask
(app.clinical.billing.ready_to_bill): a visit whose note is unsigned is not billed, and the
Claims list's "ready" agrees with Submit. Claims made by other systems are listed as
imported, never submitted nor sent in an 837P."""

from decimal import Decimal

import pytest

from app.clinical.billing.claims import ClaimRefused, Claims
from app.clinical.billing.coding import Coding, Line, VisitCoding
from tests.clinical.billing.test_837 import export, submitted
from tests.clinical.billing.test_claims import coded_visit, office, save_as  # noqa: F401
from tests.conftest import password_of

INJECTION = Coding(("E11.9",), (Line("J1100", pointers=(1,)),))


def listed(office, claim_id: str):
    return next(r for r in Claims(office.biller.store).rows(office.biller.session)
                if r.claim_id == claim_id)


def test_a_visit_with_an_unsigned_note_is_submitted_only_once_it_is_signed(office):
    doc = office.doctor
    visit = doc.encounters.start_visit(doc.session, office.patient_id)["id"]
    doc.encounters.finish_visit(doc.session, visit)
    draft = doc.notes.start_draft(doc.session, office.patient_id, "progress",
                                  encounter_id=visit)
    coded = VisitCoding(doc.store).code(doc.session, visit, INJECTION)
    unsigned = (f"The note '{draft.title}' by Drlee is not signed yet: it must be signed "
                "before the visit is billed.")
    assert coded.blocks == [unsigned]  # what the coding dialog and To code show
    claims = Claims(office.biller.store)

    with pytest.raises(ClaimRefused) as refused:
        claims.submit(office.biller.session, f"claim-{visit}")

    assert str(refused.value) == f"Claim claim-{visit} is not ready to bill. {unsigned}"
    assert listed(office, f"claim-{visit}").not_ready == unsigned  # the list: not "ready"
    doc.notes.save_draft(doc.session, draft.id, "Dexamethasone given.")
    doc.notes.sign(doc.session, draft.id, password_of("drlee"))
    assert listed(office, f"claim-{visit}").not_ready is None
    assert claims.submit(office.biller.session, f"claim-{visit}")["status"] == "active"


def test_a_claim_from_another_system_is_listed_as_imported_and_never_billed(office,
                                                                          tmp_path):
    ours = submitted(office, "enc1", "2026-03-02")
    theirs = dict(ours, id="5f1c0d52-imported")  # as Synthea's: its own id, priced, active
    save_as(office.doctor, theirs)
    assert listed(office, theirs["id"]).status == "imported"
    with pytest.raises(ClaimRefused, match="^Claim 5f1c0d52-imported was imported from "
                       "another system, not coded here: Hearth does not submit it.$"):
        Claims(office.biller.store).submit(office.biller.session, theirs["id"])
    with pytest.raises(ClaimRefused, match="^Claim 5f1c0d52-imported was imported from "
                       "another system, not coded here: record its answers there.$"):
        Claims(office.biller.store).record(office.biller.session, theirs["id"], "paid",
                                           Decimal("10.00"))
    batch = export(office, tmp_path / "batch.837")
    assert batch.claims == ["claim-enc1"]
    assert "5f1c0d52" not in (tmp_path / "batch.837").read_text()
