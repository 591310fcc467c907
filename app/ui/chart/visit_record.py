"""Opening a visit from the Encounters tab: what was charted in it, with when and by whom.

Enter or a double-click on a visit (or "Open visit…") opens it in a window of its own, read
on the database thread in one audited read (app.clinical.chart.visit_record): the visit's
type, time, status, who took part and why the patient came; then its diagnoses, notes,
vital signs, results and orders, each with its time, what it is, its detail (a value and
flag, a dose, a code) and who recorded it. A group with nothing in it says so, and whatever
else names the visit is counted at the end, so an empty list is never mistaken for a gap.
The window is not modal: the chart stays usable beside it. A finished visit offers "Code
visit…" to those who code visits (app.ui.chart.billing).
"""

from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.chart.visit_record import GROUPS, VisitLine, VisitRecord
from app.display_time import when_text
from app.security.roles import Permission
from app.ui.chart.billing.coding_dialog import CodingDialog
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.chart.table import FLAG_WORDS, ITEM_ROLE, SectionTab
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, read_only_table
from app.ui.operations import visit_records
from fhir_common.messages import sentence

HEADINGS = {"diagnoses": "Diagnoses", "notes": "Notes", "vitals": "Vital signs",
            "results": "Results", "orders": "Orders"}
OPEN_TIP = "Open the selected visit: what was charted in it, when and by whom"


def moment(date: str | None, visit_start: str | None = None) -> str:
    """A time as the chart says it: "09:10" on the visit's own day, else "09:10 on 02 Mar
    2026"; a date alone stays a date."""
    if not date:
        return "undated"
    if len(date) <= 10:
        return date
    day = _instant(visit_start)
    return when_text(date, now=day) if day else when_text(date, with_date=True)


def _instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def detail_text(line: VisitLine) -> str:
    """What the line says beside its title: a value with its flag and range, a dose, a
    diagnosis's code and its use in the visit, or a status that is not the usual end."""
    item = line.item
    if item.type == "Observation":
        flag = FLAG_WORDS.get(item.flag or "", item.flag or "")
        extra = "; ".join(w for w in (flag, item.range and f"range {item.range}") if w)
        return f"{item.value or ''}{f' ({extra})' if extra else ''}".strip()
    if item.type == "Condition":
        return " · ".join(w for w in (item.code, line.role) if w)
    if item.dose:
        return item.dose
    return item.status if item.status not in (None, "current", "final", "completed") else ""


def columns(visit_start: str | None) -> tuple[Column, ...]:
    return (Column("When", lambda line: moment(line.item.date, visit_start)),
            Column("What", lambda line: line.item.title),
            Column("Detail", detail_text),
            Column("By", lambda line: line.author or "not recorded"))


def visit_heading(visit: VisitRecord) -> str:
    """ "Diabetes follow-up · 09:00 on 02 Mar 2026 to 09:40 · finished"."""
    start = moment(visit.start) if visit.start else "start not recorded"
    end = f" to {moment(visit.end, visit.start)}" if visit.end else ""
    status = f" · {visit.encounter.status}" if visit.encounter.status else ""
    return f"{visit.encounter.title} · {start}{end}{status}"


class VisitWindow(QDialog):
    """One visit, opened; reads it as it opens."""

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 encounter_id: str, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("Visit")
        self.setAccessibleName("Visit opened")
        self.resize(960, 780)
        self._ws, self._background, self.encounter_id = ws, background, encounter_id
        self.visit: VisitRecord | None = None
        self.coding: CodingDialog | None = None
        self.tables: dict[str, QTableView] = {}
        self.heading = ToneLabel("Opening the visit…", "muted", "Visit heading")
        self.heading.setFont(scaled_font(self, 1.15, bold=True))
        self._page = QVBoxLayout()
        page = QWidget()
        page.setLayout(self._page)
        scroll = QScrollArea()
        scroll.setAccessibleName("What was charted in the visit")
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        self.code_button = close.addButton("C&ode visit…", QDialogButtonBox.ButtonRole.ActionRole)
        self.code_button.setAccessibleName("Code visit")
        self.code_button.setToolTip("Code this finished visit for billing: diagnoses and "
                                    "services, saved as its draft claim")
        self.code_button.clicked.connect(self.open_coding)
        self.code_button.hide()  # until the visit is read and found finished
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(scroll, 1)
        box.addWidget(close)
        visit_records.read(self, background, ws, patient_id, encounter_id).success(
            self._show).failure(self._fail).run()

    def _show(self, visit: VisitRecord) -> None:
        self.visit = visit
        self.setWindowTitle(f"Visit: {visit.encounter.title}")
        self.heading.set_tone(None)
        self.heading.setText(visit_heading(visit))
        self.code_button.setVisible(visit.encounter.status == "finished"
                                    and self._ws.session.may(Permission.CODE_VISITS))
        said = [("With", ", ".join(visit.participants) or "not recorded"),
                ("Reason", "; ".join(visit.reasons) or "not recorded")]
        for label, words in said:
            self._page.addWidget(ToneLabel(f"{label}: {words}", None, f"Visit {label.lower()}"))
        if visit.empty:
            self._page.addWidget(ToneLabel("Nothing was charted in this visit.", "muted",
                                           "Visit contents"))
        for group in GROUPS:
            self._page.addWidget(self._group(group, visit.lines[group], visit.start))
        for column in (0, 3):  # When and By line up from one group to the next
            widest = max((t.columnWidth(column) for t in self.tables.values()), default=0)
            for table in self.tables.values():
                table.setColumnWidth(column, widest)
        if visit.others:
            rest = ", ".join(f"{section} {n}" for section, n in sorted(visit.others.items()))
            self._page.addWidget(ToneLabel(f"Also charted in this visit: {rest}.", "muted",
                                           "Also in this visit"))
        self._page.addStretch()

    def open_coding(self) -> CodingDialog:
        """The coding dialog over this window (one per visit window)."""
        if self.coding is None or not self.coding.isVisible():
            self.coding = CodingDialog(self._ws, self._background, self.encounter_id, self)
            self.coding.show()
        self.coding.raise_()
        self.coding.activateWindow()
        return self.coding

    def _group(self, group: str, lines: list[VisitLine], start: str | None) -> QGroupBox:
        title = f"{HEADINGS[group]} ({len(lines)})"
        box = QGroupBox(title)
        box.setAccessibleName(title)
        inside = QVBoxLayout(box)
        if not lines:
            inside.addWidget(ToneLabel("None recorded in this visit.", "muted",
                                       f"{HEADINGS[group]}: none"))
            return box
        model = RowsModel(columns(start), flagged=lambda line: line.item.flag is not None)
        model.set_rows(lines)
        table = read_only_table(model, f"{HEADINGS[group]} of the visit")
        model.setParent(table)
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        for stretched in (1, 2):  # What and Detail share the width left
            header.setSectionResizeMode(stretched, QHeaderView.ResizeMode.Stretch)
        table.setFixedHeight(header.sizeHint().height() + len(lines)
                             * table.verticalHeader().defaultSectionSize()
                             + 2 * table.frameWidth())
        inside.addWidget(table)
        self.tables[group] = table
        return box

    def _fail(self, exc: Exception) -> None:
        self.heading.set_tone("alert")
        self.heading.setText(f"This visit could not be opened. {sentence(exc)}")


class EncountersTab(QWidget):
    """The Encounters list; Enter, a double-click or "Open visit…" opens the selected one."""

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 records: SectionTab):
        super().__init__()
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.records = records
        self.opened: VisitWindow | None = None
        self.open_button = QPushButton("Open visit…")
        self.open_button.setAccessibleName("Open visit")
        self.open_button.setToolTip(OPEN_TIP)
        self.open_button.clicked.connect(self.open_selected)
        top = QHBoxLayout()
        top.addWidget(ToneLabel("Double-click a visit, or select it and press Enter, to see "
                                "what was charted in it.", "muted", "How to open a visit"), 1)
        top.addWidget(self.open_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(records, 1)
        self._watch(records)

    def replace_records(self, records: SectionTab) -> None:
        """The list read again after a change; an open visit window stays."""
        old, self.records = self.records, records
        self.layout().replaceWidget(old, records)
        old.deleteLater()
        self._watch(records)

    def open_selected(self) -> None:
        index = self.records.table.currentIndex()
        if index.isValid():
            self.open_visit(index.data(ITEM_ROLE).id)

    def open_visit(self, encounter_id: str) -> VisitWindow:
        if (self.opened is not None and self.opened.encounter_id == encounter_id
                and self.opened.isVisible()):
            self.opened.raise_()
            self.opened.activateWindow()
            return self.opened
        self.opened = VisitWindow(self._ws, self._background, self._patient_id, encounter_id,
                                  self)
        self.opened.show()
        return self.opened

    def _watch(self, records: SectionTab) -> None:
        # Enter activates; a double-click too on most desktops, and opening the visit that
        # is already open only raises its window, so it never opens twice
        records.table.activated.connect(lambda _: self.open_selected())
        records.table.doubleClicked.connect(lambda _: self.open_selected())
        records.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    def _enable(self) -> None:
        self.open_button.setEnabled(self.records.table.currentIndex().isValid())
