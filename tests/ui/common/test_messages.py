"""A failure is one sentence, and it never says the work was saved when it was not (it used
to end every unexpected failure with "Your work is saved.", a failed save included)."""

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

from app.ui.operations import Op
from app.ui.shell.window import WorkstationWindow


def patients(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM resource WHERE type = 'Patient'")).scalar()


def test_a_save_that_fails_unexpectedly_does_not_say_it_was_saved(qtbot, clinic, ws):
    window = WorkstationWindow(clinic.env, clinic.root)
    qtbot.addWidget(window)
    before = patients(ws)
    Op(window, window.background, lambda: ws.patients.register(ws.session, ["Okafor"])).run()
    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox)), timeout=10000)
    [box] = window.findChildren(QMessageBox)
    assert patients(ws) == before
    assert "saved" not in box.text().lower()
    assert box.text().startswith("Something unexpected went wrong (TypeError: ")
