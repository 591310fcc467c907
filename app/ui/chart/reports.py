"""The Reports tab: every report, newest first; below, the selected report opened, with the
results it groups (value, range and flag, as on the Labs tab) and its text, if it has any.

Selecting a report reads it and its results on the database thread in one audited read
(app.clinical.chart.report_results); while one is on its way, a newer selection wins. A
result the report names that is not on this computer is counted in words, so a short list
is never taken for the whole report. Report text is plain text, never rendered.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit, QTableView, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.chart.chart_items import ChartItem
from app.clinical.chart.report_results import ReportRecord
from app.ui.chart.list_detail import ListAndDetail
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.chart.table import LAB_COLUMNS, ItemsModel, SectionTab, item_table
from app.ui.common.background import Background
from app.ui.operations import reports
from fhir_common.messages import sentence

HINT = "Select a report to see its results."


def results_line(report: ReportRecord) -> str:
    """How many results the report groups, and how many of them are not here."""
    shown = len(report.results)
    said = ("No results listed." if shown == 0 else
            "1 result:" if shown == 1 else f"{shown} results:")
    if report.missing:
        names = "1 more result" if report.missing == 1 else f"{report.missing} more results"
        said = (f"{said[:-1]}; " if shown else "") + (
            f"{names} named by this report {'is' if report.missing == 1 else 'are'} not on "
            "this computer (not received yet, or not sent by the source).")
    return said


class ReportsTab(ListAndDetail):
    opened = Signal(str)  # the id of the report now shown

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 records: SectionTab):
        heading = ToneLabel(HINT, "muted", "Selected report")
        heading.setFont(scaled_font(heading, bold=True))
        lower_layout = QVBoxLayout()
        lower_layout.addWidget(heading)
        lower_layout.addStretch()
        lower = QWidget()
        lower.setLayout(lower_layout)
        super().__init__(records, lower, 2, 3)
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.heading, self._lower = heading, lower_layout
        self.count: ToneLabel | None = None  # these three are made when a report is first
        self.results_table: QTableView | None = None  # selected: opening a chart stays quick
        self.text: QPlainTextEdit | None = None

    def chosen(self, item: ChartItem) -> None:
        self.heading.set_tone("muted")
        self.heading.setText(f"Opening {item.title}…")
        for widget in self._report_pane():
            widget.hide()
        reports.read(self, self._background, self._ws, self._patient_id, item.id).success(
            self._show).failure(self._fail).run()

    @property
    def results(self) -> ItemsModel | None:
        """The results of the report shown (None before one is selected)."""
        return self.results_table.model() if self.results_table else None

    def _report_pane(self) -> tuple[QWidget, QWidget, QWidget]:
        """The results line, their table and the report's text, made the first time."""
        if self.results_table is None:
            self.count = ToneLabel("", None, "Report results status")
            model = ItemsModel(LAB_COLUMNS, syncs=bool(self._ws.policy.sync.server))
            self.results_table = item_table(model, "Report results")
            self.text = QPlainTextEdit()
            self.text.setReadOnly(True)
            self.text.setAccessibleName("Report text")
            for number, widget in enumerate((self.count, self.results_table, self.text), 1):
                self._lower.insertWidget(number, widget)
        return self.count, self.results_table, self.text

    def _show(self, report: ReportRecord) -> None:
        status = f"  ·  {report.status}" if report.status and report.status != "final" else ""
        self.heading.set_tone(None)
        self.heading.setText(f"{report.title}  ·  {(report.date or 'undated')[:10]}{status}")
        self.results.set_items(report.results)
        self.count.setText(results_line(report))
        self.count.set_tone("alert" if report.missing else None)
        self.count.setVisible(bool(report.results or report.missing))
        self.results_table.setVisible(bool(report.results))
        rows = min(len(report.results), 12)
        self.results_table.setFixedHeight(
            self.results_table.horizontalHeader().sizeHint().height()
            + rows * self.results_table.verticalHeader().defaultSectionSize()
            + 2 * self.results_table.frameWidth())
        self.text.setPlainText(report.text or "")
        self.text.setPlaceholderText(report.why_no_text or "")
        self.text.setVisible(bool(report.text or report.why_no_text))
        self.opened.emit(report.id)

    def _fail(self, exc: Exception) -> None:
        self.heading.set_tone("alert")
        self.heading.setText(sentence(exc))
