"""A clinician typing a note, for the crash test: a real QApplication with a NoteEditor.

    python note_process.py STORE USER PASSWORD DRAFT_ID

Signs in with a cheap argon2id cost and an autosave interval of 0.2 s, opens the draft in
a NoteEditor (offscreen), prints "ready", then types word after word at the end of the text
(`chunk(n)`, one QTest.keyClicks every 20 ms) until it is killed. Each time the store
confirms an autosave it prints "saved N", N being the length of the text the store now
holds. Needs the private keyring's D-Bus variables in its environment.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from keyring.backends import SecretService  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.bootstrap import Environment, open_workstation  # noqa: E402
from app.clinical.notes.notes import Notes  # noqa: E402
from app.security.policy import Policy  # noqa: E402
from app.store.kdf_cost import KdfCost  # noqa: E402
from app.ui.chart.notes.editor import NoteEditor  # noqa: E402
from app.ui.common.background import Background  # noqa: E402

TYPING_POLICY = Policy(
    failed_logins_before_lock=3, lockout_minutes=15, idle_lock_minutes=5,
    min_password_length=8, kdf=KdfCost(time_cost=1, memory_kib=8192, parallelism=1),
    note_autosave_seconds=0.2,
)
KEYSTROKE_MS = 20


def chunk(n: int) -> str:
    """The n-th word typed (the test rebuilds the whole text from these)."""
    return f" w{n}"


def main() -> None:
    args = argparse.ArgumentParser()
    for name in ("store", "user", "password", "draft_id"):
        args.add_argument(name)
    opts = args.parse_args()

    app = QApplication(sys.argv[:1])
    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=TYPING_POLICY)
    ws = open_workstation(env, Path(opts.store), opts.user, opts.password)
    notes = Notes(ws.store, ws.policy)
    draft = next(d for d in notes.drafts(ws.session) if d.id == opts.draft_id)
    background = Background()
    editor = NoteEditor(ws, background, notes, draft)
    editor.saved.connect(lambda text: report(f"saved {len(text)}"))
    editor.show()
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    typed = iter(range(10**9))
    keys = QTimer()
    keys.timeout.connect(lambda: QTest.keyClicks(editor.text, chunk(next(typed))))
    keys.start(KEYSTROKE_MS)
    report("ready")
    app.exec()


def report(line: str) -> None:
    """One write per line, so a kill never leaves half a line."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
