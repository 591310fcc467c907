"""A note holds at most the policy's max_note_kb of text; its draft is never cut short."""

import base64

import pytest
from sqlalchemy import text

from app.errors import InvalidRecord
from fhir_common import fhir_json
from tests.clinical.notes.test_notes import password, stored, ward  # noqa: F401 (ward is a fixture)

KB = 1024


def draft_with(ward, words: str):
    ws, notes = ward[0]("drlee")
    draft = notes.start_draft(ws.session, ward[1], "progress")
    notes.save_draft(ws.session, draft.id, words)
    return ws, notes, draft


def draft_text(ws, draft_id) -> str | None:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT text FROM note_draft WHERE id = :i"),
                            {"i": draft_id}).scalar_one_or_none()


def test_a_note_over_256_kb_is_not_signed_and_its_draft_is_kept_whole(ward):
    words = "Plan discussed. " * (300 * KB // 16)
    ws, notes, draft = draft_with(ward, words)

    with pytest.raises(InvalidRecord) as refused:
        notes.sign(ws.session, draft.id, password("drlee"))

    assert refused.value.message == (
        "This note holds 300 KB of text; a note may hold up to 256 KB (the clinic's policy). "
        "Shorten it, or sign part and write the rest as an addendum. Nothing was signed; the "
        "draft is kept as written.")
    assert draft_text(ws, draft.id) == words
    assert stored(ws, draft.id) is None


def test_a_note_of_exactly_256_kb_is_signed(ward):
    ws, notes, draft = draft_with(ward, "x" * (256 * KB))

    signed = notes.sign(ws.session, draft.id, password("drlee"))

    assert len(signed.text) == 256 * KB


def test_a_pasted_document_is_not_saved_and_the_last_draft_stays(ward):
    ws, notes, draft = draft_with(ward, "Cough for 3 days.")

    with pytest.raises(InvalidRecord) as refused:
        notes.save_draft(ws.session, draft.id, "y" * (2 * KB * KB))

    assert refused.value.message == (
        "This draft would hold 2,048 KB of text, more than the 1,024 KB a draft may hold (a "
        "signed note: 256 KB), so it was not saved; the last saved draft is kept. Remove what "
        "was pasted, or keep it in a document instead.")
    assert draft_text(ws, draft.id) == "Cough for 3 days."


def test_a_note_from_elsewhere_over_the_limit_is_kept_whole(ward, admin, tmp_path):
    """The limit is for notes written here: a record from another system is never cut or
    dropped (an import refuses, with a sentence, only a resource over 16 MB)."""
    words = "Discharge summary. " * (300 * KB // 19)
    note = {"resourceType": "DocumentReference", "id": "outside", "status": "current",
            "docStatus": "final", "subject": {"reference": f"Patient/{ward[1]}"},
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": base64.b64encode(words.encode()).decode()}}]}
    (tmp_path / "note.json").write_bytes(fhir_json.dumps(note))

    report = admin.importer.run(admin.session, [tmp_path / "note.json"])

    ws, notes = ward[0]("drlee")
    assert report.imported == 1
    assert notes.read(ws.session, ward[1], "outside").text == words
