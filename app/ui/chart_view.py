"""One patient's chart, as a workspace tab: the banner, then a tab per section.

Opening reads Chart.summary on the database thread (the UI thread never touches the store);
until it arrives the tab says so. Each section tab then reads its own pages when first
shown, so opening a chart costs one read, and each tab's label carries the count the store
holds, e.g. "Labs (412)", before any of its rows are read.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.chart import ChartSummary
from app.ui.background import Background
from app.ui.chart_banner import Banner, display_name
from app.ui.chart_labs import LabsTab
from app.ui.chart_notes import NotesTab
from app.ui.chart_style import ToneLabel
from app.ui.chart_summary import SummaryTab
from app.ui.chart_table import COLUMNS, SectionModel, SectionTab
from app.ui.chart_vitals import VitalsTab
from app.ui.chart_work import run_for
from app.ui.messages import sentence

# (tab label, chart section); the Summary tab comes first
TABS = (("Problems", "problems"), ("Medications", "medications"), ("Allergies", "allergies"),
        ("Vitals", "vitals"), ("Labs", "labs"), ("Immunizations", "immunizations"),
        ("Encounters", "encounters"), ("Notes", "notes"), ("Reports", "reports"))


class ChartView(QWidget):
    titled = Signal(str)  # the tab's title, once the chart is read

    def __init__(self, ws: Workstation, background: Background, patient_id: str):
        super().__init__()
        self.patient_id = patient_id
        self.setAccessibleName("Patient chart")
        self._ws, self._background = ws, background
        self._trends = ws.trends
        self.summary: ChartSummary | None = None
        self.banner = Banner()
        self.banner.hide()
        self.message = ToneLabel("Opening chart…", "muted", "Chart status")
        self.sections = QTabWidget()
        self.sections.setAccessibleName("Chart sections")
        self.sections.setDocumentMode(True)
        self.sections.hide()
        self.tabs: dict[str, QWidget] = {}
        box = QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addWidget(self.message)
        box.addWidget(self.sections, 1)
        run_for(self, background, lambda: ws.chart.summary(ws.session, patient_id),
                self._show, self._fail)

    def tab_label(self, section: str) -> str:
        return self.sections.tabText(self.sections.indexOf(self.tabs[section]))

    def records(self, section: str) -> SectionTab:
        """The paged list of a section, on its own tab or under its plots."""
        tab = self.tabs[section]
        return tab if isinstance(tab, SectionTab) else tab.records

    def show_section(self, section: str) -> QWidget:
        self.sections.setCurrentWidget(self.tabs[section])
        return self.tabs[section]

    def _show(self, summary: ChartSummary) -> None:
        self.summary = summary
        self.banner.show_patient(summary.patient, summary.allergies)
        self.tabs["summary"] = SummaryTab(summary, {section for _, section in TABS})
        self.sections.addTab(self.tabs["summary"], "Summary")
        for label, section in TABS:
            self.tabs[section] = self._section_tab(label, section, summary.counts[section])
            self.sections.addTab(self.tabs[section], f"{label} ({summary.counts[section]})")
        self.message.hide()
        self.banner.show()
        self.sections.show()
        self.titled.emit(display_name(summary.patient))

    def _section_tab(self, label: str, section: str, total: int) -> QWidget:
        ws, patient_id = self._ws, self.patient_id
        model = SectionModel(COLUMNS[section], total, lambda page, size: ws.chart.section(
            ws.session, patient_id, section, page, size), self._background)
        records = SectionTab(model, label)
        records.setAccessibleName(label)
        args = (self._trends, ws.session, patient_id, self._background, records)
        if section == "vitals":
            return VitalsTab(*args)
        if section == "labs":
            return LabsTab(*args)
        if section in ("notes", "reports"):
            return NotesTab(*args, what=section[:-1])
        return records

    def _fail(self, exc: Exception) -> None:
        self.message.set_tone("alert")
        self.message.setText(f"This chart could not be opened. {sentence(exc)}")
        self.titled.emit("Chart not opened")
