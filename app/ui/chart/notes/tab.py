"""The Notes (and Reports) tab: the list of documents, and the selected one's text.

The text is read only when a note is selected (one audited read per note opened) and is
shown as plain text in a read-only viewer: a note's markup is never rendered, so nothing in
a record can run, load or restyle anything.

Given the workstation (the Notes tab of a chart), it is also where notes are written: the
user's drafts for this patient are listed first ("Draft — continue"), above the signed
notes; New note starts one from a template (one naming a field Hearth does not fill is
listed greyed, and the tab says why), Addendum adds to the selected signed note (or the one
just signed), Cosign cosigns one that awaits the user's cosignature, and Entered in error…
withdraws a signed note (its author, or anyone who may sign notes) with a reason: the note
stays listed and readable, marked, and its text never changes; a note cosigned or withdrawn
here shows its new mark at once. A draft opens in a NoteEditor in place of the viewer; each
editor lives as long as the tab, so going back to a draft finds the cursor where it was,
and reopening the chart reopens the newest draft as saved.
"""

from dataclasses import replace

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.charting.trends import Note, Trends
from app.clinical.notes.notes import Draft, SignedNote
from app.clinical.notes.templates import TEMPLATES, offered
from app.display_time import when_text
from app.security.roles import Permission
from app.security.session import Session
from app.ui.chart.entry_dialogs import ReasonDialog
from app.ui.chart.notes.editor import NoteEditor
from app.ui.chart.notes.sign_dialog import SignDialog
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.chart.table import ITEM_ROLE, SectionTab
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import notes as notes_ops
from app.ui.operations import supersede
from fhir_common.messages import sentence

DRAFT_COLUMNS = (Column("Started", lambda d: when_text(d.created_at, with_date=True)),
                 Column("Note", lambda d: d.title),
                 Column("Status", lambda _: "Draft — continue"))
SHOWN_DRAFTS = 4  # rows before the drafts list scrolls
COSIGN_MEANING = ("Cosigning adds your signature beside the author's. The note's text "
                  "does not change.")
IN_ERROR_MEANING = ("For a note that should never have been written (wrong patient, wrong "
                    "visit). It stays in the chart, marked entered in error with your reason, "
                    "and its text does not change. To correct or add to a note, write an "
                    "addendum instead.")


class NotesTab(QWidget):
    opened = Signal(str)  # the id of the note now shown
    drafts_changed = Signal(int)  # how many drafts of this patient the user has

    def __init__(self, trends: Trends, session: Session, patient_id: str,
                 background: Background, records: SectionTab, what: str = "note",
                 ws: Workstation | None = None):
        super().__init__()
        self._trends, self._session = trends, session
        self._background = background
        self._patient_id = patient_id
        self._ws = ws
        self.shown_note: SignedNote | None = None
        self.editors: dict[str, NoteEditor] = {}
        self.records = records
        self.heading = ToneLabel(f"Select a {what} to read it.", "muted", f"Selected {what}")
        self.heading.setFont(scaled_font(self, bold=True))
        self.signature = ToneLabel("", None, "Signatures")
        self.signature.hide()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(f"{what.capitalize()} text")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.viewer = QWidget()
        box = QVBoxLayout(self.viewer)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.signature)
        box.addWidget(self.text)
        self.pane = QStackedWidget()
        self.pane.setAccessibleName(f"{what.capitalize()} shown")
        self.pane.addWidget(self.viewer)
        self.lists = QWidget()
        self._lists = QVBoxLayout(self.lists)
        self._lists.setContentsMargins(0, 0, 0, 0)
        self.cosign_dialog: SignDialog | None = None
        self.error_dialog: ReasonDialog | None = None
        if ws is not None:
            self._notes = ws.notes
            self._writing_controls(ws.session)
            self._lists.addWidget(ToneLabel("Signed notes", "muted", "Signed notes heading"))
            records.layout().setContentsMargins(0, 0, 0, 0)  # in line with the drafts
        self._lists.addWidget(records)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.lists)
        split.addWidget(self.pane)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)
        records.table.selectionModel().selectionChanged.connect(self._selected)

    # -- reading ------------------------------------------------------------------------

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if selected.isEmpty():
            return
        item = selected.indexes()[0].data(ITEM_ROLE)
        self.shown_note = None
        self._enable_actions()
        if self._ws is not None:
            self.drafts.clearSelection()
        self._show_pane(self.viewer)
        self.heading.set_tone("muted")
        self.heading.setText(f"Opening {item.title}…")
        self.signature.hide()
        self.text.clear()
        if self._ws is not None and item.type == "DocumentReference":
            notes_ops.read_signed(self, self._background, self._notes, self._session,
                                  self._patient_id, item.id).success(
                lambda note: self._show_signed(item.id, note)).failure(self._fail).run()
        else:
            notes_ops.read_document(self, self._background, self._trends, self._session,
                                    self._patient_id, item.type, item.id).success(
                lambda note: self._show(item.id, note)).failure(self._fail).run()

    def _show(self, note_id: str, note: Note) -> None:
        self.heading.set_tone(None)
        self.heading.setText(f"{note.title}  ·  {(note.date or 'undated')[:10]}")
        self.text.setPlainText(note.text or "")
        self.text.setPlaceholderText(note.why_no_text or "")
        self.opened.emit(note_id)

    def _show_signed(self, note_id: str, note: SignedNote) -> None:
        self.shown_note = note
        self._show(note_id, Note(note.title, note.date, _with_addenda(note), note.why_no_text))
        user = self._ws.session.user
        self.signature.set_tone("alert" if note.status == "entered-in-error" else None)
        self.signature.setFont(scaled_font(self, bold=note.awaiting_cosignature
                                           and note.cosign_requested == user))
        self.signature.setText(signature_line(note, user))
        self.signature.setVisible(bool(self.signature.text()))
        self._enable_actions()

    def _fail(self, exc: Exception) -> None:
        self.heading.set_tone("alert")
        self.heading.setText(sentence(exc))

    # -- writing ------------------------------------------------------------------------

    def _writing_controls(self, session: Session) -> None:
        """New note, Continue draft, Addendum and Cosign, and the user's drafts."""
        self.new_note = QPushButton("New note")
        self.new_note.setAccessibleName("New note from a template")
        self.templates = QMenu(self.new_note)
        self.templates.setAccessibleName("Note templates")
        self.templates.aboutToShow.connect(self.list_templates)
        self.new_note.setMenu(self.templates)
        self.continue_draft = QPushButton("Continue draft")
        self.continue_draft.setAccessibleName("Continue the selected draft")
        self.addendum = QPushButton("Addendum")
        self.addendum.setAccessibleName("Add an addendum to the selected note")
        self.cosign = QPushButton("Cosign…")
        self.cosign.setAccessibleName("Cosign the selected note")
        self.in_error = QPushButton("Entered in error…")
        self.in_error.setAccessibleName("Mark the selected note entered in error")
        actions = QHBoxLayout()
        for button in (self.new_note, self.continue_draft, self.addendum, self.cosign,
                       self.in_error):
            actions.addWidget(button)
        actions.addStretch()
        self.action_message = ToneLabel("", "alert", "Notes message")
        self.action_message.hide()
        self.drafts_model = RowsModel(DRAFT_COLUMNS)
        self.drafts = row_table(self.drafts_model, "Your drafts", stretch_column=1)
        self.drafts_heading = ToneLabel("Your drafts: saved as you type, not yet signed",
                                        "muted", "Your drafts heading")
        self._lists.addLayout(actions)
        self._lists.addWidget(self.action_message)
        self._lists.addWidget(self.drafts_heading)
        self._lists.addWidget(self.drafts)
        writes = session.may(Permission.WRITE_NOTES)
        for control in (self.new_note, self.continue_draft, self.addendum):
            control.setVisible(writes)
        self.cosign.setVisible(session.may(Permission.SIGN_NOTES))
        self.in_error.setVisible(writes or session.may(Permission.SIGN_NOTES))
        self._show_drafts([])
        self.drafts.selectionModel().selectionChanged.connect(self._draft_selected)
        self.continue_draft.clicked.connect(self._continue)
        self.addendum.clicked.connect(self._start_addendum)
        self.cosign.clicked.connect(self._ask_to_cosign)
        self.in_error.clicked.connect(self._ask_why_in_error)
        if writes:
            self.list_templates()
            notes_ops.drafts(self, self._background, self._notes, session,
                             self._patient_id).success(self._reopen).failure(self._say).run()

    def list_templates(self) -> None:
        """New note's menu, from the template files as they are now: one that cannot be
        used (it names a field Hearth does not fill) is listed greyed, and the message
        above the lists says which file and field."""
        self.templates.clear()
        problems = []
        for template, problem in offered(TEMPLATES):
            action = self.templates.addAction(
                template.title, lambda key=template.key: self.start_note(key))
            action.setEnabled(problem is None)
            if problem:
                action.setToolTip(problem)
                problems.append(problem)
        self.templates.setToolTipsVisible(True)
        if problems:
            self.action_message.setText(" ".join(problems))
            self.action_message.show()

    def start_note(self, template: str, appends: str | None = None) -> None:
        notes_ops.start_draft(self, self._background, self._notes, self._session,
                              self._patient_id, template, appends).success(
            self._started).failure(self._say).run()

    def _started(self, draft: Draft) -> None:
        self._show_drafts([draft, *self.drafts_model.rows()])
        self.open_draft(draft)

    def open_draft(self, draft: Draft) -> NoteEditor:
        """Show the draft's editor (the same one, if it was open before) and type in it."""
        editor = self.editors.get(draft.id)
        if editor is None:
            editor = NoteEditor(self._ws, self._background, self._notes, draft)
            editor.signed.connect(lambda note, e=editor: self._after_signing(e, note))
            editor.discarded.connect(lambda _, e=editor: self._after_discarding(e))
            self.editors[draft.id] = editor
            self.pane.addWidget(editor)
        supersede(self, notes_ops.SHOWN)  # a note still on its way is no longer wanted
        self.shown_note = None
        self.records.table.clearSelection()
        self._enable_actions()
        self._show_pane(editor)
        editor.text.setFocus()
        return editor

    def _reopen(self, drafts: list[Draft]) -> None:
        """The chart opens where the user left off: the newest draft in its editor."""
        self._show_drafts(drafts)
        if drafts:
            self.open_draft(drafts[0])

    def _draft_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not selected.isEmpty():
            self.open_draft(row_at(self.drafts))

    def _continue(self) -> None:
        draft = row_at(self.drafts) or next(iter(self.drafts_model.rows()), None)
        if draft is not None:
            self.open_draft(draft)

    def _start_addendum(self) -> None:
        note = self.shown_note
        if note is not None:
            self.start_note("progress", appends=note.id)

    def _ask_to_cosign(self) -> None:
        note = self.shown_note
        if note is None:
            return
        session, notes, background = self._ws.session, self._notes, self._background
        dialog = SignDialog(
            background, f"Cosign {note.title} by {note.signed_by}",
            f"{session.full_name} ({session.user})", None,
            lambda owner, password, _cosigner, code: notes_ops.cosign(
                owner, background, notes, session, note.id, password, code),
            self, COSIGN_MEANING)
        dialog.saved.connect(lambda cosigned: self._show_marked(note, cosigned))
        self.cosign_dialog = dialog
        dialog.open()
        notes_ops.asks_code(dialog, background, notes, session).success(dialog.ask_code).run()

    def _ask_why_in_error(self) -> None:
        note = self.shown_note
        if note is None:
            return
        session, notes, background = self._ws.session, self._notes, self._background
        dialog = ReasonDialog(
            background, "Mark note entered in error", note, "Mark entered in error",
            lambda owner, reason, _when: notes_ops.mark_entered_in_error(
                owner, background, notes, session, note.id, reason), None, self)
        dialog.box.insertWidget(1, ToneLabel(IN_ERROR_MEANING, None,
                                             "What entered in error means"))
        dialog.saved.connect(lambda marked: self._show_marked(note, marked))
        self.error_dialog = dialog
        dialog.open()

    def _show_marked(self, note: SignedNote, marked: SignedNote) -> None:
        """The note just cosigned or withdrawn here stays in view with its new mark, as the
        service returned it (no read again); the chart hears the Changes and hands the tab
        a new list, and the Inbox reads itself again."""
        supersede(self, notes_ops.SHOWN)
        self._show_signed(note.id, replace(marked, addenda=note.addenda))

    def _after_signing(self, editor: NoteEditor, note: SignedNote) -> None:
        """The signed note stays in view, read-only, and is the note Addendum adds to at
        once; the drafts lose it (the list gains it when the chart hands the tab a new
        one, with its row selected)."""
        if self.pane.currentWidget() is editor:
            self.shown_note = note
        self.editors.pop(editor.draft.id, None)
        self._show_drafts([d for d in self.drafts_model.rows() if d.id != editor.draft.id])

    def _after_discarding(self, editor: NoteEditor) -> None:
        self.editors.pop(editor.draft.id, None)
        self._show_drafts([d for d in self.drafts_model.rows() if d.id != editor.draft.id])
        self._show_pane(self.viewer)

    def replace_records(self, fresh: SectionTab) -> None:
        """The list read again after a change (a note signed, cosigned, withdrawn or
        received); the note or draft shown stays."""
        if self._ws is not None:
            fresh.layout().setContentsMargins(0, 0, 0, 0)
        self._lists.replaceWidget(self.records, fresh)
        self.records.deleteLater()
        self.records = fresh
        self._select_shown(fresh)
        fresh.table.selectionModel().selectionChanged.connect(self._selected)
        self._enable_actions()

    def _select_shown(self, fresh: SectionTab) -> None:
        """Select the note the viewer shows in a new list, if it is on the page read,
        without reading the note again (the list is not yet listened to). A note just
        signed stays in its editor, its row unselected: selecting it opens the viewer."""
        shown = self.shown_note if self.pane.currentWidget() is self.viewer else None
        for row in range(fresh.model.rowCount()) if shown else ():
            if fresh.model.index(row, 0).data(ITEM_ROLE).id == shown.id:
                fresh.table.selectRow(row)
                return

    def _show_drafts(self, drafts: list[Draft]) -> None:
        self.drafts_model.set_rows(drafts)
        self.drafts_heading.setVisible(bool(drafts))
        self.drafts.setVisible(bool(drafts))
        rows = min(len(drafts), SHOWN_DRAFTS)
        self.drafts.setFixedHeight(self.drafts.horizontalHeader().sizeHint().height() + 4
                                   + rows * self.drafts.verticalHeader().defaultSectionSize())
        self.drafts_changed.emit(len(drafts))
        self._enable_actions()

    def _enable_actions(self) -> None:
        if self._ws is None:
            return
        note, user = self.shown_note, self._ws.session.user
        self.continue_draft.setEnabled(self.drafts_model.rowCount() > 0)
        self.addendum.setEnabled(bool(note and note.locked and note.status == "current"))
        self.cosign.setEnabled(bool(note and note.awaiting_cosignature
                                    and note.cosign_requested == user))
        self.in_error.setEnabled(self._may_mark_in_error(note))
        self.in_error.setToolTip(
            "Withdraw the selected note: it stays in the chart, marked, with your reason"
            if self.in_error.isEnabled()
            else "Select a signed note to mark it entered in error" if note is None
            else "This note is already marked entered in error" if note.status != "current"
            else "Only the note's author or a clinician who may sign notes can withdraw it")

    def _may_mark_in_error(self, note: SignedNote | None) -> bool:
        """A signed, current note; its author, or anyone who may sign notes (as the service
        checks again)."""
        if note is None or not note.locked or note.status != "current":
            return False
        session = self._ws.session
        return (session.may(Permission.SIGN_NOTES) or (
            note.author_user == session.user and session.may(Permission.WRITE_NOTES)))

    def _show_pane(self, widget: QWidget) -> None:
        """Show a viewer or an editor; editors of notes signed or discarded since go."""
        self.pane.setCurrentWidget(widget)
        for index in reversed(range(self.pane.count())):
            page = self.pane.widget(index)
            if (isinstance(page, NoteEditor) and page is not widget
                    and page not in self.editors.values()):
                self.pane.removeWidget(page)
                page.deleteLater()

    def _say(self, exc: Exception) -> None:
        self.action_message.setText(sentence(exc))
        self.action_message.show()


def signature_line(note: SignedNote, user: str) -> str:
    """Who signed, cosigned or withdrew the note, and when, in one line."""
    if not note.locked:
        return ""
    parts = [f"Signed by {note.signed_by or 'its author'}"
             + (f" at {when_text(note.date, with_date=True)}" if note.date else "")]
    if note.cosigned_by:
        when = f" at {when_text(note.cosigned_at, with_date=True)}" if note.cosigned_at else ""
        parts.append(f"cosigned by {note.cosigned_by}{when}")
    elif note.awaiting_cosignature:
        parts.append("awaiting your cosignature (Cosign…)" if note.cosign_requested == user
                     else f"awaiting cosignature by {note.cosign_requested}")
    if note.status == "entered-in-error":
        parts.append(f"ENTERED IN ERROR: {note.error_reason or 'no reason given'}")
    return " · ".join(parts)


def _with_addenda(note: SignedNote) -> str | None:
    """The note's text, then each addendum under a line saying who added it and when."""
    if not note.addenda:
        return note.text
    parts = [note.text or ""]
    for addendum in note.addenda:
        when = f" at {when_text(addendum.date, with_date=True)}" if addendum.date else ""
        parts.append(f"——— Addendum signed by {addendum.signed_by}{when} ———\n"
                     f"{addendum.text or ''}")
    return "\n\n".join(parts)
