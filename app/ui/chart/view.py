"""One patient's chart, as a workspace tab: the banner, then a tab per section.

Opening reads Chart.summary on the database thread (the UI thread never touches the store);
until it arrives the tab says so. The chart then shows its Summary; each section tab is built
when first shown (app.ui.chart.lazy_tabs) and reads its own pages then, so opening a chart
costs one read and the widgets of one tab, and each tab's label carries the count the store
holds, e.g. "Labs (412)", before the tab is built or any of its rows are read.

The Problems, Allergies and Medications tabs carry their entry actions (app.ui.chart.entries.tabs);
the Reports tab opens a report with its results (app.ui.chart.reports), and the Encounters tab
opens a visit with what was charted in it (app.ui.chart.visit_record);
under the banner, the visit bar (app.ui.chart.visit) starts and finishes the patient's visit.
Print… on the banner (Ctrl+P) prints one of the patient's documents (app.ui.printing).
The Orders tab (app.ui.chart.orders) lists and places orders; the basket bar
(app.ui.chart.orders.basket, read when the chart opens) sits above the sections while orders
wait unsigned, and closing the chart asks about the user's own. The Orders, Amendments and
Disclosures tabs are built when first shown too.
No tab reads anything again after its own save. The chart hears what every commit changed
(`Changes`, from this workstation's saves and from sync) and, when its patient is among
them, reads again in ONE read (Chart.update) what it shows of the sections touched: the
banner, the Summary tab and every tab's count, the touched lists it had read (their first
page), and the vital sign plots with the count waiting to sync. So a record the server has
confirmed stops saying "pending sync" without the chart being reopened, and a record
received from the server shows. Changes that arrive while a read is under way are read
together once it answers.
"""

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.access.break_glass import Grant
from app.clinical.access.gate import ChartRestricted
from app.clinical.chart.banner import display_name
from app.clinical.chart.chart import ChartSummary, ChartUpdate, SectionPage
from app.clinical.charting.trends import VITAL_SIGNS
from app.clinical.records import Changes
from app.ui.chart import break_glass
from app.ui.chart.amendments import AmendmentsTab
from app.ui.chart.banner import Banner
from app.ui.chart.disclosures import DisclosuresTab
from app.ui.chart.entries.tabs import EntriesTab
from app.ui.chart.labs import LabsTab
from app.ui.chart.lazy_tabs import LazyTabs
from app.ui.chart.notes.tab import NotesTab
from app.ui.chart.orders import leaving
from app.ui.chart.orders.basket import Basket
from app.ui.chart.orders.tab import OrdersTab
from app.ui.chart.reports import ReportsTab
from app.ui.chart.restrict import RestrictButton
from app.ui.chart.style import ToneLabel
from app.ui.chart.summary import SummaryTab
from app.ui.chart.table import COLUMNS, ITEM_ROLE, PAGE_SIZE, ROOT, SectionModel, SectionTab
from app.ui.chart.visit import VisitBar
from app.ui.chart.visit_record import EncountersTab
from app.ui.chart.vitals.tab import VitalsTab
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.operations import chart
from app.ui.operations.entries import Services
from app.ui.printing.print_dialog import PrintDialog
from fhir_common.messages import sentence

# (tab label, chart section); the Summary tab comes first
TABS = (("Problems", "problems"), ("Medications", "medications"), ("Allergies", "allergies"),
        ("Vitals", "vitals"), ("Labs", "labs"), ("Immunizations", "immunizations"),
        ("Encounters", "encounters"), ("Notes", "notes"), ("Reports", "reports"))
LABELS = dict((section, label) for label, section in TABS)
VITAL_CODES = tuple(code for sign in VITAL_SIGNS for code in sign.codes)


class ChartView(QWidget):
    titled = Signal(str)  # the tab's title, once the chart is read
    updated = Signal()  # a read again (Chart.update) is shown

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 changes: SignalInstance | None = None):
        """`changes`: the workspace's signal of Changes (a chart on its own hears them
        itself)."""
        super().__init__()
        self.patient_id = patient_id
        self.setAccessibleName("Patient chart")
        self._ws, self._background = ws, background
        self._trends = ws.trends
        self._services = Services(ws.session, ws.problems, ws.allergies, ws.medications, patient_id,
                                  ws.medication_changes, ws.record_alerts)
        self.summary: ChartSummary | None = None
        self.banner = Banner()
        self.banner.hide()
        self.restrict = RestrictButton(ws, background, patient_id)
        self.banner.add_action(self.restrict)
        self.print_button = QPushButton("Print…")
        self.print_button.setAccessibleName("Print a document of this chart")
        self.print_button.setToolTip("Print a document of this chart to a PDF (Ctrl+P)")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(lambda: self.open_print())
        self.banner.add_action(self.print_button)
        QShortcut(QKeySequence.StandardKey.Print, self, lambda: self.open_print(),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.printing: PrintDialog | None = None  # while open
        self.visit = VisitBar(ws.session, ws.encounters, background, patient_id)
        self.visit.open_asked.connect(lambda visit_id: self.tabs["encounters"].open_visit(
            visit_id))
        self._reading: set[str] | None = None  # sections being read again, if any
        self._touched: set[str] = set()  # sections changed since that read was asked
        self._stale = False  # the patient's records changed since that read was asked
        self.message = ToneLabel("Opening chart…", "muted", "Chart status")
        self.sections = QTabWidget()
        self.sections.setAccessibleName("Chart sections")
        self.sections.setDocumentMode(True)
        self.sections.hide()
        self.tabs = LazyTabs(self.sections)  # tabs["labs"] is the Labs tab, built if need be
        self.basket: Basket | None = None  # the basket bar, once the chart is read
        box = QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addWidget(self.visit)
        box.addWidget(self.message)
        self.glass = QPushButton("Break the glass…")  # a restricted chart, shut to this user
        self.glass.setAccessibleName("Break the glass to open this chart")
        self.glass.hide()
        self.glass.clicked.connect(self._offer_glass)
        self._refused: Exception | None = None
        box.addWidget(self.glass, 0, Qt.AlignmentFlag.AlignLeft)
        self._box = box
        box.addWidget(self.sections, 1)
        box.addStretch(0)  # takes the room while the sections are hidden: words stay on top
        self.break_glass: break_glass.BreakGlassDialog | None = None  # while offered
        self._open()
        changes_of(self, ws.changes, changes).connect(self.take)

    @property
    def orders(self) -> OrdersTab | None:
        """The Orders tab (built now if it was waiting), once the chart is read."""
        return self.tabs["orders"] if "orders" in self.tabs else None

    @property
    def amendments(self) -> AmendmentsTab | None:
        return self.tabs["amendments"] if "amendments" in self.tabs else None

    @property
    def disclosures(self) -> DisclosuresTab | None:
        return self.tabs["disclosures"] if "disclosures" in self.tabs else None

    def tab_label(self, section: str) -> str:
        return self.sections.tabText(self.sections.indexOf(self.tabs.page(section)))

    def records(self, section: str) -> SectionTab:
        """The paged list of a section, on its own tab or under its plots."""
        tab = self.tabs[section]
        return tab if isinstance(tab, SectionTab) else tab.records

    def show_section(self, section: str) -> QWidget:
        self.sections.setCurrentWidget(self.tabs[section])
        return self.tabs[section]

    def select_record(self, section: str, record_id: str) -> None:
        """Show `section` with the record `record_id` selected (a note from the Inbox), once
        the chart and the record's page of the list are read: at once if they already are.
        A chart open before the record arrived reads the section again first. Nothing is
        selected if the chart could not be opened (it says why)."""
        if self.summary is None:
            def opened(_title: str) -> None:
                self.titled.disconnect(opened)
                if self.summary is not None:
                    self._select(section, record_id, fresh=True)

            self.titled.connect(opened)
            return
        self._select(section, record_id, fresh=False)

    def _select(self, section: str, record_id: str, fresh: bool) -> None:
        """`fresh`: the chart has just been read, so the record is in its lists' pages."""
        self.show_section(section)
        if fresh or _row_of(self.records(section), record_id) is not None:
            _RecordFinder(self.records(section), record_id)
            return

        def read_again() -> None:
            self.updated.disconnect(read_again)
            _RecordFinder(self.records(section), record_id)

        # Not among the rows read: it may be newer than this chart's read (a result imported
        # by `hearth import`, which this window does not hear), so the section is read again
        # first and the record then looked for through its pages.
        self.updated.connect(read_again)
        self._touched.add(section)
        self._stale = True
        if self._reading is None:
            self._read_again()

    def take(self, changes: Changes) -> None:
        """Read again what this chart shows of `changes`, if its patient is among them (once
        the chart is open, if it is still opening)."""
        if self.patient_id not in changes.patients:
            return
        if self.basket is not None:
            self.basket.take(changes)
        for key in ("orders", "amendments"):  # a tab not built yet reads when first shown
            if (tab := self.tabs.get(key)) is not None:
                tab.take(changes)
        self._touched |= changes.sections & set(LABELS)
        self._stale = True
        if self._reading is None and self.summary is not None:
            self._read_again()

    def _open(self) -> None:
        chart.summary(self, self._background, self._ws, self.patient_id).success(
            self._show).failure(self._fail).run()

    def _glass_broken(self, grant: Grant) -> None:
        """Open the chart now; read it again when the emergency window ends, which shuts
        it (the gate refuses that read) unless the user is on the care team by then."""
        self.glass.hide()
        self.message.set_tone("muted")
        self.message.setText("Opening chart…")
        self._open()
        QTimer.singleShot(max(0, int((grant.end - grant.start).total_seconds() * 1000)) + 1000,
                          self, self._check_still_open)

    def _check_still_open(self) -> None:
        if self.summary is None:  # shut already
            return
        if self._reading is None:
            self._read_again()
        else:
            self._stale = True

    def _read_again(self) -> None:
        sections, self._touched, self._stale = self._touched, set(), False
        self._reading = sections
        lists = [s for s in sections if self.tabs.get(s) is not None
                 and self.records(s).model.started]
        vitals = self.tabs.get("vitals")
        codes = VITAL_CODES if "vitals" in sections and vitals is not None and vitals.drawn \
            else ()
        chart.update(self, self._background, self._ws, self.patient_id, lists, PAGE_SIZE,
                     codes).success(lambda update: self._update(update, sections)).failure(
            self._refresh_failed).run()

    def _read_answered(self) -> None:
        """The read again has answered: what changed meanwhile is read now, together."""
        self._reading = None
        if self._stale:
            self._read_again()

    def _show(self, summary: ChartSummary) -> None:
        self.summary = summary
        self.banner.show_patient(summary.patient, summary.allergies)
        self.restrict.show_for(summary.patient)
        syncs = bool(self._ws.policy.sync.server)  # without a server no row says "pending sync"
        self.tabs.add_built("summary", "Summary", SummaryTab(summary, set(LABELS), syncs))
        for label, section in TABS:
            self.tabs.add(section, f"{label} ({summary.counts[section]})",
                          lambda label=label, section=section: self._section_tab(label, section))
        patient = display_name(summary.patient)
        self.basket = Basket(self._ws, self._background, self.patient_id, patient)
        self.tabs.add("orders", "Orders", lambda: OrdersTab(
            self._ws, self._background, self._services, patient,
            self.summary.active_problems, self.basket))
        self.tabs.add("amendments", "Amendments", lambda: AmendmentsTab(
            self._ws, self._background, self.patient_id, patient))
        self.tabs.add("disclosures", "Disclosures", lambda: DisclosuresTab(
            self._ws, self._background, self.patient_id))
        self._box.insertWidget(self._box.indexOf(self.sections), self.basket)
        self.message.hide()
        self.banner.show()
        self.visit.load()
        self.sections.show()
        if self._stale:  # changed while the chart was opening
            self._read_again()
        self.titled.emit(display_name(summary.patient))

    def _update(self, update: ChartUpdate, sections: set[str]) -> None:
        summary = self.summary = update.summary
        self.banner.show_patient(summary.patient, summary.allergies)
        self.restrict.show_for(summary.patient)
        if (orders := self.tabs.get("orders")) is not None:
            orders.problems = summary.active_problems
        syncs = bool(self._ws.policy.sync.server)
        self.tabs.replace("summary", SummaryTab(summary, set(LABELS), syncs))
        for section in sections:
            tab = self.tabs.get(section)
            if tab is None:  # built when first shown, from the summary of then
                continue
            records = self._records(LABELS[section], section, summary.counts[section],
                                    update.pages.get(section))
            if isinstance(tab, SectionTab):  # a list alone on its tab (Immunizations)
                self.tabs.replace(section, records)
            else:
                tab.replace_records(records)
        if update.series is not None:  # asked for only when the Vitals tab is drawn
            self.tabs["vitals"].show_update(update.series, update.vitals_waiting)
        self._read_answered()
        for label, section in TABS:
            self.sections.setTabText(self.sections.indexOf(self.tabs.page(section)),
                                     f"{label} ({summary.counts[section]})")
        self.updated.emit()

    def _refresh_failed(self, exc: Exception) -> None:
        if isinstance(exc, ChartRestricted):  # emergency access ended: the chart closes
            self._shut(exc)
            return
        self._read_answered()
        self.message.set_tone("alert")
        self.message.setText(f"This chart changed, but could not be read again: "
                             f"{sentence(exc)} Close and reopen the chart to see the change.")
        self.message.show()

    def _records(self, label: str, section: str, total: int,
                 first_page: SectionPage | None = None) -> SectionTab:
        ws, patient_id = self._ws, self.patient_id
        model = SectionModel(COLUMNS[section], total, lambda page, size: ws.chart.section(
            ws.session, patient_id, section, page, size), self._background,
            first_page=first_page, syncs=bool(ws.policy.sync.server))
        records = SectionTab(model, label)
        records.setAccessibleName(label)
        return records

    def _section_tab(self, label: str, section: str) -> QWidget:
        ws, patient_id = self._ws, self.patient_id
        records = self._records(label, section, self.summary.counts[section])
        if section in ("problems", "allergies", "medications"):
            return EntriesTab(section, records, self._services, self._background,
                              display_name(self.summary.patient))
        args = (self._trends, ws.session, patient_id, self._background, records)
        if section == "vitals":
            return VitalsTab(*args, ws=ws)
        if section == "labs":
            return LabsTab(*args)
        if section == "notes":
            return NotesTab(*args, what="note", ws=ws)
        if section == "reports":
            return ReportsTab(ws, self._background, patient_id, records)
        if section == "encounters":
            return EncountersTab(ws, self._background, patient_id, records)
        return records

    def open_print(self, document: str | None = None, visit: str | None = None
                   ) -> PrintDialog | None:
        """Print… over this chart, once it is open (one at a time): `document` and `visit`
        preset, if given."""
        if self.summary is None:
            return None
        if self.printing is not None and self.printing.isVisible():
            self.printing.close()
        self.printing = PrintDialog(self._ws, self._background, self.patient_id, document,
                                    visit, self)
        self.printing.show()
        return self.printing

    def before_closing(self, done: Callable[[bool], None]) -> bool:
        """Whether the chart may close at once; if not, the person is asked about the unsigned
        orders they left here (app.ui.chart.orders.leaving) and `done(leave)` answers."""
        return self.basket is None or leaving.ask(self.basket, done) is None

    def _fail(self, exc: Exception) -> None:
        self.message.set_tone("alert")
        self.message.setText(f"This chart could not be opened. {sentence(exc)}")
        self.titled.emit("Chart not opened")
        self._refused = exc
        self._offer_glass()

    def _offer_glass(self) -> None:
        self.break_glass = break_glass.offer(self, self._ws, self._background,
                                             self.patient_id, self._refused, self._glass_broken)
        self.glass.setVisible(self.break_glass is not None)

    def _shut(self, refused: ChartRestricted) -> None:
        """Take every part of the chart off the screen and say why."""
        self._reading, self.summary = None, None
        for part in (self.banner, self.visit, self.sections):
            part.hide()
        self.tabs.clear()
        if self.basket is not None:
            self.basket.deleteLater()
        self.basket = None
        self.message.set_tone("alert")
        self.message.setText(f"{refused.message} Break the glass again to reopen it.")
        self.message.show()
        self._refused = refused
        self.glass.setVisible(break_glass.may_break(self._ws, refused))
        self.titled.emit("Chart closed")


class _RecordFinder(QObject):
    """Selects one record in a section's list, reading its pages until the record is found
    or the list ends. A child of the list's table, so it goes with the list (a chart closed,
    a list replaced after a save) and Qt drops its connection then."""

    def __init__(self, records: SectionTab, record_id: str):
        super().__init__(records.table)
        self._records, self._id = records, record_id
        if not self._select():
            records.model.loaded.connect(self._page_arrived)
            records.model.fetchMore(ROOT)  # the pages read so far lack it (or none is yet)

    def _select(self) -> bool:
        row = _row_of(self._records, self._id)
        if row is not None:
            self._records.table.selectRow(row)
            self._records.table.scrollTo(self._records.model.index(row, 0))
        return row is not None

    def _page_arrived(self) -> None:
        model = self._records.model
        if self._select() or not model.canFetchMore(ROOT):
            model.loaded.disconnect(self._page_arrived)
            self.deleteLater()
        else:
            model.fetchMore(ROOT)


def _row_of(records: SectionTab, record_id: str) -> int | None:
    """The row of `record_id` among the rows of the list read so far, if there."""
    model = records.model
    return next((row for row in range(model.rowCount())
                 if model.index(row, 0).data(ITEM_ROLE).id == record_id), None)
