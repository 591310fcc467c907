"""The Reports tab: pick a clinic report and its days, Run it, read the table and its plot,
and export what is shown as CSV or PDF.

A report is counts over the clinic (app.clinical.reports), read in one audited read on the
database thread; it never opens a chart, so billing and admins may run it. The table shown is
kept as it was read: the exports write that same table, and the line above it names its
report, days and the time it was read, so changing the dates never passes an older answer
off as the new days'. A period that ends before it starts is said in the alert tone and
nothing is read. A report is a snapshot: it is read again when Run is pressed, not on each
change heard, so figures do not shift while someone reads them.
"""

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.reports.catalogue import DEFAULT_UNSIGNED_DAYS, Options
from app.clinical.reports.table import Period, ReportTable
from app.clinical.visits.day_sheet import default_paper
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.common.table_models import Column, RowsModel, read_only_table
from app.ui.operations import clinic_reports as report_ops
from app.ui.reports.periods import QUICK, report_names, this_week
from app.ui.reports.plot import ReportPlot
from fhir_common.messages import sentence

UNSIGNED = "unsigned-notes"  # the one report asked for more than its days
DAY_FORMAT = "ddd dd MMM yyyy"
KINDS = {"csv": ("CSV", "CSV (*.csv)"), "pdf": ("PDF", "PDF (*.pdf)")}


def shown(value) -> str:
    """A cell as the PDF prints it: money to the cent, counts with thousands separators."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _day(when: date) -> str:
    return f"{when:%a %d %b %Y}"


class ReportsView(QWidget):
    def __init__(self, ws: Workstation, background: Background):
        super().__init__()
        self._ws, self._background = ws, background
        self.table: ReportTable | None = None
        self.save_dialog: QFileDialog | None = None
        heading = QLabel("Clinic reports")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.report = QComboBox()
        self.report.setAccessibleName("Report")
        for name, words, about in report_names():
            self.report.addItem(words, name)
            self.report.setItemData(self.report.count() - 1, about, Qt.ItemDataRole.ToolTipRole)
        self.about = QLabel()
        self.about.setAccessibleName("What the report counts")
        self.about.setStyleSheet(f"color: {theme.muted_color()};")
        first, last = this_week(date.today())
        self.first = self._date_edit("From", first)
        self.last = self._date_edit("To", last)
        self.quick = {}
        for words in QUICK:
            button = QPushButton(words)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, w=words: self.choose_period(w))
            self.quick[words] = button
        self.older_than = QSpinBox()
        self.older_than.setAccessibleName("Unsigned for at least")
        self.older_than.setRange(0, 3650)
        self.older_than.setValue(DEFAULT_UNSIGNED_DAYS)
        self.older_than.setSuffix(" days")
        self.older_than_label = QLabel("Unsigned for at least")
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.message = QLabel("Pick a report and its days, then Run.")
        self.message.setAccessibleName("Reports message")
        self.message.setWordWrap(True)
        self.shown_line = QLabel()
        self.shown_line.setAccessibleName("Report shown")
        self.shown_line.setStyleSheet("font-weight: 600;")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {theme.muted_color()};")
        self.model = RowsModel(())
        self.rows = read_only_table(self.model, "Report table")
        self.model.setParent(self.rows)
        self.total = QLabel()
        self.total.setAccessibleName("Report total")
        self.total.setStyleSheet("font-weight: 600;")
        self.plot = ReportPlot()
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_pdf_button = QPushButton("Export PDF…")
        for button in (self.export_csv_button, self.export_pdf_button):
            button.setEnabled(False)
            button.setAutoDefault(False)
        self._lay_out(heading)
        self.report.currentIndexChanged.connect(self._report_chosen)
        self.run_button.clicked.connect(self.run)
        self.export_csv_button.clicked.connect(lambda: self.ask_where("csv"))
        self.export_pdf_button.clicked.connect(lambda: self.ask_where("pdf"))
        self._report_chosen()

    def _lay_out(self, heading: QLabel) -> None:
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Report"))
        choose.addWidget(self.report)
        choose.addWidget(self.about, 1)
        days = QHBoxLayout()
        for label, edit in (("From", self.first), ("To", self.last)):
            days.addWidget(QLabel(label))
            days.addWidget(edit)
        for button in self.quick.values():
            days.addWidget(button)
        days.addSpacing(12)
        days.addWidget(self.older_than_label)
        days.addWidget(self.older_than)
        days.addStretch(1)
        days.addWidget(self.run_button)
        left = QWidget()
        table_box = QVBoxLayout(left)
        table_box.setContentsMargins(0, 0, 0, 0)
        table_box.addWidget(self.rows, 1)
        table_box.addWidget(self.total)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plot)
        split.setSizes([560, 640])
        exports = QHBoxLayout()
        exports.addStretch(1)
        exports.addWidget(self.export_csv_button)
        exports.addWidget(self.export_pdf_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(choose)
        layout.addLayout(days)
        layout.addWidget(self.message)
        layout.addWidget(self.shown_line)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        layout.addLayout(exports)

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day), calendarPopup=True)
        edit.setDisplayFormat(DAY_FORMAT)
        edit.setAccessibleName(name)
        return edit

    def choose_period(self, words: str) -> None:
        """A quick choice ("This week", "Last week", "This month") fills From and To."""
        first, last = QUICK[words](date.today())
        self.first.setDate(QDate(first))
        self.last.setDate(QDate(last))

    def run(self) -> None:
        """Read the chosen report over the chosen days; a backwards period is refused here."""
        first, last = self.first.date().toPython(), self.last.date().toPython()
        if first > last:
            self._say(f"The period starts after it ends: From ({_day(first)}) is after To "
                      f"({_day(last)}). Nothing was read.", alert=True)
            return
        name = self.report.currentData()
        self.run_button.setEnabled(False)
        self._say(f"Reading {self.report.currentText().lower()}…")
        report_ops.run(self, self._background, self._ws, name, Period(first, last),
                       Options(self.older_than.value())).success(self.show_table).failure(
            self._refused).run()

    def show_table(self, table: ReportTable) -> None:
        self.table = table
        self.run_button.setEnabled(True)
        model = RowsModel([Column(header, lambda row, n=n: shown(row[n]))
                           for n, header in enumerate(table.columns)], parent=self.rows)
        model.set_rows(table.rows)
        old, self.model = self.model, model
        self.rows.setModel(model)
        old.deleteLater()
        header = self.rows.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.shown_line.setText(f"{table.title}, {_day(table.period.first)} to "
                                f"{_day(table.period.last)} (read at "
                                f"{datetime.now():%H:%M})")
        self.note.setText(table.note)
        self.total.setText(self._total_text(table))
        self.plot.show_table(table)
        rows = len(table.rows)
        self._say("Nothing to count in this period: no rows." if not rows else
                  f"{rows} {'row' if rows == 1 else 'rows'}.")
        for button in (self.export_csv_button, self.export_pdf_button):
            button.setEnabled(True)

    def ask_where(self, kind: str) -> QFileDialog:
        """The save-file dialog for an export ("csv" or "pdf") of the table shown."""
        words, pattern = KINDS[kind]
        dialog = QFileDialog(self, f"Export the report as {words}", self._suggested(kind),
                             pattern)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.fileSelected.connect(lambda path: self.export(kind, Path(path)))
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def export(self, kind: str, output: Path) -> None:
        """Write the table shown to `output`; the line below the buttons says where."""
        if self.table is None:
            return
        if output.suffix.lower() != f".{kind}":
            output = output.with_name(f"{output.name}.{kind}")
        table = self.table
        self._say(f"Writing {output}…")
        if kind == "csv":
            op = report_ops.export_csv(self, self._background, table, output).success(
                lambda path: self._written(table, path, None))
        else:
            op = report_ops.export_pdf(self, self._background, self._ws, table, output,
                                       default_paper(os.environ)).success(
                lambda written: self._written(table, *written))
        op.failure(lambda exc: self._say(sentence(exc), alert=True)).run()

    def _written(self, table: ReportTable, path: Path, pages: int | None) -> None:
        on = f" ({pages} {'page' if pages == 1 else 'pages'})" if pages else ""
        self._say(f"Wrote {table.title.lower()} for {table.period.text()} to {path}{on}.")

    @staticmethod
    def _total_text(table: ReportTable) -> str:
        """The bottom line in words, e.g. "Total: Visits 38"; blank cells are left out."""
        if table.total is None or not table.rows:
            return ""
        parts = [f"{header} {shown(value)}" for header, value in
                 zip(table.columns[1:], table.total[1:], strict=True) if value != ""]
        return f"{table.total[0]}: {' · '.join(parts)}"

    def _report_chosen(self) -> None:
        about = self.report.currentData(Qt.ItemDataRole.ToolTipRole) or ""
        self.about.setText(about.replace("--older-than days", "the days chosen"))
        unsigned = self.report.currentData() == UNSIGNED
        self.older_than.setVisible(unsigned)
        self.older_than_label.setVisible(unsigned)

    def _refused(self, exc: Exception) -> None:
        self.run_button.setEnabled(True)
        self._say(sentence(exc), alert=True)

    def _suggested(self, kind: str) -> str:
        """In Documents (or home), named by the report and its period."""
        table = self.table
        name = f"{table.name}-{table.period.first}-to-{table.period.last}" if table else "report"
        return str(documents_folder() / f"{name}.{kind}")

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.message.setText(text)
