"""The Notes (and Reports) tab: the list of documents, and the selected one's text.

The text is read only when a note is selected (one audited read per note opened) and is
shown as plain text in a read-only viewer: a note's markup is never rendered, so nothing in
a record can run, load or restyle anything.
"""

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from app.clinical.trends import Note, Trends
from app.security.session import Session
from app.ui.background import Background
from app.ui.chart_style import ToneLabel, scaled_font
from app.ui.chart_table import ITEM_ROLE, SectionTab
from app.ui.chart_work import run_for
from app.ui.messages import sentence


class NotesTab(QWidget):
    opened = Signal(str)  # the id of the note now shown

    def __init__(self, trends: Trends, session: Session, patient_id: str,
                 background: Background, records: SectionTab, what: str = "note"):
        super().__init__()
        self._read = lambda kind, rid: trends.note(session, patient_id, kind, rid)
        self._background = background
        self._wanted: str | None = None
        self.records = records
        self.heading = ToneLabel(f"Select a {what} to read it.", "muted", f"Selected {what}")
        self.heading.setFont(scaled_font(self, bold=True))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(f"{what.capitalize()} text")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        viewer = QWidget()
        box = QVBoxLayout(viewer)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.text)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(records)
        split.addWidget(viewer)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)
        records.table.selectionModel().selectionChanged.connect(self._selected)

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if selected.isEmpty():
            return
        item = selected.indexes()[0].data(ITEM_ROLE)
        self._wanted = item.id
        self.heading.set_tone("muted")
        self.heading.setText(f"Opening {item.title}…")
        self.text.clear()
        run_for(self, self._background, lambda: self._read(item.type, item.id),
                lambda note: self._show(item.id, note), self._fail)

    def _show(self, note_id: str, note: Note) -> None:
        if note_id != self._wanted:
            return
        self.heading.set_tone(None)
        self.heading.setText(f"{note.title}  ·  {(note.date or 'undated')[:10]}")
        self.text.setPlainText(note.text or "")
        self.text.setPlaceholderText(note.why_no_text or "")
        self.opened.emit(note_id)

    def _fail(self, exc: Exception) -> None:
        self.heading.set_tone("alert")
        self.heading.setText(sentence(exc))
