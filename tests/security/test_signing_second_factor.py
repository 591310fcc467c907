"""A note's signature with two factors (the policy's mfa.at_signing "code"): the password
and the authenticator's code, each checked, the code used once and audited with what it
was for; the default policy signs with the password alone."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.bootstrap import open_workstation
from app.clinical.notes.notes import Notes
from app.security.mfa import WrongCode
from tests.conftest import password_of
from tests.security.test_mfa import MFA_POLICY, audit_details, code_at, enrolled
from tests.sync.stations import patient

TWO_FACTOR_SIGNING = replace(MFA_POLICY, mfa=replace(MFA_POLICY.mfa, at_signing="code"))


@pytest.fixture
def drafted(admin, env, store_dir):
    """Dr Lee, enrolled, with a draft note for a new patient."""
    admin.users.add(admin.session, "drlee", "Dr Lee", "physician", password_of("drlee"))
    ws = open_workstation(replace(env, policy=TWO_FACTOR_SIGNING), store_dir, "drlee",
                          password_of("drlee"))
    _, enrolment = enrolled(ws)
    notes = Notes(ws.store, TWO_FACTOR_SIGNING)
    patient_id = ws.patients.register(ws.session, patient("Signer"))["id"]
    draft = notes.start_draft(ws.session, patient_id, "soap")
    notes.save_draft(ws.session, draft.id, draft.text + "Reviewed.")
    yield ws, notes, draft, enrolment.secret
    ws.store.close()


def test_signing_asks_the_code_beside_the_password_and_audits_what_it_was_for(drafted):
    ws, notes, draft, secret = drafted
    assert notes.asks_code(ws.session)

    with pytest.raises(WrongCode, match="asks for the 6-digit code .* nothing was signed"):
        notes.sign(ws.session, draft.id, password_of("drlee"))
    with pytest.raises(WrongCode):
        notes.sign(ws.session, draft.id, password_of("drlee"), code="000000")
    assert [d.id for d in notes.drafts(ws.session, draft.patient_id)] == [draft.id]  # kept

    signed = notes.sign(ws.session, draft.id, password_of("drlee"),
                        code=code_at(secret, datetime.now(UTC)))
    assert signed.signed_by == "Dr Lee"
    assert [d for _, outcome, _, d in audit_details(ws, "login") if outcome == "success"][-1] \
        == "second factor (signing a note): code"


def test_the_default_policy_signs_with_the_password_alone(drafted):
    ws, _, draft, _ = drafted
    notes = Notes(ws.store, MFA_POLICY)  # at_signing "password"
    assert not notes.asks_code(ws.session)
    assert notes.sign(ws.session, draft.id, password_of("drlee")).signed_by == "Dr Lee"
