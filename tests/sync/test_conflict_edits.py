"""Edits that meet a sync conflict: two workstations and a real FHIR server (SEKMET).

Nothing typed may be lost: an edit made while a conflict is open survives its resolution,
a resolution settles only the fields in conflict (every other change, from either side, is
kept), and an edit saved over a version that a pull replaced meanwhile is merged or refused,
never written blindly over the newer one.
"""

import json

import httpx
import pytest

from app.bootstrap import open_workstation
from app.clinical.charting.entries import change
from app.clinical.records import Records
from app.errors import InvalidRecord
from tests.cli.test_cli import NURSE_PASSWORD, clinic, hearth, store  # noqa: F401 (fixtures)
from tests.sync.policies import name_servers
from tests.sync.stations import patient, sync, workstation


def on_server(server, reference: str) -> dict:
    return httpx.get(server.base_url + reference).json()


def edit(ws, patient_id: str, **fields) -> None:
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, patient_id), **fields})


def in_chart(ws, patient_id: str, problem_id: str) -> tuple[str, str]:
    """The problem's onset and status as the chart lists it."""
    [item] = [item for item in ws.chart.section(ws.session, patient_id, "problems").items
              if item.id == problem_id]
    return item.date, item.status


def onset_clash(a, b, server) -> tuple[str, str]:
    """A problem whose onset A and B correct differently; A, syncing last, holds the
    conflict. Returns the patient's and the problem's ids."""
    ann = a.patients.register(a.session, patient("Okafor"))
    problem = a.problems.add(a.session, ann["id"], "J18.9", onset="2024-01-02")
    sync(a, server)
    sync(b, server)
    b.problems.edit(b.session, problem["id"], onset="2023-12")
    a.problems.edit(a.session, problem["id"], onset="2024-01-01")
    sync(b, server)
    sync(a, server)
    return ann["id"], problem["id"]


@pytest.mark.parametrize(("keep", "onset"), [
    ("local", "2024-01-01"), ("remote", "2023-12"), ("merged", "2023-11")])
def test_a_problem_resolved_while_its_conflict_is_open_stays_resolved(
        a, b, fresh_fhir_server, keep, onset):
    """The onset is the one the person chose; the resolution typed meanwhile is kept."""
    patient_id, problem_id = onset_clash(a, b, fresh_fhir_server)
    a.problems.resolve(a.session, problem_id, "Clear on chest X-ray", abatement="2024-02")
    [conflict] = a.conflicts.list(a.session)
    merged = {**conflict.local, "onsetDateTime": onset} if keep == "merged" else None
    a.conflicts.resolve(a.session, conflict.id, keep, merged)
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    on_record = on_server(fresh_fhir_server, f"Condition/{problem_id}")
    assert (on_record["onsetDateTime"], on_record["clinicalStatus"]["coding"][0]["code"]) == (
        onset, "resolved")
    for ws in (a, b):
        assert in_chart(ws, patient_id, problem_id) == (onset, "resolved")


@pytest.mark.parametrize(("keep", "phone"), [
    ("local", "555-0202"), ("remote", "555-0101"), ("merged", "555-0303")])
def test_a_conflict_resolved_with_the_cli_settles_only_the_fields_in_conflict(
        clinic, env, store, tmp_path, fresh_fhir_server, keep, phone, policy_file):
    name_servers(policy_file, fresh_fhir_server.base_url)
    """The phone is the one chosen; the server's new address and the sex recorded here
    while the conflict was open are kept whichever side is chosen."""
    other = workstation(env, tmp_path / "other")
    ann = other.patients.register(other.session, patient("Okafor", telecom=[
        {"system": "phone", "value": "555-0100"}]))
    sync(other, fresh_fhir_server)
    here = open_workstation(env, store, "nina", NURSE_PASSWORD)
    sync(here, fresh_fhir_server)
    edit(other, ann["id"], telecom=[{"system": "phone", "value": "555-0101"}],
         address=[{"city": "Leeds"}])
    edit(here, ann["id"], telecom=[{"system": "phone", "value": "555-0202"}])
    sync(other, fresh_fhir_server)
    sync(here, fresh_fhir_server)
    edit(here, ann["id"], gender="female")
    here.close()
    other.close()

    def run(*args):
        done = clinic("--user", "nina", *args, password=NURSE_PASSWORD)
        assert done.returncode == 0, done.stderr
        return done.stdout

    [conflict] = json.loads(run("conflicts", "list", "--json"))
    choice = ["--keep", keep]
    if keep == "merged":
        shown = json.loads(run("conflicts", "show", str(conflict["id"]), "--json"))
        merged = tmp_path / "merged.json"
        merged.write_text(json.dumps({**shown["local"], "address": shown["remote"]["address"],
                                      "telecom": [{"system": "phone", "value": phone}]}))
        choice.append(str(merged))
    assert run("conflicts", "resolve", str(conflict["id"]), *choice).startswith(
        f"Conflict {conflict['id']} resolved: kept {keep}.")
    run("sync", "--once")
    on_record = on_server(fresh_fhir_server, f"Patient/{ann['id']}")
    assert on_record["telecom"][0]["value"] == phone
    assert (on_record.get("address"), on_record.get("gender")) == ([{"city": "Leeds"}], "female")


# -- an edit saved after a pull replaced the version it was made from -------------------


def test_a_patient_saved_after_a_pull_keeps_the_other_workstations_change(
        a, b, fresh_fhir_server):
    """A's form read Okafor before B's new phone arrived; saving A's form keeps the phone."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    read = a.patients.get(a.session, ann["id"])
    edit(b, ann["id"], telecom=[{"system": "phone", "value": "555-0101"}])
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)  # lands between A's read and A's save
    a.patients.update(a.session, {**read, "gender": "female"}, based_on=read)
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    for record in (on_server(fresh_fhir_server, f"Patient/{ann['id']}"),
                   b.patients.get(b.session, ann["id"])):
        assert (record["gender"], record["telecom"][0]["value"]) == ("female", "555-0101")


def test_a_patient_changed_meanwhile_is_not_overwritten_and_the_user_is_told(
        a, b, fresh_fhir_server):
    """B's birth date arrived after A read Okafor: A's save would revert it, so it is
    refused, and nothing is sent."""
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    read = a.patients.get(a.session, ann["id"])
    edit(b, ann["id"], birthDate="1981-03-14")
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    with pytest.raises(InvalidRecord, match=r"^Patient Okafor, Ann was changed meanwhile \(by "
                                            r"sync or another user\), so your change was not "
                                            r"saved\. Open it again"):
        a.patients.update(a.session, {**read, "gender": "female"})
    with pytest.raises(InvalidRecord, match="changed meanwhile .*: birthDate changed there too"):
        a.patients.update(a.session, {**read, "birthDate": "1980-03-15"}, based_on=read)
    assert sync(a, fresh_fhir_server).pushed.sent == 0
    assert on_server(fresh_fhir_server, f"Patient/{ann['id']}")["birthDate"] == "1981-03-14"
    assert a.patients.get(a.session, ann["id"])["birthDate"] == "1981-03-14"


def dose(text: str):
    def edit(request: dict) -> str:
        request["dosageInstruction"] = [{"text": text}]
        return f"dose -> {text}"
    return edit


def note(text: str):
    def edit(request: dict) -> str:
        request.setdefault("note", []).append({"text": text})
        return f"note: {text}"
    return edit


def test_a_medication_form_saved_after_a_pull_is_merged_or_refused(a, b, fresh_fhir_server):
    """A's form showed the old dose; B's new dose arrived before A saved."""
    ann = a.patients.register(a.session, patient("Okafor"))
    started = a.medications.start(a.session, ann["id"], "Metformin 500 mg tablet",
                                  "1 tablet twice daily")
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    form = a.medications.current(a.session, started["id"])
    b.medications.edit(b.session, started["id"], dose="2 tablets twice daily")
    sync(b, fresh_fhir_server)
    sync(a, fresh_fhir_server)
    with pytest.raises(InvalidRecord, match=r"^Metformin 500 mg tablet was changed meanwhile "
                                            r".*: dosageInstruction\[0\]\.text changed there"):
        change(Records(a.store), a.session, "MedicationRequest", started["id"], "medication",
               dose("1 tablet daily"), based_on=form)
    change(Records(a.store), a.session, "MedicationRequest", started["id"], "medication",
           note("Take with food"), based_on=form)
    sync(a, fresh_fhir_server)
    on_record = on_server(fresh_fhir_server, f"MedicationRequest/{started['id']}")
    assert on_record["dosageInstruction"][0]["text"] == "2 tablets twice daily"
    assert [n["text"] for n in on_record["note"]] == ["Take with food"]
