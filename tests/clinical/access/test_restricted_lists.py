"""Lists spanning patients and restricted charts: a physician outside one patient's care
team still gets the rest of the clinic's results queue, with a count of those left out
(never read); the auditor's queue lists those awaiting review before the decided ones."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.restricted import Restriction
from app.clinical.access.review import EmergencyReview
from app.clinical.results.inbox import Inbox
from tests.conftest import ADMIN_PASSWORD, new_store, password_of
from tests.sync.stations import patient
from tests.ui.inbox.test_results_inbox import lab_report

USERS = {"doc": ("Elena Ortiz", "physician"), "gp": ("Gil Parr", "physician"),
         "nina": ("Nina Nurse", "nurse"), "audrey": ("Audrey Tor", "auditor")}


@pytest.fixture
def clinic(keyring_session, tmp_path):
    root = tmp_path / "store"
    env, _ = new_store(root, USERS)
    stations = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    stations["admin"] = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    stations["where"] = (env, root)
    yield stations
    for user in [*USERS, "admin"]:
        stations[user].store.close()


def clinic_queue_results(clinic, tmp_path) -> tuple[str, str]:
    """Two patients' results for orders not here (the clinic queue); Dr Ortiz, seeing the
    second today, restricts her chart."""
    doc, admin = clinic["doc"], clinic["admin"]
    open_id = doc.patients.register(doc.session, patient("Adeyemi"))["id"]
    shut_id = doc.patients.register(doc.session, patient("Quiet"))["id"]
    doc.encounters.start_visit(doc.session, shut_id)
    Restriction(doc.store, doc.policy.access).set(doc.session, shut_id, True)
    path = tmp_path / "lab.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": r} for r in lab_report(open_id, "a", "ServiceRequest/elsewhere-1")
        + lab_report(shut_id, "b", "ServiceRequest/elsewhere-2")]}))
    admin.importer.run(admin.session, [path])
    return open_id, shut_id


def test_a_restricted_charts_results_are_left_out_not_the_whole_queue(clinic, tmp_path):
    open_id, shut_id = clinic_queue_results(clinic, tmp_path)
    gp, doc = clinic["gp"], clinic["doc"]

    items = Inbox(gp.store).open_items(gp.session)
    assert [i.patient_id for i in items] == [open_id] and items.withheld == 1
    with gp.store.read() as conn:
        read = conn.execute(text("SELECT count(*) FROM audit WHERE user = 'gp' AND "
                                 "patient = :p"), {"p": shut_id}).scalar_one()
    assert read == 0  # left out unread: nothing of her chart was read, so nothing refused

    mine = Inbox(doc.store).open_items(doc.session)  # on her care team: both, none withheld
    assert {i.patient_id for i in mine} == {open_id, shut_id} and mine.withheld == 0


def test_the_inbox_count_is_of_the_items_the_user_can_see(clinic, tmp_path):
    open_id, shut_id = clinic_queue_results(clinic, tmp_path)
    gp, doc = clinic["gp"], clinic["doc"]
    path = tmp_path / "more.json"  # a second result of the restricted chart
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": r} for r in lab_report(shut_id, "c", "ServiceRequest/elsewhere-3")]}))
    clinic["admin"].importer.run(clinic["admin"].session, [path])

    assert Inbox(gp.store).count(gp.session) == 1
    page = Inbox(gp.store).open_items(gp.session, limit=1)  # withheld items take no place
    assert [i.patient_id for i in page] == [open_id] and page.withheld == 2
    assert Inbox(doc.store).count(doc.session) == 3  # on the restricted chart's care team


def test_hearth_inbox_says_what_it_left_out(clinic, tmp_path, monkeypatch, capsys):
    clinic_queue_results(clinic, tmp_path)
    env, root = clinic["where"]
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("gp"))
    assert main(["--store", str(root), "--user", "gp", "inbox"], env=env) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 item of a restricted chart is not shown: open the chart to break the glass.")


def test_the_review_queue_lists_those_awaiting_review_first(clinic, tmp_path):
    _, shut_id = clinic_queue_results(clinic, tmp_path)
    nina, audrey = clinic["nina"], clinic["audrey"]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    BreakGlass(nina.store, nina.policy, clock=lambda: yesterday).open(
        nina.session, shut_id, "Emergency care", "", password_of("nina"))
    BreakGlass(nina.store, nina.policy).open(nina.session, shut_id, "Emergency care", "again",
                                             password_of("nina"))
    review = EmergencyReview(audrey.store)
    older = review.list(audrey.session)[0]
    review.decide(audrey.session, older.task_id, "reviewed", "")

    listed = review.list(audrey.session, include_done=True)
    assert [a.outcome for a in listed] == ["awaiting review", "reviewed"]
    assert listed[1].task_id == older.task_id  # the older one, decided, comes after


def test_a_restricted_charts_overdue_order_is_counted_not_the_whole_list(clinic, tmp_path):
    """Dr Parr's order for Quiet, imported from 60 days ago, is past the care team's 30 days:
    her overdue list keeps Adeyemi's order and counts Quiet's, unread."""
    open_id, shut_id = clinic_queue_results(clinic, tmp_path)
    gp, admin = clinic["gp"], clinic["admin"]
    long_ago = (datetime.now(UTC) - timedelta(days=60)).isoformat()
    orders = [{"resourceType": "ServiceRequest", "id": f"old-{pid}", "status": "active",
               "intent": "order", "code": {"text": "Lipid panel"}, "authoredOn": long_ago,
               "subject": {"reference": f"Patient/{pid}"},
               "requester": {"identifier": {"system": "urn:hearth:user", "value": "gp"}}}
              for pid in (open_id, shut_id)]
    path = tmp_path / "old-orders.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in orders]}))
    admin.importer.run(admin.session, [path])

    overdue = gp.overdue_orders.mine(gp.session)
    assert [o.patient_id for o in overdue] == [open_id] and overdue.withheld == 1


def test_a_restricted_charts_note_to_cosign_is_counted_not_the_whole_inbox(clinic, tmp_path):
    _, shut_id = clinic_queue_results(clinic, tmp_path)
    nina, gp, doc = clinic["nina"], clinic["gp"], clinic["doc"]
    Restriction(doc.store, doc.policy.access).set(doc.session, shut_id, False)
    nina.encounters.start_visit(nina.session, shut_id)  # Nina sees Quiet today
    Restriction(doc.store, doc.policy.access).set(doc.session, shut_id, True)
    draft = nina.notes.start_draft(nina.session, shut_id, "soap")
    nina.notes.save_draft(nina.session, draft.id, draft.text + "Wound reviewed.")
    nina.notes.sign(nina.session, draft.id, password_of("nina"), cosigner="gp")

    waiting = gp.notes.inbox(gp.session)
    assert list(waiting) == [] and waiting.withheld == 1
    assert [n.patient_id for n in doc.notes.inbox(doc.session)] == []  # not asked of her
