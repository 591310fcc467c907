"""Order a lab test or an imaging study: the order catalogue searched as you type (a panel's
or test's name or LOINC code, a study's modality or body site), then priority, reason (one
of the patient's active problems, or words) and notes for the specimen or the study.

Like every order screen it carries the safety pack's red banner while the medication checks
cannot run (app.ui.chart.knowledge_banner). The catalogue is already in memory
(Orders.catalogue), so searching reads nothing; Save pends the order for a physician to
sign (Orders.pend) on the database thread.
"""

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from app.bootstrap import Workstation
from app.clinical.chart.chart_items import ChartItem
from app.clinical.orders.catalogue import Orderable
from app.clinical.orders.service_requests import PRIORITIES, OrderLine
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import Op, orders

SHOWN = 40
KIND_WORDS = {"lab": "Lab", "imaging": "Imaging"}
COLUMNS = (Column("Kind", lambda o: KIND_WORDS[o.kind]), Column("Test or study", lambda o: o.name),
           Column("Code", lambda o: o.code), Column("Specimen", lambda o: o.specimen or ""))
WORDS_REASON = "Other reason, in words"


def matching(items: list[Orderable], typed: str) -> list[Orderable]:
    """Every word typed found in the name, the display or the code, names first by order."""
    words = typed.casefold().split()
    found = [i for i in items
             if all(w in f"{i.name} {i.display} {i.code}".casefold() for w in words)]
    return sorted(found, key=lambda i: (i.kind, i.name.casefold()))[:SHOWN]


class OrderTestDialog(EntryDialog):
    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 patient: str, problems: list[ChartItem], parent=None):
        super().__init__(background, "Order test", f"Order a lab test or imaging study for "
                         f"{patient}", "&Pend order", parent)
        self._ws, self._patient_id = ws, patient_id
        self._items = list(ws.orders.catalogue.items.values())
        self.banner = KnowledgeBanner(ws.safety.knowledge.status)  # red while checks cannot run
        self.box.insertWidget(0, self.banner)
        self.search = self.field("&Search", QLineEdit(), "Search tests and studies")
        self.search.setPlaceholderText("Name or code: lipid, 57698-3, CT head, chest…")
        # Owned by the dialog, so Qt frees it with the table: left to Python's collector it
        # was freed after the dialog, and the process crashed (segfault) at a later collection
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = row_table(self.model, "Tests and studies", 1)
        self.table.setMinimumHeight(self.fontMetrics().height() * 12)
        self.form.addRow(self.table)
        self.priority = self.field("P&riority", QComboBox(), "Priority")
        for priority in PRIORITIES:
            self.priority.addItem(priority.upper() if priority == "stat" else
                                  priority.capitalize(), priority)
        self.reason = self.field("Re&ason", QComboBox(), "Reason: a problem or words")
        for problem in problems:
            self.reason.addItem(problem.title, problem.id)
        self.reason.addItem(WORDS_REASON, None)
        self.reason_words = self.field("Reason in &words", QLineEdit(), "Reason in words")
        self.reason_words.setPlaceholderText("e.g. Fatigue for 3 months")
        self.note = self.field("&Notes", QPlainTextEdit(), "Specimen or study notes")
        self.note.setPlaceholderText("Specimen or study notes, e.g. fasting, contrast allergy")
        self.note.setFixedHeight(self.fontMetrics().height() * 3)
        self.search.textChanged.connect(self._typed)
        self.reason.currentIndexChanged.connect(self._reason_chosen)
        self._typed("")
        self._reason_chosen()
        self.search.setFocus()

    def chosen(self) -> Orderable | None:
        return row_at(self.table)

    def _typed(self, typed: str) -> None:
        self.model.set_rows(matching(self._items, typed))
        if self.model.rowCount():
            self.table.selectRow(0)

    def _reason_chosen(self) -> None:
        self.reason_words.setEnabled(self.reason.currentData() is None)

    def operation(self) -> Op | None:
        item = self.chosen()
        if item is None:
            self.refuse("Choose a test or study from the list: nothing matches what is typed.")
            return None
        problem = self.reason.currentData()
        line = OrderLine(item.code, self.priority.currentData(),
                         reason=None if problem else self.reason_words.text(),
                         condition_id=problem, note=self.note.toPlainText())
        return orders.pend(self, self._background, self._ws, self._patient_id, line)
