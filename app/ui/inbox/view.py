"""The Inbox tab: the notes awaiting the signed-in user's cosignature and, beside them for
whoever signs orders, the results to review and overdue orders (app.ui.inbox.results).

Shown to every role that writes notes. A physician (SIGN_NOTES) sees the notes others
asked them to cosign, oldest first, read on the database thread when the tab is built,
each time it is shown, when a note changes (signed or cosigned here, received by sync: the
workspace's Changes) and on Refresh (F5, at the top of the tab: it reads both lists); only
the newest load's answer is shown. The tab's title carries the count of notes and results
the user can open ("Inbox (2)"): items of a restricted chart they may not open are left out
of it as of the lists, which say how many they withheld. Results filed by `hearth import`
in another process announce no Changes here, so every COUNT_EVERY_MS the open results are
counted (a count names no patient: not an audited read) and, when the count moved, the title
says so and a visible list is read again.
A nurse, who asks for cosignatures but gives none, is told so instead of being shown an
empty list.

Opening a row (Enter, double-click, Open chart) asks the workspace (`open_note`) to open
the patient's chart on its Notes tab with that note selected (ChartView.select_record);
cosigning happens there, with the chart in view.
"""

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.access.gate import withheld_sentence
from app.clinical.notes.notes import SignedNote
from app.clinical.records import Changes
from app.clinical.results.inbox import PAGE
from app.display_time import when_text
from app.security.roles import Permission
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.inbox.results import ResultsPanel
from app.ui.operations import notes as notes_ops
from app.ui.operations import results as results_ops
from app.ui.operations import waiting
from fhir_common.messages import sentence

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
COUNT_EVERY_MS = 30_000  # how often the title's count of results is read again
EMPTY = "Nothing is waiting for your cosignature."
NOT_A_COSIGNER = ("Only physicians cosign notes. Notes you sign asking a physician to "
                  "cosign wait in that physician's inbox.")
COLUMNS = (
    Column("Patient", lambda n: n.patient_name),
    Column("Note", lambda n: n.title),
    Column("Written by", lambda n: n.signed_by or "its author"),
    Column("Signed", lambda n: when_text(n.date, with_date=True, missing="undated")),
)


def inbox_title(count: int) -> str:
    return f"Inbox ({count})" if count else "Inbox"


class InboxView(QWidget):
    open_note = Signal(str, str)  # patient id, note id
    open_result = Signal(str, str, str)  # patient id, chart section, record id
    open_chart = Signal(str)  # patient id (an overdue order)
    counted = Signal(int)  # how many notes await the user's cosignature, and results

    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None):
        """`changes`: the workspace's signal of Changes (a view on its own hears them
        itself)."""
        super().__init__()
        self._ws, self._background = ws, background
        self._notes = ws.notes
        self.cosigns = ws.session.may(Permission.SIGN_NOTES)
        self.heading = ToneLabel("Notes awaiting your cosignature", None, "Inbox heading")
        self.refresh = QPushButton("Refresh")
        self.refresh.setAccessibleName("Refresh the inbox")
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = row_table(self.model, "Notes awaiting your cosignature", stretch_column=1)
        self.message = ToneLabel("", "muted", "Inbox message")
        self.open_button = QPushButton("Open chart")
        self.open_button.setAccessibleName("Open the chart at the selected note")
        self._counts = {"notes": 0, "results": 0}
        self.results: ResultsPanel | None = None
        if ws.session.may(Permission.SIGN_ORDERS):
            self.results = ResultsPanel(ws, background)
            self.results.open_result.connect(self.open_result.emit)
            self.results.open_chart.connect(self.open_chart.emit)
            self.results.counted.connect(self._listed_results)
            self.counter = QTimer(self)
            self.counter.setInterval(COUNT_EVERY_MS)
            self.counter.timeout.connect(self.recount)
            self.counter.start()
        self.refresh.setToolTip(" and ".join(filter(None, [
            "the notes awaiting your cosignature" if self.cosigns else None,
            "the results to review" if self.results is not None else None])).join(
            ("Read ", " again (F5)")))
        self.refresh.clicked.connect(lambda: self.load())
        QShortcut(QKeySequence.StandardKey.Refresh, self,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut).activated.connect(
            lambda: self.load())
        self._layout()
        if not self.cosigns:
            for widget in (self.heading, self.table, self.open_button):
                widget.hide()
            self.refresh.setVisible(self.results is not None)
            self._say(NOT_A_COSIGNER)
            return
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.table.doubleClicked.connect(lambda _: self._open_current())
        self.table.installEventFilter(self)
        self.open_button.clicked.connect(self._open_current)
        self._enable()
        changes_of(self, ws.changes, changes).connect(self.take)
        self.load()

    def take(self, changes: Changes) -> None:
        """Read the inbox again when a note changed; the results when a result did."""
        if self.results is not None:
            self.results.take(changes)
        if "DocumentReference" in changes.kinds:
            self.load()

    def _layout(self) -> None:
        """Refresh above both lists, on the right of the tab, as the tab's own button."""
        top = QHBoxLayout()
        top.addStretch()
        top.addWidget(self.refresh)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.open_button)
        box = QVBoxLayout()
        box.addWidget(self.heading)
        box.addWidget(self.table, 1)
        box.addLayout(bottom)
        box.addStretch()  # holds the lines at the top when there is no list to show
        sides = QHBoxLayout()
        sides.addLayout(box, 2)
        if self.results is not None:
            sides.addWidget(self.results, 3)
        whole = QVBoxLayout(self)
        whole.addLayout(top)
        whole.addLayout(sides, 1)

    # -- loading ---------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Shown again: what others signed since, or what was cosigned in a chart."""
        super().showEvent(event)
        if self.results is not None and not waiting(self.results, results_ops.TO_REVIEW):
            self.results.load()
        if self.cosigns and not waiting(self, notes_ops.INBOX):
            self.load(results=False)

    def load(self, results: bool = True) -> None:
        if results and self.results is not None:
            self.results.load()
        if not self.cosigns:
            return
        if not self.model.rowCount():
            self._say("Loading the notes awaiting your cosignature…")
        notes_ops.inbox(self, self._background, self._notes, self._ws.session).success(
            self._loaded).failure(self._failed).run()

    def _loaded(self, found: list[SignedNote]) -> None:
        kept = row_at(self.table)
        self.model.set_rows(found)
        self._select(kept.id if kept else None)
        if not found:
            self._say(EMPTY)
        else:
            count = "1 note awaits" if len(found) == 1 else f"{len(found)} notes await"
            self._say(f"{count} your cosignature, oldest first. Open a note's chart to read "
                      "and cosign it.")
        withheld = getattr(found, "withheld", 0)
        if withheld:  # notes of a restricted chart this user may not open: said, not hidden
            self._say(f"{self.message.text()} {withheld_sentence(withheld)}" if found
                      else withheld_sentence(withheld), alert=True)
        self.table.setVisible(bool(found))
        self._enable()
        self._count("notes", len(found))

    def recount(self) -> None:
        """Count the open results (not an audited read: no patient is named)."""
        if self.results is not None:
            results_ops.count(self, self._background, self._ws.results_inbox,
                              self._ws.session).success(self._recounted).run()

    def _recounted(self, count: int) -> None:
        moved = count != self._counts["results"]
        self._count("results", count)
        if moved and self.results is not None and self.results.isVisible():
            self.results.load()

    def _listed_results(self, shown: int) -> None:
        """A full page may not be all: the larger count already known is kept."""
        self._count("results", shown if shown < PAGE else max(shown, self._counts["results"]))

    def _count(self, kind: str, count: int) -> None:
        self._counts[kind] = count
        self.counted.emit(sum(self._counts.values()))

    def _failed(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def _select(self, note_id: str | None) -> None:
        for view_row in range(self.table.model().rowCount()):
            if row_at(self.table, view_row).id == note_id:
                self.table.selectRow(view_row)
                return
        if self.table.model().rowCount():
            self.table.selectRow(0)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(text)

    # -- opening ---------------------------------------------------------------------------

    def _enable(self) -> None:
        self.open_button.setEnabled(row_at(self.table) is not None)

    def _open_current(self) -> None:
        note = row_at(self.table)
        if note is not None:
            self.open_note.emit(note.patient_id, note.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.table and event.type() == QEvent.Type.KeyPress and \
                event.key() in ENTER:
            self._open_current()
            return True
        return False

