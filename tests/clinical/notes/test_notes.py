"""Notes: drafts saved as typed, signed with the password, locked for good; addenda, cosign,
entered in error; every edit path to a signed note refused; roles; and a signed note on
workstation A read on workstation B after both sync with a real FHIR server."""

import base64

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.notes.notes import Notes
from app.errors import InvalidRecord, NotFound, PermissionDenied
from app.store.resources import delete_resource, get_resource, put_resource
from tests.sync.conftest import a, b, fresh_fhir_server  # noqa: F401 (fixtures)
from tests.sync.stations import PASSWORD, patient, sync

USERS = {"drlee": ("Dr Lee", "physician"), "drhill": ("Dr Hill", "physician"),
         "nina": ("Nina Nurse", "nurse"), "frank": ("Frank Desk", "front-desk")}
LOCKED_MESSAGE = "it cannot be changed. Add an addendum instead."


def password(user: str) -> str:
    return f"{user} pass 1"


@pytest.fixture
def ward(admin, env, store_dir):
    """A store with a physician, a second physician, a nurse and front desk; one patient.
    Returns sign_in(user) -> (workstation, its Notes) and the patient id."""
    for user, (full_name, role) in USERS.items():
        admin.users.add(admin.session, user, full_name, role, password(user))
    opened = []

    def sign_in(user):
        ws = open_workstation(env, store_dir, user, password(user))
        opened.append(ws)
        return ws, Notes(ws.store, ws.policy)

    ws, _ = sign_in("nina")
    ann = ws.patients.register(ws.session, patient("Okafor"))
    yield sign_in, ann["id"]
    for ws in opened:
        ws.store.close()


@pytest.fixture
def lee(ward):
    return ward[0]("drlee")


def stored(ws, note_id) -> dict:
    with ws.store.read() as conn:
        return get_resource(conn, "DocumentReference", note_id)


def outbox(ws, note_id) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM outbox WHERE id = :i"),
                            {"i": note_id}).scalar_one()


def audited(ws, note_id) -> list[tuple[str, str, str]]:
    with ws.store.read() as conn:
        return conn.execute(text(
            "SELECT action, outcome, detail FROM audit WHERE entity = :e ORDER BY seq"),
            {"e": f"DocumentReference/{note_id}"}).all()


def signed_note(ward, user="drlee", words="Cough for 3 days. Chest clear.", **sign):
    ws, notes = ward[0](user)
    draft = notes.start_draft(ws.session, ward[1], "soap")
    notes.save_draft(ws.session, draft.id, draft.text.replace("Subjective:\n", f"Subjective:\n"
                                                                             f"{words}"))
    return notes.sign(ws.session, draft.id, password(user), **sign)


def test_a_draft_starts_from_the_template_and_every_save_is_kept_unaudited(ward, lee):
    ws, notes = lee
    draft = notes.start_draft(ws.session, ward[1], "soap")
    assert draft.title == "SOAP note" and draft.text.startswith("Subjective:\n\n")
    for typed in ("Subjective:\nCou", "Subjective:\nCough for 3 days"):
        notes.save_draft(ws.session, draft.id, typed)
    [kept] = notes.drafts(ws.session, ward[1])
    assert kept.text == "Subjective:\nCough for 3 days" and kept.author == "drlee"
    assert audited(ws, draft.id) == [("create", "success", "draft started: SOAP note")]
    assert outbox(ws, draft.id) == 0  # a draft never leaves the workstation


def test_signing_turns_the_draft_into_a_final_note_in_the_chart(ward, lee):
    ws, notes = lee
    note = signed_note(ward)
    assert (note.signed_by, note.locked, note.status) == ("Dr Lee", True, "current")
    assert notes.drafts(ws.session) == []
    resource = stored(ws, note.id)
    assert (resource["docStatus"], resource["type"]["coding"][0]["code"]) == ("final", "11506-3")
    assert resource["authenticator"]["identifier"]["value"] == "drlee"
    page = ws.chart.section(ws.session, ward[1], "notes")
    assert [item.title for item in page.items] == ["SOAP note"]
    assert "Cough for 3 days." in ws.trends.note(ws.session, ward[1], "DocumentReference",
                                                 note.id).text
    assert outbox(ws, note.id) == 1
    assert [row[0] for row in audited(ws, note.id)] == ["create", "create"]


def test_a_wrong_password_signs_nothing_and_the_draft_stays(ward, lee):
    ws, notes = lee
    draft = notes.start_draft(ws.session, ward[1], "progress")
    notes.save_draft(ws.session, draft.id, "Better today.")
    with pytest.raises(PermissionDenied, match="not Dr Lee's password, so nothing was signed"):
        notes.sign(ws.session, draft.id, "guess")
    assert stored(ws, draft.id) is None
    assert [d.text for d in notes.drafts(ws.session)] == ["Better today."]
    assert audited(ws, draft.id)[-1][1:] == ("failure", "wrong password; note not signed")


@pytest.mark.parametrize("words, refusal", [("", "The note is empty"),
                                            (None, "Only the template's headings")])
def test_an_empty_note_is_not_signed(ward, lee, words, refusal):
    ws, notes = lee
    draft = notes.start_draft(ws.session, ward[1], "procedure")
    if words is not None:
        notes.save_draft(ws.session, draft.id, words)
    with pytest.raises(InvalidRecord, match=refusal):
        notes.sign(ws.session, draft.id, password("drlee"))


def test_only_its_author_saves_signs_or_discards_a_draft(ward, lee):
    ws, notes = lee
    draft = notes.start_draft(ws.session, ward[1], "soap")
    nurse, nurse_notes = ward[0]("nina")
    for attempt in (lambda: nurse_notes.save_draft(nurse.session, draft.id, "mine now"),
                    lambda: nurse_notes.sign(nurse.session, draft.id, password("nina")),
                    lambda: nurse_notes.discard_draft(nurse.session, draft.id)):
        with pytest.raises(PermissionDenied, match="drlee's; only its author"):
            attempt()
    assert nurse_notes.drafts(nurse.session) == []
    notes.discard_draft(ws.session, draft.id)
    assert notes.drafts(ws.session) == []


def test_front_desk_writes_no_notes_and_a_nurse_signs_her_own(ward):
    desk, desk_notes = ward[0]("frank")
    with pytest.raises(PermissionDenied, match="may not write clinical notes"):
        desk_notes.start_draft(desk.session, ward[1], "soap")
    note = signed_note(ward, "nina", "Dressing changed.")
    assert note.signed_by == "Nina Nurse"


def test_a_nurse_note_awaits_the_named_physicians_cosignature(ward):
    nurse, nurse_notes = ward[0]("nina")
    assert nurse_notes.cosigners(nurse.session) == [("drhill", "Dr Hill"), ("drlee", "Dr Lee")]
    for asked, refusal in (("frank", "Frank Desk .frank. cannot cosign"),
                           ("nina", "someone other than its author")):
        with pytest.raises(InvalidRecord, match=refusal):
            signed_note(ward, "nina", cosigner=asked)
    note = signed_note(ward, "nina", "Wound reviewed.", cosigner="drlee")
    assert note.awaiting_cosignature
    with pytest.raises(PermissionDenied, match="may not sign and cosign"):
        nurse_notes.cosign(nurse.session, note.id, password("nina"))
    hill, hill_notes = ward[0]("drhill")
    assert hill_notes.inbox(hill.session) == []
    with pytest.raises(PermissionDenied, match="drlee was asked"):
        hill_notes.cosign(hill.session, note.id, password("drhill"))

    lee, lee_notes = ward[0]("drlee")
    [waiting] = lee_notes.inbox(lee.session)
    assert (waiting.id, waiting.patient_name, waiting.signed_by) == (
        note.id, "Ann Okafor", "Nina Nurse")
    with pytest.raises(PermissionDenied, match="not Dr Lee's password"):
        lee_notes.cosign(lee.session, note.id, "guess")
    cosigned = lee_notes.cosign(lee.session, note.id, password("drlee"))
    assert (cosigned.cosigned_by, cosigned.awaiting_cosignature) == ("Dr Lee", False)
    assert lee_notes.inbox(lee.session) == []
    with pytest.raises(InvalidRecord, match="already cosigned by Dr Lee"):
        lee_notes.cosign(lee.session, note.id, password("drlee"))
    assert "Wound reviewed." in cosigned.text  # the text is what the nurse signed


def changed(note: dict, **fields) -> dict:
    return {**orjson.loads(orjson.dumps(note)), **fields}


def other_text(note: dict) -> dict:
    content = [{"attachment": {**note["content"][0]["attachment"],
                               "data": base64.b64encode(b"Rewritten.").decode()}}]
    return changed(note, content=content)


def test_every_path_that_would_change_a_signed_note_is_refused(ward, lee, admin, tmp_path):
    ws, notes = lee
    note = signed_note(ward)
    original, queued = stored(ws, note.id), outbox(ws, note.id)

    for edit in (other_text(original), changed(original, subject={"reference": "Patient/x"}),
                 changed(original, status="entered-in-error"),  # without saying why
                 changed(original, docStatus="preliminary")):
        with pytest.raises(InvalidRecord, match=f"signed by Dr Lee at .*; {LOCKED_MESSAGE}"):
            with ws.store.write() as conn:
                put_resource(conn, edit, "drlee", "2030-01-01T00:00:00+00:00")

    with ws.store.write() as conn:  # a sync conflict over the note, as the engine records it
        conflict = conn.exec_driver_sql(
            "INSERT INTO conflict (type, resource_id, local_json, remote_json, base_json, "
            "remote_version, detected_at, kind, reason) VALUES ('DocumentReference', ?, ?, ?, "
            "?, '1', '2030-01-01T00:00:00+00:00', 'edit', 'content')",
            (note.id, orjson.dumps(other_text(original)).decode(),
             orjson.dumps(original).decode(), orjson.dumps(original).decode())).lastrowid
    # Keeping "local" keeps the note as it stands here (an open conflict's local side is the
    # stored record), so only a merged rewrite is left to refuse.
    for keep, merged in (("merged", other_text(original)),):
        with pytest.raises(InvalidRecord, match=LOCKED_MESSAGE):
            ws.conflicts.resolve(ws.session, conflict, keep, merged)

    bundle = tmp_path / "changed-note.json"
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                     "entry": [{"resource": other_text(original)}]}))
    report = admin.importer.run(admin.session, [bundle])  # skipped, named; the rest imports
    assert [LOCKED_MESSAGE in e["reason"] for e in report.as_json()["errors"]] == [True]

    with pytest.raises(NotFound, match="no longer there: it was signed"):
        notes.save_draft(ws.session, note.id, "Rewritten.")
    with pytest.raises(InvalidRecord, match=LOCKED_MESSAGE), ws.store.write() as conn:
        delete_resource(conn, "DocumentReference", note.id, "lee", "2030-01-01T00:00:00+00:00")
    assert (stored(ws, note.id), outbox(ws, note.id)) == (original, queued)
    assert ws.conflicts.list(ws.session)[0].resolved_at is None  # still for a person to decide


def test_a_cosignature_once_given_cannot_be_taken_away(ward, lee):
    ws, notes = lee
    note = signed_note(ward, "nina", "Wound reviewed.", cosigner="drlee")
    notes.cosign(ws.session, note.id, password("drlee"))
    cosigned = stored(ws, note.id)
    with pytest.raises(InvalidRecord, match=f"signed by Nina Nurse .*; {LOCKED_MESSAGE}"):
        with ws.store.write() as conn:
            put_resource(conn, changed(cosigned, extension=cosigned["extension"][:1]), "drlee",
                         "2030-01-01T00:00:00+00:00")
    assert stored(ws, note.id) == cosigned


def test_an_addendum_is_a_new_signed_note_that_appends_to_the_first(ward, lee):
    ws, notes = lee
    note = signed_note(ward)
    nurse, nurse_notes = ward[0]("nina")
    draft = nurse_notes.start_draft(nurse.session, ward[1], "progress", appends=note.id)
    assert (draft.title, draft.text) == ("Addendum to SOAP note", "")
    nurse_notes.save_draft(nurse.session, draft.id, "Late entry: temperature 38.1 at 14:00.")
    addendum = nurse_notes.sign(nurse.session, draft.id, password("nina"))
    assert stored(ws, addendum.id)["relatesTo"] == [
        {"code": "appends", "target": {"reference": f"DocumentReference/{note.id}"}}]
    read = notes.read(ws.session, ward[1], note.id)
    assert [(a.title, a.signed_by, a.text) for a in read.addenda] == [
        ("Addendum to SOAP note", "Nina Nurse", "Late entry: temperature 38.1 at 14:00.")]
    assert "Cough for 3 days." in read.text  # the signed note itself is as it was


def test_entered_in_error_keeps_the_note_marked_with_the_reason(ward, lee):
    ws, notes = lee
    nurse, nurse_notes = ward[0]("nina")
    doctors_note = signed_note(ward, "drlee", "Knee pain.")
    with pytest.raises(PermissionDenied, match="Nina Nurse .* may not sign and cosign"):
        nurse_notes.mark_entered_in_error(nurse.session, doctors_note.id, "wrong patient")
    note = signed_note(ward, "nina", "Dressing changed.")
    with pytest.raises(InvalidRecord, match="Say why"):
        notes.mark_entered_in_error(ws.session, note.id, "  ")
    marked = notes.mark_entered_in_error(ws.session, note.id, "written in the wrong chart")
    assert (marked.status, marked.error_reason) == ("entered-in-error",
                                                    "written in the wrong chart")
    assert "Dressing changed." in marked.text and stored(ws, note.id)["docStatus"] == "final"
    with pytest.raises(InvalidRecord, match="not signed or was withdrawn"):
        nurse_notes.start_draft(nurse.session, ward[1], "soap", appends=note.id)


def test_a_note_signed_on_a_is_read_on_b_after_both_sync(a, b, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    notes = Notes(a.store, a.policy)
    draft = notes.start_draft(a.session, ann["id"], "progress")
    notes.save_draft(a.session, draft.id, "Seen offline in the mobile clinic. Plan: review.")
    note = notes.sign(a.session, draft.id, PASSWORD)
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    page = b.chart.section(b.session, ann["id"], "notes")
    assert [(item.id, item.title) for item in page.items] == [(note.id, "Progress note")]
    on_b = Notes(b.store, b.policy).read(b.session, ann["id"], note.id)
    assert (on_b.text, on_b.signed_by, on_b.locked) == (
        "Seen offline in the mobile clinic. Plan: review.", "Pat", True)
    with pytest.raises(InvalidRecord, match=LOCKED_MESSAGE):  # B's copy is locked as well
        with b.store.write() as conn:
            put_resource(conn, other_text(get_resource(conn, "DocumentReference", note.id)),
                         "pat", "2030-01-01T00:00:00+00:00")


def test_a_note_started_during_a_visit_belongs_to_it(ward, lee):
    ws, notes = lee
    visit = ws.encounters.start_visit(ws.session, ward[1])
    draft = notes.start_draft(ws.session, ward[1], "progress")
    notes.save_draft(ws.session, draft.id, "Seen in clinic today; BP controlled.")
    note = notes.sign(ws.session, draft.id, password("drlee"))
    assert draft.encounter_id == visit["id"]
    assert stored(ws, note.id)["context"]["encounter"] == [
        {"reference": f"Encounter/{visit['id']}"}]
