"""One patient's chart, as a workspace tab: the banner, then a tab per section.

Opening reads Chart.summary on the database thread (the UI thread never touches the store);
until it arrives the tab says so. Each section tab then reads its own pages when first
shown, so opening a chart costs one read, and each tab's label carries the count the store
holds, e.g. "Labs (412)", before any of its rows are read.

The Problems, Allergies and Medications tabs carry their entry actions (app.ui.chart_entries);
after a save the chart reads its summary again, and the banner, the Summary tab, every
tab's count and the changed section's list show what was saved. Under the banner, the visit
bar (app.ui.chart_visit) starts and finishes the patient's visit; the Encounters list is
then read again the same way.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.chart import ChartSummary
from app.ui.background import Background
from app.ui.chart_banner import Banner, display_name
from app.ui.chart_entries import EntriesTab
from app.ui.chart_labs import LabsTab
from app.ui.chart_notes import NotesTab
from app.ui.chart_style import ToneLabel
from app.ui.chart_summary import SummaryTab
from app.ui.chart_table import COLUMNS, SectionModel, SectionTab
from app.ui.chart_visit import VisitBar
from app.ui.chart_vitals import VitalsTab
from app.ui.chart_work import run_for
from app.ui.entry_dialogs import Services
from app.ui.messages import sentence

# (tab label, chart section); the Summary tab comes first
TABS = (("Problems", "problems"), ("Medications", "medications"), ("Allergies", "allergies"),
        ("Vitals", "vitals"), ("Labs", "labs"), ("Immunizations", "immunizations"),
        ("Encounters", "encounters"), ("Notes", "notes"), ("Reports", "reports"))
LABELS = dict((section, label) for label, section in TABS)


class ChartView(QWidget):
    titled = Signal(str)  # the tab's title, once the chart is read

    def __init__(self, ws: Workstation, background: Background, patient_id: str):
        super().__init__()
        self.patient_id = patient_id
        self.setAccessibleName("Patient chart")
        self._ws, self._background = ws, background
        self._trends = ws.trends
        self._services = Services(ws.session, ws.problems, ws.allergies, ws.medications, patient_id)
        self.summary: ChartSummary | None = None
        self.banner = Banner()
        self.banner.hide()
        self.visit = VisitBar(ws.session, ws.encounters, background, patient_id)
        self.visit.changed.connect(lambda: self.refresh("encounters"))
        self.message = ToneLabel("Opening chart…", "muted", "Chart status")
        self.sections = QTabWidget()
        self.sections.setAccessibleName("Chart sections")
        self.sections.setDocumentMode(True)
        self.sections.hide()
        self.tabs: dict[str, QWidget] = {}
        box = QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addWidget(self.visit)
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

    def refresh(self, *sections: str) -> None:
        """Read the chart again after a change to `sections`: banner, Summary, counts, and
        those sections' lists (the other tabs keep what they have read)."""
        ws, patient_id = self._ws, self.patient_id
        run_for(self, self._background, lambda: ws.chart.summary(ws.session, patient_id),
                lambda summary: self._update(summary, sections), self._refresh_failed)

    def _show(self, summary: ChartSummary) -> None:
        self.summary = summary
        self.banner.show_patient(summary.patient, summary.allergies)
        self.tabs["summary"] = SummaryTab(summary, set(LABELS))
        self.sections.addTab(self.tabs["summary"], "Summary")
        for label, section in TABS:
            self.tabs[section] = self._section_tab(label, section, summary.counts[section])
            self.sections.addTab(self.tabs[section], f"{label} ({summary.counts[section]})")
        self.message.hide()
        self.banner.show()
        self.visit.load()
        self.sections.show()
        self.titled.emit(display_name(summary.patient))

    def _update(self, summary: ChartSummary, sections: tuple[str, ...]) -> None:
        self.summary = summary
        self.banner.show_patient(summary.patient, summary.allergies)
        self._swap_tab("summary", SummaryTab(summary, set(LABELS)))
        for section in sections:
            tab = self.tabs[section]
            if isinstance(tab, EntriesTab | VitalsTab):
                tab.replace_records(self._records(LABELS[section], section,
                                                  summary.counts[section]))
            elif isinstance(tab, SectionTab):  # a list alone on its tab (Encounters)
                self._swap_tab(section, self._records(LABELS[section], section,
                                                      summary.counts[section]))
        for label, section in TABS:
            self.sections.setTabText(self.sections.indexOf(self.tabs[section]),
                                     f"{label} ({summary.counts[section]})")

    def _swap_tab(self, key: str, new: QWidget) -> None:
        """Put `new` in the place of tab `key`. It goes in before the old one leaves, so no
        other tab is shown (and read) in between."""
        old = self.tabs[key]
        index = self.sections.indexOf(old)
        shown = self.sections.currentWidget() is old
        self.tabs[key] = new
        self.sections.insertTab(index, new, self.sections.tabText(index))
        if shown:
            self.sections.setCurrentIndex(index)
        self.sections.removeTab(self.sections.indexOf(old))
        old.deleteLater()

    def _refresh_failed(self, exc: Exception) -> None:
        self.message.set_tone("alert")
        self.message.setText(f"Saved, but the chart could not be read again: {sentence(exc)} "
                             "Close and reopen the chart to see the change.")
        self.message.show()

    def _records(self, label: str, section: str, total: int) -> SectionTab:
        ws, patient_id = self._ws, self.patient_id
        model = SectionModel(COLUMNS[section], total, lambda page, size: ws.chart.section(
            ws.session, patient_id, section, page, size), self._background)
        records = SectionTab(model, label)
        records.setAccessibleName(label)
        return records

    def _section_tab(self, label: str, section: str, total: int) -> QWidget:
        ws, patient_id = self._ws, self.patient_id
        records = self._records(label, section, total)
        if section in ("problems", "allergies", "medications"):
            entries = EntriesTab(section, records, self._services, self._background,
                                 display_name(self.summary.patient))
            entries.changed.connect(lambda _words, s=section: self.refresh(s))
            return entries
        args = (self._trends, ws.session, patient_id, self._background, records)
        if section == "vitals":
            vitals = VitalsTab(*args, ws=ws)
            vitals.changed.connect(lambda _words: self.refresh("vitals"))
            return vitals
        if section == "labs":
            return LabsTab(*args)
        if section == "notes":
            notes = NotesTab(*args, what="note", ws=ws)
            notes.changed.connect(lambda: self.refresh())
            return notes
        if section == "reports":
            return NotesTab(*args, what="report")
        return records

    def _fail(self, exc: Exception) -> None:
        self.message.set_tone("alert")
        self.message.setText(f"This chart could not be opened. {sentence(exc)}")
        self.titled.emit("Chart not opened")
