"""`hearth inbox` as a script meets it: the physician's results to review in text and JSON
(patient, test, flag, when, matched order), the clinic queue, and `inbox ack` with a note."""

import json
from datetime import datetime, timedelta

import orjson
import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.records import Records
from app.security.roles import Permission
from tests.conftest import ADMIN_PASSWORD, new_store, password_of

ANN = {"resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
       "birthDate": "1960-05-01"}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """Physician 'doc' ordered Ann's CBC; its report (potassium above its range) and a result for an
    order that is not here were imported. (env, root, order id)."""
    folder = tmp_path_factory.mktemp("inbox-cli")
    root = folder / "store"
    env, _ = new_store(root, {"doc": ("Dr Lee", "physician"), "nina": ("Nina Park", "nurse")})
    doc = open_workstation(env, root, "doc", password_of("doc"))
    ann = doc.patients.register(doc.session, ANN)["id"]
    orders = Orders(doc.store)
    orders.pend(doc.session, ann, OrderLine("58410-2"))
    order = orders.sign_basket(doc.session, ann)[0]["id"]
    doc.store.close()
    subject = {"reference": f"Patient/{ann}"}
    k = {"resourceType": "Observation", "id": "k-1", "status": "final", "subject": subject,
         "code": {"text": "Potassium"}, "valueQuantity": {"value": 6.9, "unit": "mmol/L"},
         "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.1}}]}
    cbc = {"resourceType": "DiagnosticReport", "id": "cbc-1", "status": "final",
           "code": {"text": "Complete blood count"}, "subject": subject,
           "basedOn": [{"reference": f"ServiceRequest/{order}"}],
           "issued": "2026-03-02T10:00:00+00:00", "result": [{"reference": "Observation/k-1"}]}
    stray = {**k, "id": "tsh-1", "code": {"text": "TSH"}, "valueQuantity": {"value": 2.0},
             "referenceRange": [{"low": {"value": 0.4}, "high": {"value": 4.0}}],
             "basedOn": [{"reference": "ServiceRequest/other-lab-7"}]}
    (folder / "results.json").write_bytes(orjson.dumps({
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": r} for r in (k, cbc, stray)]}))
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    admin.importer.run(admin.session, [folder / "results.json"])
    admin.store.close()
    return env, root, order


def hearth(clinic, monkeypatch, *args: str, user: str = "doc") -> int:
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_inbox_json_lists_the_report_flagged_and_the_clinic_queue(clinic, monkeypatch,
                                                                 capsys):
    assert hearth(clinic, monkeypatch, "inbox", "--json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["test"], i["flag"], i["order"], i["patient"]["name"]) for i in items] == [
        ("Complete blood count", "abnormal", clinic[2], "Okafor, Ann"),
        ("TSH", None, None, "Okafor, Ann")]


def test_inbox_text_says_which_items_are_in_the_clinic_queue(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "inbox") == 0
    out = capsys.readouterr().out
    assert "Okafor, Ann: Complete blood count ABNORMAL" in out
    assert f"order {clinic[2]}" in out and "no order here: clinic queue" in out


def test_a_nurse_sees_no_one_elses_results(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "inbox", user="nina") == 0
    assert capsys.readouterr().out == "No results to review.\n"


def test_ack_with_a_note_takes_the_item_off_the_inbox(clinic, monkeypatch, capsys):
    hearth(clinic, monkeypatch, "inbox", "--json")
    task = json.loads(capsys.readouterr().out)[0]["task"]

    assert hearth(clinic, monkeypatch, "inbox", "ack", task, "--note", "Repeat K today") == 0
    assert capsys.readouterr().out == "Acknowledged: Complete blood count.\n"
    assert hearth(clinic, monkeypatch, "inbox", "ack", task) != 0
    assert "This result was already acknowledged by " in capsys.readouterr().err
    hearth(clinic, monkeypatch, "inbox", "--json")
    assert [i["test"] for i in json.loads(capsys.readouterr().out)] == ["TSH"]


def test_ack_of_an_unknown_id_says_so(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "inbox", "ack", "no-such-task") != 0
    assert "There is no result to review with id no-such-task." in capsys.readouterr().err


def test_overdue_lists_an_order_waiting_past_the_policys_days(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "inbox", "overdue") == 0
    assert capsys.readouterr().out == ("No order of yours has waited more than 14 days for a "
                                       "result.\n")
    env, root, cbc = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    with Records(doc.store).write(doc.session, Permission.SIGN_ORDERS) as work:
        ann = work.get("ServiceRequest", cbc)["subject"]["reference"].removeprefix("Patient/")
    orders = Orders(doc.store)
    orders.pend(doc.session, ann, OrderLine("TSH"))
    tsh = orders.sign_basket(doc.session, ann)[0]
    month_ago = (datetime.now().astimezone() - timedelta(days=30)).isoformat()
    with Records(doc.store).write(doc.session, Permission.SIGN_ORDERS) as work:
        work.save({**tsh, "authoredOn": month_ago}, "update", "signed a month ago")
    doc.store.close()

    assert hearth(clinic, monkeypatch, "inbox", "overdue", "--json") == 0
    [late] = json.loads(capsys.readouterr().out)
    assert (late["order_id"], late["days"], late["patient_id"]) == (tsh["id"], 30, ann)
