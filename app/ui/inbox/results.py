"""The Inbox's results side: results to review, and the user's orders still without one.

"Results to review" is ws.results_inbox.open_items: the results filed to the signed-in
physician (by import or by sync) and the clinic queue (results whose order is not here),
critical first, flagged rows in the alert tone, a deceased patient marked. Open (Enter,
double-click) asks the workspace to open the chart at the report (`open_result`: patient,
chart section, record id); Acknowledge… asks for an optional note and saves once (audited);
the row leaves the list at once and the list is read again when the change is heard.

"Overdue orders" is ws.overdue_orders.mine: orders signed by the user with no result after
the policy's days, oldest first, with how long they have waited; Enter opens the chart.

Both are read on the database thread when the Inbox loads (built, shown, F5) and whenever
a result, a review item or an order changes (saved here or received by sync).
"""

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.access.gate import OpenRows, withheld_sentence
from app.clinical.records import Changes
from app.clinical.results.inbox import PAGE, InboxItem
from app.clinical.results.overdue import OverdueOrder
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import RowsModel, row_at, row_table
from app.ui.inbox.acknowledge import AcknowledgeDialog
from app.ui.inbox.result_rows import OVERDUE_COLUMNS, RESULT_COLUMNS
from app.ui.operations import results as results_ops
from fhir_common.messages import sentence

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
HEARD = frozenset({"Task", "DiagnosticReport", "ServiceRequest"})
# An Observation is heard only outside the vital signs: a result's value shown here may be
# corrected, but a nurse's blood pressure never changes this list (nor costs it a read).
RESULT_SECTIONS = frozenset({"labs", "observations"})
NO_RESULTS = "No results are waiting for your review."
SECTIONS = {"DiagnosticReport": "reports", "Observation": "labs"}  # where the chart shows it


class ResultsPanel(QWidget):
    open_result = Signal(str, str, str)  # patient id, chart section, record id
    open_chart = Signal(str)  # patient id
    counted = Signal(int)  # results waiting for review

    def __init__(self, ws: Workstation, background: Background):
        super().__init__()
        self._ws, self._background = ws, background
        self.dialog: AcknowledgeDialog | None = None
        self._withheld = 0  # the last read's items of restricted charts, left out and said
        self.heading = ToneLabel("Results to review", None, "Results heading")
        self.model = RowsModel(RESULT_COLUMNS, lambda i: i.flag is not None, self)
        self.table = row_table(self.model, "Results to review", stretch_column=2)
        self.message = ToneLabel("Loading the results to review…", "muted", "Results message")
        self.open_button = QPushButton("Open chart")
        self.open_button.setAccessibleName("Open the chart at the selected result")
        self.acknowledge_button = QPushButton("Acknowledge…")
        self.acknowledge_button.setAccessibleName("Acknowledge the selected result")
        days = ws.policy.results.overdue_days
        self.overdue_heading = ToneLabel(f"Overdue orders: no result after {days} days", None,
                                         "Overdue orders heading")
        self.overdue_model = RowsModel(OVERDUE_COLUMNS, parent=self)
        self.overdue_table = row_table(self.overdue_model, "Overdue orders", stretch_column=1)
        self.overdue_message = ToneLabel("", "muted", "Overdue orders message")
        self._layout()
        for table in (self.table, self.overdue_table):
            table.installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.table.doubleClicked.connect(lambda _: self.open_current())
        self.overdue_table.doubleClicked.connect(lambda _: self._open_overdue())
        self.open_button.clicked.connect(self.open_current)
        self.acknowledge_button.clicked.connect(self.acknowledge_current)
        self._enable()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.acknowledge_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.table, 3)
        box.addLayout(buttons)
        box.addWidget(self.overdue_heading)
        box.addWidget(self.overdue_table, 2)
        box.addWidget(self.overdue_message)

    # -- loading ---------------------------------------------------------------------------

    def take(self, changes: Changes) -> None:
        if changes.kinds & HEARD or changes.sections & RESULT_SECTIONS:
            self.load()

    def load(self) -> None:
        session = self._ws.session
        results_ops.to_review(self, self._background, self._ws.results_inbox, session
                              ).success(self._loaded).failure(self._failed).run()
        results_ops.overdue(self, self._background, self._ws.overdue_orders, session
                            ).success(self._overdue_loaded).failure(self._overdue_failed).run()

    def _loaded(self, items: OpenRows) -> None:
        kept = row_at(self.table)
        self._withheld = items.withheld
        self._show(items, kept.task_id if kept else None)

    def _show(self, items: list[InboxItem], selected: str | None) -> None:
        self.model.set_rows(items)
        rows = [row_at(self.table, r) for r in range(self.table.model().rowCount())]
        at = next((r for r, i in enumerate(rows) if i.task_id == selected), 0)
        if rows:
            self.table.selectRow(at)
        self.table.setVisible(bool(items))
        critical = sum(i.flag == "critical" for i in items)
        if not items:
            self._say("" if self._withheld else NO_RESULTS)
        elif len(items) >= PAGE:
            self._say(f"The {PAGE} most urgent results are shown; acknowledge them to see "
                      "the rest.", alert=bool(critical))
        else:
            count = "1 result waits" if len(items) == 1 else f"{len(items)} results wait"
            self._say(f"{count} for review" + (f", {critical} critical" if critical else "")
                      + ".", alert=bool(critical))
        if self._withheld:  # rows of a restricted chart this user may not open: said
            self._say(f"{self.message.text()} {withheld_sentence(self._withheld)}".strip(),
                      alert=True)
        self._enable()
        self.counted.emit(len(items))

    def _failed(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def _overdue_loaded(self, orders: list[OverdueOrder]) -> None:
        self.overdue_model.set_rows(orders)
        self.overdue_table.setVisible(bool(orders))
        self.overdue_message.set_tone("muted")
        self.overdue_message.setText(
            "None of your orders is overdue." if not orders else
            "Oldest first. Chase the lab, or cancel an order that is no longer needed.")
        withheld = getattr(orders, "withheld", 0)
        if withheld:
            self.overdue_message.set_tone("alert")
            self.overdue_message.setText(
                f"{self.overdue_message.text()} {withheld_sentence(withheld)}" if orders
                else withheld_sentence(withheld))

    def _overdue_failed(self, exc: Exception) -> None:
        self.overdue_message.set_tone("alert")
        self.overdue_message.setText(sentence(exc))

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(text)

    # -- acting ----------------------------------------------------------------------------

    def _enable(self) -> None:
        chosen = row_at(self.table) is not None
        self.open_button.setEnabled(chosen)
        self.acknowledge_button.setEnabled(chosen)

    def open_current(self) -> None:
        item = row_at(self.table)
        if item is not None:
            kind, _, record_id = item.result.partition("/")
            self.open_result.emit(item.patient_id, SECTIONS.get(kind, "reports"), record_id)

    def _open_overdue(self) -> None:
        order = row_at(self.overdue_table)
        if order is not None:
            self.open_chart.emit(order.patient_id)

    def acknowledge_current(self) -> None:
        item = row_at(self.table)
        if item is None:
            return
        self.dialog = AcknowledgeDialog(self._ws, self._background, item, self)
        self.dialog.saved.connect(lambda _task, i=item: self._acknowledged(i))
        self.dialog.open()

    def _acknowledged(self, item: InboxItem) -> None:
        """The row leaves the list at once; the change, when heard, reads the list again."""
        self._show([i for i in self.model.rows() if i.task_id != item.task_id], None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and event.key() in ENTER and isinstance(
                watched, QTableView):
            if watched is self.table:
                self.open_current()
            else:
                self._open_overdue()
            return True
        return False
