"""Screenshots of the workstation for docs/screenshots, from a real run on a (virtual) screen.

    xvfb-run -a -s "-screen 0 1440x900x24" <keyring session> \\
        .venv/bin/python -m tests.ui.screenshots docs/screenshots

It builds the demo clinic in a temporary directory, signs in as the demo doctor and saves
the sign-in screen, Today, search results, a chart summary, the vitals plot and a real
sync conflict (two stores and a real SEKMET server) in the conflict dialog. Not a test:
people look at the pictures.
"""

import sys
import tempfile
import time
from pathlib import Path

from keyring.backends import SecretService
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from app.bootstrap import Environment
from app.cli.demo import DOCTOR, ensure_demo_store
from app.ui.common import theme
from app.ui.shell.window import WorkstationWindow
from tests.conftest import TEST_POLICY
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import sync, workstation


def wait_until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {condition}")
        QCoreApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, folder: Path, name: str) -> None:
    settle()
    widget.grab().save(str(folder / f"{name}.png"))
    print(f"saved {folder / name}.png", flush=True)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    env = Environment(keyring_backend=SecretService.Keyring, policy=TEST_POLICY)
    work = Path(tempfile.mkdtemp(prefix="hearth-shots-"))
    info = ensure_demo_store(env, work / "demo")
    window = WorkstationWindow(env, work / "demo", info.hints())
    window.resize(1280, 800)
    window.show()
    save(window, folder, "login")

    doctor = next(u for u in info.users if u.name == DOCTOR)
    window.login.user.setText(doctor.name)
    window.login.password.setText(doctor.password)
    window.login.sign_in.click()
    wait_until(lambda: window.workspace is not None)
    workspace = window.workspace
    wait_until(lambda: workspace.today.model.rowCount() > 0)
    save(window, folder, "today")

    workspace.focus_search()
    first = workspace.today.model.rows()[2].patient_name.split()[-1][:4]
    workspace.patients.field.setText(first.lower())
    wait_until(lambda: workspace.patients.model.rowCount() > 0)
    save(window, folder, "search-results")

    patient_id = workspace.patients.model.rows()[0].patient_id
    chart = workspace.open_chart(patient_id)
    wait_until(lambda: workspace.tabText(workspace.indexOf(chart)) != "Opening chart…")
    save(window, folder, "chart-summary")
    chart.show_section("vitals")
    settle(1.5)
    save(window, folder, "vitals-plot")
    charting(window, chart, folder, doctor.password)

    conflict_dialog(window, env, work, folder, patient_id)
    window.close()


def charting(window, chart, folder: Path, password: str) -> None:
    """Vitals entry, a note being written, the sign dialog and an addendum."""
    vitals = chart.show_section("vitals")
    entry = vitals.open_entry()
    for key, value in {"systolic": "148", "diastolic": "92", "heart_rate": "84",
                       "weight": "81.5", "height": "178"}.items():
        entry.fields[key].setText(value)
    save(entry, folder, "vitals-entry")
    entry.reject()

    notes = chart.show_section("notes")
    notes.start_note("soap")
    wait_until(lambda: notes.editors)
    editor = next(iter(notes.editors.values()))
    editor.text.setPlainText(editor.text.toPlainText().replace(
        "Subjective:\n", "Subjective:\nHeadaches for two weeks, worse in the morning.\n"))
    settle(1.0)
    save(window, folder, "note-editor")
    signed = []
    editor.signed.connect(lambda note: signed.append(note.id))
    editor.ask_to_sign()
    wait_until(lambda: getattr(editor, "dialog", None) is not None)
    save(editor.dialog, folder, "note-sign")
    editor.dialog.password.setText(password)
    editor.dialog.sign_button.click()
    wait_until(lambda: signed, 20)
    settle(1.0)
    notes.start_note("progress", appends=signed[0])
    wait_until(lambda: len(notes.editors) > 0)
    addendum = next(iter(notes.editors.values()))
    addendum.text.setPlainText("BP recheck at home advised; review in two weeks.")
    settle(1.0)
    save(window, folder, "note-addendum")


def conflict_dialog(window, env, work: Path, folder: Path, patient_id: str) -> None:
    """A real conflict: the demo store and another workstation change one birth date."""
    with start_fhir_server(work / "server") as server:
        other = workstation(env, work / "other")
        ws = window.ws
        sync(ws, server)
        sync(other, server)
        for station, born in ((other, "1971-02-03"), (ws, "1971-03-02")):
            record = station.patients.get(station.session, patient_id)
            station.patients.update(station.session, {**record, "birthDate": born})
        sync(other, server)
        sync(ws, server)
        other.store.close()
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.sync)
    workspace.sync.refresh()
    wait_until(lambda: workspace.sync.conflicts_model.rowCount() > 0)
    save(window, folder, "sync-conflicts")
    workspace.sync.table.selectRow(0)
    workspace.sync._open_current()
    wait_until(lambda: workspace.sync.dialog is not None)
    save(workspace.sync.dialog, folder, "conflict-dialog")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
