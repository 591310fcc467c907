"""Starting the workstation window: `hearth` with no arguments, and `hearth demo`; and
saying in a window why it cannot start (a policy file at fault)."""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import HearthError
from app.security.environment import Environment
from app.ui.common import theme
from app.ui.common.garbage import collect_on_ui_thread
from app.ui.shell.window import WorkstationWindow


def run_workstation(env: Environment, root: Path, hints: str = "", notice: str = "") -> int:
    """Show the sign-in window for the store at `root`; returns when the window closes.
    The caller has asked app.ui.shell.display.require_display() first: Qt aborts the
    process where it cannot show a window. `notice` goes in the title and on the sign-in
    screen (the demo clinic's "not protected")."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Hearth")
    app.setApplicationDisplayName("Hearth")
    theme.apply(app)
    collect_on_ui_thread(app)  # never on a worker thread, where it can crash Qt
    window = WorkstationWindow(env, root, hints, notice)
    window.show()
    return app.exec()


def refuse_start_up(err: HearthError) -> None:
    """Say why the workstation does not start, in a message box the person who clicked
    Hearth's icon sees; returns when it is closed. The caller has asked require_display()."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Hearth")
    theme.apply(app)
    start_up_refusal(err).exec()


def start_up_refusal(err: HearthError) -> QMessageBox:
    """The message box: the error's title, and its sentence selectable, to copy into a
    ticket or into `hearth policy check`."""
    box = QMessageBox(QMessageBox.Icon.Critical, f"Hearth: {err.title}", err.message,
                      QMessageBox.StandardButton.Close)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setInformativeText("Hearth has not started. Ask IT to correct this; nothing in the "
                           "store was opened or changed.")
    return box
