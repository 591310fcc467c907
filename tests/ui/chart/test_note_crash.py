"""A clinician typing a note when the power goes: SIGKILL mid-typing loses at most what was
typed since the last autosave, and the editor reopens with the text the store kept."""

import sys
from pathlib import Path

import pytest

from app.bootstrap import init_store, open_workstation
from app.clinical.notes.notes import Notes
from app.ui.chart.notes.editor import NoteEditor
from tests.conftest import ADMIN_PASSWORD
from tests.kill_child import kill_mid_run
from tests.sync.stations import patient
from tests.ui.chart.note_process import chunk

TYPIST = Path(__file__).with_name("note_process.py")
DOCTOR = ("drlee", "drlee pass 1")
BEGUN = "Subjective:\n"
SAVES_BEFORE_KILL = 5


@pytest.fixture
def draft(env, tmp_path):
    """A store with a physician's draft note: (store root, draft id)."""
    root = tmp_path / "store"
    init_store(env, root, "admin", "Ada Admin", ADMIN_PASSWORD)
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, DOCTOR[0], "Dr Lee", "physician", DOCTOR[1])
    admin.close()
    ws = open_workstation(env, root, *DOCTOR)
    notes = Notes(ws.store, ws.policy)
    ann = ws.patients.register(ws.session, patient("Okafor"))
    started = notes.start_draft(ws.session, ann["id"], "soap")
    notes.save_draft(ws.session, started.id, BEGUN)
    ws.close()
    return root, started.id


def type_then_kill(keyring_env, root: Path, draft_id: str, delay: float) -> list[int]:
    """Run the typist; SIGKILL it `delay` s after a few confirmed autosaves, mid-typing.
    Returns the lengths of the text each confirmed save held."""
    lines, err = kill_mid_run(
        [sys.executable, str(TYPIST), str(root), *DOCTOR, draft_id],
        {**keyring_env, "QT_QPA_PLATFORM": "offscreen"},
        lambda printed: sum(line.startswith("saved ") for line in printed) >= SAVES_BEFORE_KILL,
        delay, 60, "the typist")
    saved = [int(line.split()[1]) for line in lines if line.startswith("saved ")]
    assert len(saved) >= SAVES_BEFORE_KILL, err
    return saved


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.07, 0.15])  # into the next 0.2 s autosave interval
def test_a_kill_mid_typing_keeps_the_draft_to_the_last_autosave(
        qtbot, env, keyring_session, draft, background, delay):
    root, draft_id = draft
    saved = type_then_kill(keyring_session, root, draft_id, delay)

    ws = open_workstation(env, root, *DOCTOR)
    notes = Notes(ws.store, ws.policy)
    [kept] = notes.drafts(ws.session)
    typed = BEGUN + "".join(chunk(n) for n in range(len(kept.text)))  # long enough
    assert typed.startswith(kept.text), "the stored draft is not what was typed"
    assert len(kept.text) >= saved[-1] > len(BEGUN), "a confirmed autosave was lost"

    editor = NoteEditor(ws, background, notes, kept)  # the clinician opens it again
    qtbot.addWidget(editor)
    editor.show()
    assert editor.text.toPlainText() == kept.text
    editor.close()
    background.wait_until_idle()
    ws.store.close()
