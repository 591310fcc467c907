"""Writing a note: plain text, saved to the encrypted store as it is typed, then signed.

Nothing typed is lost. The draft is saved every policy.note_autosave_seconds while the text
differs from what the store holds, whenever the text loses focus, and whenever the editor
is hidden: a chart section switched, the chart tab closed, the session locked (the
workspace is removed, which hides it) or the window closed (an event filter on the window
queues the save before the window's own close handling queues the sign-out, and the
database thread runs them in that order). Every save runs on the database thread; one
queued before the editor is deleted still runs, only its confirmation is dropped. The
status line says "Saving…" until the store confirms the newest save (each holds the whole
text, so only its answer matters), then "Saved 10:42:05".

While a draft is open here the store is marked busy (Workstation.mark_note_open), until it
is signed, discarded or the editor goes away, so `hearth update stage` never stages an update
under a note being written.

Signing asks for the password (SignDialog); the last text is saved and signed in one
background job, and the editor then turns read-only: a signed note never changes.

A note holds at most policy.max_note_kb of text (app.clinical.notes.note_size). The editor counts
it as it is typed; past the limit it says so and Sign is off, while the draft is still saved
whole. A paste that would take the draft past what a draft may hold is refused before Qt
lays it out (a document-sized paste would take seconds and gigabytes); it stays on the
clipboard.
"""

from PySide6.QtCore import QEvent, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.notes.note_size import DRAFT_ROOM, size_kb, too_long_to_sign
from app.clinical.notes.notes import Draft, Notes, SignedNote
from app.display_time import when_text
from app.errors import InvalidRecord, NotFound
from app.ui.chart.notes.sign_dialog import SignDialog
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import Op
from app.ui.operations import notes as notes_ops
from fhir_common.messages import sentence


class NoteText(QPlainTextEdit):
    """The note's text box, which refuses a paste that would not fit in a draft."""

    paste_refused = Signal(str)

    def __init__(self, text: str, room_kb: int):
        super().__init__(text)
        self._room_kb = room_kb

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt's name)
        pasted = size_kb(source.text()) if source.hasText() else 0
        if pasted and size_kb(self.toPlainText()) + pasted > self._room_kb:
            self.paste_refused.emit(
                f"Not pasted: {pasted:,} KB of text would take this draft past the "
                f"{self._room_kb:,} KB a draft may hold. It is still on the clipboard.")
            return
        super().insertFromMimeData(source)


class NoteEditor(QWidget):
    saved = Signal(str)  # the text the store now holds
    signed = Signal(object)  # the SignedNote
    discarded = Signal(str)  # the draft's id

    def __init__(self, ws: Workstation, background: Background, notes: Notes, draft: Draft):
        super().__init__()
        self.draft = draft
        self._ws, self._background, self._notes = ws, background, notes
        self._queued = self._stored = draft.text  # last text sent to / confirmed by the store
        self._finished = False  # signed or discarded: nothing more to save
        self._open = self._mark_open()  # no update is staged while a note is being written
        self._signing = False
        self._window: QWidget | None = None
        self.dialog: SignDialog | None = None
        self.setAccessibleName(f"{draft.title} draft")

        self.title = ToneLabel(f"{draft.title} — draft", None, "Note title")
        self.title.setFont(scaled_font(self, 1.15, bold=True))
        self.status = ToneLabel(f"Saved {when_text(draft.saved_at, seconds=True)}", "muted",
                                "Save status")
        self.status.setWordWrap(False)
        self.hint = ToneLabel("", "muted", "About this note")
        self.original = QPlainTextEdit()
        self.original.setReadOnly(True)
        self.original.setAccessibleName("The signed note this addendum is for")
        for part in (self.hint, self.original):
            part.setVisible(bool(draft.appends))
        self.text = NoteText(draft.text, DRAFT_ROOM * ws.policy.max_note_kb)
        self.text.setAccessibleName("Note text")
        self.text.setTabChangesFocus(True)  # keyboard users leave the editor with Tab
        self.text.setFont(scaled_font(self, 1.05))
        self.text.setTextCursor(self._start_cursor())
        self.sign_button = QPushButton("&Sign…")
        self.sign_button.setAccessibleName("Sign note")
        self.sign_button.setToolTip("Type your password to sign; a signed note is locked.")
        self.discard_button = QPushButton("Discard draft…")
        self.discard_button.setAccessibleName("Discard draft")
        self.note_size = ToneLabel("", "muted", "Note size")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.note_size, 1)
        bottom.addWidget(self.sign_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.hint)
        box.addWidget(self.original, 1)
        box.addWidget(self.text, 2)
        box.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setInterval(max(50, round(ws.policy.note_autosave_seconds * 1000)))
        self.timer.timeout.connect(self.save)
        self.timer.start()
        self.text.installEventFilter(self)
        self.counting = QTimer(self, singleShot=True, interval=250)  # count once typing pauses
        self.counting.timeout.connect(self._count)
        self.text.textChanged.connect(self.counting.start)
        self.text.paste_refused.connect(self._say_refused)
        self._count()
        self.sign_button.clicked.connect(self.ask_to_sign)
        self.discard_button.clicked.connect(self._ask_to_discard)
        if draft.appends:
            notes_ops.read_signed(self, background, notes, ws.session, draft.patient_id,
                                  draft.appends).success(self._show_original).failure(
                lambda exc: self.hint.setText(sentence(exc))).run()

    def _show_original(self, note: SignedNote) -> None:
        """The signed note stays in view above the addendum, as it was signed."""
        when = f" at {when_text(note.date, with_date=True)}" if note.date else ""
        self.hint.setText(f"Adding to {note.title}, signed by {note.signed_by}{when}. That "
                          "note stays as signed; the addendum is added beside it.")
        self.original.setPlainText(note.text or "")

    # -- size ---------------------------------------------------------------------------

    def _count(self) -> None:
        """Show the note's size against the limit; past it, why Sign is off."""
        if self._finished:
            return
        kb, limit = size_kb(self.text.toPlainText()), self._ws.policy.max_note_kb
        over = kb > limit
        self.note_size.set_tone("alert" if over else "muted")
        self.note_size.setText(too_long_to_sign(self._ws.policy, kb) if over
                          else f"{kb:,} KB of {limit:,} KB")
        self.sign_button.setEnabled(not over and not self._signing)

    def _say_refused(self, why: str) -> None:
        self.note_size.set_tone("alert")
        self.note_size.setText(why)

    # -- saving -------------------------------------------------------------------------

    def save(self) -> None:
        """Queue a save of the text as it is now, unless the store has it already."""
        if self._finished or self._signing:
            return
        typed = self.text.toPlainText()
        if typed == self._queued:
            return
        self._queued = typed
        self.status.set_tone("muted")
        self.status.setText("Saving…")
        notes_ops.save_draft(self, self._background, self._notes, self._ws.session,
                             self.draft.id, typed).success(
            lambda at: self._saved(typed, at)).failure(self._not_saved).run()

    def _saved(self, typed: str, at: str) -> None:
        self._stored = typed
        self.saved.emit(typed)
        if not self._finished:
            self.status.set_tone("muted")
            self.status.setText(f"Saved {when_text(at, seconds=True)}")

    def _not_saved(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):  # signed or discarded elsewhere: nothing to save into
            self._finish(f"Not saved: {exc.message}")
            return
        if isinstance(exc, InvalidRecord):  # too long to keep: saved again once it changes
            self.status.set_tone("alert")
            self.status.setText(exc.message)
            return
        self._queued = self._stored  # the next tick tries again
        seconds = self._ws.policy.note_autosave_seconds
        self.status.set_tone("alert")
        self.status.setText(f"Not saved yet ({sentence(exc)}). Trying again every "
                            f"{seconds:g} s; keep this note open.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if ((watched is self.text and event.type() == QEvent.Type.FocusOut)
                or (watched is self._window and event.type() == QEvent.Type.Close)):
            self.save()
        return False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._window:
            if self._window is not None:
                self._window.removeEventFilter(self)
            self._window = window
            window.installEventFilter(self)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.save()
        super().hideEvent(event)

    def _start_cursor(self) -> QTextCursor:
        """A fresh note from a template (never saved since it started) starts under its
        first heading; a draft taken up again, at its end."""
        cursor = QTextCursor(self.text.document())
        if not self.draft.appends and self.draft.saved_at == self.draft.created_at:
            cursor.movePosition(QTextCursor.MoveOperation.Down)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor

    # -- signing ------------------------------------------------------------------------

    def ask_to_sign(self) -> None:
        notes_ops.cosigners(self, self._background, self._notes, self._ws.session).success(
            self._open_sign_dialog).failure(self._say_problem).run()

    def _open_sign_dialog(self, form: tuple[list[tuple[str, str]], bool]) -> None:
        session, (cosigners, asks_code) = self._ws.session, form
        self.dialog = SignDialog(self._background, f"Sign {self.draft.title}",
                                 f"{session.full_name} ({session.user})", cosigners, self._sign,
                                 self, asks_code=asks_code)
        self.dialog.saved.connect(self._signed)
        self.dialog.refused.connect(self._not_signed)
        self.dialog.open()

    def _sign(self, dialog: SignDialog, password: str, cosigner: str | None,
              code: str | None) -> Op[SignedNote]:
        """Autosave stops and the text is frozen: what is signed is what is shown."""
        self._signing = True
        self.text.setReadOnly(True)
        return notes_ops.sign(dialog, self._background, self._notes, self._ws.session,
                              self.draft.id, self.text.toPlainText(), password, cosigner, code)

    def _signed(self, note: SignedNote) -> None:
        asked = (f" Awaiting cosignature by {note.cosign_requested}."
                 if note.cosign_requested else "")
        self._finish(f"Signed by {note.signed_by} at {when_text(note.date)}; locked. "
                     f"To correct it, add an addendum.{asked}", tone=None)
        self.title.setText(note.title)
        self.signed.emit(note)

    def _not_signed(self, _exc: Exception) -> None:
        """The dialog, still open, says why; the note can be edited again."""
        self._signing = False
        self.text.setReadOnly(False)

    def _say_problem(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))

    # -- discarding ---------------------------------------------------------------------

    def _ask_to_discard(self) -> None:
        question = QMessageBox(QMessageBox.Icon.Warning, "Discard draft",
                               f"Discard this draft of the {self.draft.title}? What is "
                               "written in it is deleted and cannot be brought back.",
                               parent=self)
        question.setAccessibleName("Discard draft?")
        discard = question.addButton("Discard draft", QMessageBox.ButtonRole.DestructiveRole)
        question.addButton("Keep writing", QMessageBox.ButtonRole.RejectRole)
        question.buttonClicked.connect(
            lambda button: self._discard() if button is discard else None)
        question.open()

    def _discard(self) -> None:
        draft_id = self.draft.id
        self._finish("Discarding…")
        notes_ops.discard_draft(self, self._background, self._notes, self._ws.session,
                                draft_id).success(lambda _: self.discarded.emit(draft_id)).failure(
            self._not_discarded).run()

    def _not_discarded(self, exc: Exception) -> None:
        self._finished = False
        self._open = self._mark_open()
        self.text.setReadOnly(False)
        self.sign_button.show()
        self.discard_button.show()
        self.note_size.show()
        self.timer.start()
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))

    def _mark_open(self):
        """The store marked busy until released, or until this editor is deleted (the
        connection holds the mark itself: the editor's attributes are gone by then)."""
        mark = self._ws.mark_note_open()
        self.destroyed.connect(lambda *_: mark.release())
        return mark

    def _finish(self, status: str, tone: str | None = "muted") -> None:
        self._finished = True
        self._open.release()
        self.timer.stop()
        self.text.setReadOnly(True)
        self.sign_button.hide()
        self.discard_button.hide()
        self.note_size.hide()
        self.status.set_tone(tone)
        self.status.setWordWrap(True)
        self.status.setText(status)
