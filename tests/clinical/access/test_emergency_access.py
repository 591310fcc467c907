"""Restricted charts: the care team reads them, anyone else breaks the glass (a reason, the
password again, a window of time) and an auditor reviews each emergency access."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.gate import REFUSED, ChartRestricted
from app.clinical.access.restricted import Restriction
from app.clinical.access.review import EmergencyReview
from app.clinical.patients.demographics import Demographics
from app.errors import NotFound, PermissionDenied, UsageError, WrongPassword
from tests.conftest import new_store, password_of

USERS = {"doc": ("Elena Ortiz", "physician"), "gp": ("Gil Parr", "physician"),
         "nina": ("Nina Nurse", "nurse"), "desk": ("Frank Desk", "front-desk"),
         "bill": ("Bill Ing", "billing"), "audrey": ("Audrey Tor", "auditor")}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("break-glass") / "store"
    env, _ = new_store(root, USERS)
    stations = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    yield stations
    for station in stations.values():
        station.store.close()


@pytest.fixture
def patient(clinic):
    """A patient whose chart Dr Ortiz restricted after seeing her today."""
    desk, doc = clinic["desk"], clinic["doc"]
    pid = desk.patients.register(desk.session, {
        "resourceType": "Patient", "name": [{"family": "Quiet", "given": ["Rosa"]}]})["id"]
    doc.encounters.start_visit(doc.session, pid)
    Restriction(doc.store, doc.policy.access).set(doc.session, pid, True)
    return pid


def glass(ws, clock=None) -> BreakGlass:
    return BreakGlass(ws.store, ws.policy, **({"clock": clock} if clock else {}))


def audit_rows(ws, pid: str) -> list[tuple[str, str, str, str]]:
    """(user, action, outcome, the detail's first two words) of the patient's trail."""
    with ws.store.read() as conn:
        return [(u, a, o, " ".join((d or "").split()[:2])) for u, a, o, d in conn.execute(text(
            "SELECT user, action, outcome, detail FROM audit WHERE patient = :p ORDER BY seq"),
            {"p": pid})]


def test_a_nurse_outside_the_care_team_is_refused_and_the_refusal_audited(clinic, patient):
    nina = clinic["nina"]
    with pytest.raises(ChartRestricted) as refused:
        nina.chart.summary(nina.session, patient)
    assert refused.value.message == REFUSED
    assert ("nina", "read", "refused", "This chart") in audit_rows(nina, patient)


def test_a_physician_with_a_visit_in_the_last_30_days_reads_without_the_glass(clinic, patient):
    doc = clinic["doc"]
    assert doc.chart.summary(doc.session, patient).patient["id"] == patient


def test_breaking_the_glass_opens_the_chart_and_is_audited(clinic, patient):
    nina = clinic["nina"]
    grant = glass(nina).open(nina.session, patient, "Emergency care", "collapsed in clinic",
                             password_of("nina"))
    assert grant.end - grant.start == timedelta(hours=4)
    assert nina.chart.summary(nina.session, patient).patient["id"] == patient
    assert ("nina", "create", "success", "emergency access:") in audit_rows(nina, patient)


def test_after_the_window_the_chart_is_refused_saying_when_it_ended(clinic, patient):
    gp = clinic["gp"]
    five_hours_ago = datetime.now(UTC) - timedelta(hours=5)
    grant = glass(gp, lambda: five_hours_ago).open(
        gp.session, patient, "Covering for a colleague", "", password_of("gp"))
    ended = grant.end.astimezone().strftime("%H:%M")
    with pytest.raises(ChartRestricted) as refused:
        gp.chart.section(gp.session, patient, "problems")
    assert refused.value.message == f"Your emergency access to this chart ended at {ended}."


@pytest.mark.parametrize(("reason", "words", "sentence"), [
    ("", "", "Say why you are breaking the glass: choose a reason (Emergency care, Covering "
             "for a colleague, Patient asked me to, Other)."),
    ("Other", "  ", "Say in your own words why you need this chart (the reason is Other)."),
    ("Curious", "", "'Curious' is not one of the reasons: Emergency care, Covering for a "
                    "colleague, Patient asked me to, Other."),
])
def test_a_reason_is_needed(clinic, patient, reason, words, sentence):
    nina = clinic["nina"]
    with pytest.raises(UsageError) as refused:
        glass(nina).open(nina.session, patient, reason, words, password_of("nina"))
    assert refused.value.message == sentence
    with pytest.raises(ChartRestricted):
        nina.chart.summary(nina.session, patient)


def test_a_wrong_password_breaks_nothing(clinic, patient):
    nina = clinic["nina"]
    with pytest.raises(WrongPassword, match="That is not your password"):
        glass(nina).open(nina.session, patient, "Emergency care", "", "guess")
    assert ("nina", "read", "failure", "emergency access") in audit_rows(nina, patient)
    with pytest.raises(ChartRestricted):
        nina.chart.summary(nina.session, patient)


@pytest.mark.parametrize("user", ["desk", "bill"])
def test_front_desk_and_billing_never_break_the_glass(clinic, patient, user):
    ws = clinic[user]
    with pytest.raises(PermissionDenied, match="may not read the clinical chart"):
        glass(ws).open(ws.session, patient, "Emergency care", "", password_of(user))


def test_the_front_desk_still_reads_demographics_for_booking(clinic, patient):
    desk = clinic["desk"]
    shown = Demographics(desk.store).read(desk.session, patient)
    assert shown.patient["name"][0]["family"] == "Quiet"


def test_only_the_policy_role_marks_a_chart_restricted(clinic, patient):
    for user in ("nina", "audrey"):
        ws = clinic[user]
        with pytest.raises(PermissionDenied, match="only physician may mark"):
            Restriction(ws.store, ws.policy.access).set(ws.session, patient, False)


def test_unrestricted_the_chart_opens_to_the_nurse_again(clinic, patient):
    doc, nina = clinic["doc"], clinic["nina"]
    Restriction(doc.store, doc.policy.access).set(doc.session, patient, False)
    assert nina.chart.summary(nina.session, patient).patient["id"] == patient


def test_the_auditor_reviews_an_emergency_access_and_changes_nothing_else(clinic, patient):
    nina, audrey = clinic["nina"], clinic["audrey"]
    grant = glass(nina).open(nina.session, patient, "Patient asked me to", "phoned",
                             password_of("nina"))
    review = EmergencyReview(audrey.store)
    waiting = {a.task_id: a for a in review.list(audrey.session)}
    assert waiting[grant.task_id].clinician == "Nina Nurse (nina)"
    assert waiting[grant.task_id].reason == "Patient asked me to: phoned"
    with pytest.raises(UsageError, match="Say why you escalate"):
        review.decide(audrey.session, grant.task_id, "escalated", "")
    review.decide(audrey.session, grant.task_id, "reviewed", "patient confirmed the call")
    assert grant.task_id not in {a.task_id for a in review.list(audrey.session)}
    done = {a.task_id: a for a in review.list(audrey.session, include_done=True)}
    assert done[grant.task_id].outcome == "reviewed"
    with pytest.raises(UsageError, match="already reviewed"):
        review.decide(audrey.session, grant.task_id, "escalated", "again")
    with pytest.raises(NotFound):
        review.decide(audrey.session, patient, "reviewed", "")
    with pytest.raises(PermissionDenied):
        audrey.chart.summary(audrey.session, patient)


def test_charting_into_the_restricted_chart_is_refused_too(clinic, patient):
    nina = clinic["nina"]
    with pytest.raises(ChartRestricted):
        nina.encounters.start_visit(nina.session, patient)  # joining a visit: the care team
