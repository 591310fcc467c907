"""Acknowledge a result: the clinician says they have seen it, with a note if they wish.

The dialog shows what is acknowledged, each result's value, unit, range and flag (read with
the inbox item, in its one audited read), so a critical value is never acknowledged unseen.

A form that saves, so it is an EntryDialog: Acknowledge runs one audited write (the review
Task completed, the note kept on it) and the dialog stays open with the service's sentence
if it is refused (filed to someone else, already acknowledged elsewhere).
"""

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.bootstrap import Workstation
from app.clinical.results.inbox import InboxItem
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.inbox.result_rows import flag_text, when_resulted
from app.ui.operations import Op
from app.ui.operations import results as results_ops


class AcknowledgeDialog(EntryDialog):
    working = "Acknowledging…"

    def __init__(self, ws: Workstation, background: Background, item: InboxItem,
                 parent: QWidget | None = None):
        super().__init__(background, "Acknowledge result",
                         f"{item.test} for {item.patient}", "Acknowledge", parent)
        self._ws, self._item = ws, item
        flag = flag_text(item)
        about = ToneLabel(", ".join(filter(None, [
            flag, f"resulted {when_resulted(item)}",
            "patient recorded as deceased" if item.deceased else None])),
            "alert" if flag or item.deceased else "muted", "About this result")
        self.form.addRow(about)
        self.results = [ToneLabel(line.words, "alert" if line.flagged else None,
                                  "Result being acknowledged") for line in item.results]
        for label in self.results:  # never acknowledged unseen: each value, range and flag
            self.form.addRow(label)
        if item.order:
            self.form.addRow(ToneLabel(f"Answers {item.order}", "muted", "Order answered"))
        for note in item.notes:
            self.form.addRow(ToneLabel(note, "muted", "Note filed with this result"))
        self.note = self.field("&Note", QPlainTextEdit(), "Note, optional")
        self.note.setPlaceholderText("Optional, e.g. Repeat potassium today; patient called")
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        self.note.setTabChangesFocus(True)
        self.note.setFocus()

    def operation(self) -> Op:
        return results_ops.acknowledge(self, self._background, self._ws.results_inbox,
                                       self._ws.session, self._item.task_id,
                                       self.note.toPlainText().strip())
