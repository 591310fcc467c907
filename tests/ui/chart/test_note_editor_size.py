"""The note editor counts the note's size, refuses to sign one too long, and keeps it whole."""

from PySide6.QtCore import QMimeData

from tests.ui.chart.test_note_editor import (  # noqa: F401 (fixtures)
    WAIT,
    ann,
    draft_text,
    editor_for,
    practice,
    sign_in,
)


def test_a_note_over_the_limit_cannot_be_signed_and_is_saved_whole(qtbot, sign_in, background,
                                                                   ann):
    ws = sign_in(autosave_seconds=0.2)
    editor = editor_for(qtbot, ws, background, ann)
    assert editor.note_size.text() == "1 KB of 256 KB"

    editor.text.setPlainText("Plan discussed. " * (300 * 1024 // 16))

    qtbot.waitUntil(lambda: not editor.sign_button.isEnabled(), timeout=WAIT)
    assert editor.note_size.text() == (
        "This note holds 300 KB of text; a note may hold up to 256 KB (the clinic's policy). "
        "Shorten it, or sign part and write the rest as an addendum.")
    qtbot.waitUntil(lambda: draft_text(ws, editor.draft.id) == editor.text.toPlainText(),
                    timeout=WAIT)
    editor.text.setPlainText("Plan discussed.")
    qtbot.waitUntil(editor.sign_button.isEnabled, timeout=WAIT)


def test_a_document_sized_paste_is_refused_and_the_text_stays_as_it_was(qtbot, sign_in,
                                                                        background, ann):
    ws = sign_in()
    editor = editor_for(qtbot, ws, background, ann)
    before = editor.text.toPlainText()
    pasted = QMimeData()
    pasted.setText("z" * (2 * 1024 * 1024))

    editor.text.insertFromMimeData(pasted)

    assert editor.text.toPlainText() == before
    assert editor.note_size.text() == ("Not pasted: 2,048 KB of text would take this draft past "
                                       "the 1,024 KB a draft may hold. It is still on the "
                                       "clipboard.")
