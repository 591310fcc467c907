"""The Vitals tab: a trend plot per vital sign above the paged list of readings.

Blood pressure plots systolic and diastolic together. A sign measured under several codes
(oral and body temperature) is one plot, with a curve per unit, so °C and °F never share an
axis. A US clinic (policy vitals.units) sees temperature in °F, weight in lb and height in
inches; the plot's tooltip says the readings are stored in metric units. Signs never
measured get no empty plot, only a line naming them, so an absent heart rate reads as "not
recorded" rather than as a flat line.

Given the workstation, the tab also offers "Record vitals" to those who may edit the chart,
and, for the reading selected in the list, "Correct…" (a new value, with the reason) and
"Entered in error…" (a reading that was never the patient's, with the reason): it stays in
the list, marked, and leaves the plots and Latest vitals; the earlier value stays on record.
The tab reads its plots and the count waiting to sync when first shown; after that, a change
to the patient's vitals (a set saved here, readings received or confirmed by a sync) reaches
the chart as Changes, and the chart's one read brings the tab new plots and count
(`show_update`) and a new list (`replace_records`). A line says how many of the patient's
readings the server has not confirmed yet, so it clears when a sync confirms them.
"""

from collections import defaultdict

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.trends import DIASTOLIC, SYSTOLIC, VITAL_SIGNS, Point, Trends, VitalSign
from app.clinical.charting.units import METRIC, US, in_unit, shown
from app.clinical.charting.vital_corrections import parts, value_text
from app.clinical.charting.vitals import summary
from app.security.roles import Permission
from app.security.session import Session
from app.ui.chart.entry_dialogs import EntryDialog, ReasonDialog
from app.ui.chart.style import ToneLabel
from app.ui.chart.table import ITEM_ROLE, SectionTab
from app.ui.chart.vitals.correct import CorrectReading
from app.ui.chart.vitals.entry import VitalsEntry
from app.ui.chart.vitals.plot import TrendPlot
from app.ui.common.background import Background
from app.ui.operations import vitals as vitals_ops
from fhir_common.messages import sentence

PLOT_COLUMNS = 3
US_PLOTTED = {"Temperature": "[degF]", "Weight": "[lb_av]", "Height": "[in_i]"}
IN_ERROR = "entered-in-error"


def curves_of(sign: VitalSign, series: dict[str, list[Point]],
              system: str = METRIC) -> list[tuple[str, list[Point]]]:
    """The sign's curves: a curve per unit, in the clinic's units where they differ (a US
    clinic's temperature in °F, weight in lb, height in inches)."""
    if sign.codes == (SYSTOLIC, DIASTOLIC):
        return [("Systolic", series[SYSTOLIC]), ("Diastolic", series[DIASTOLIC])]
    by_unit: dict[str, list[Point]] = defaultdict(list)
    for code in sign.codes:
        for point in series[code]:
            point = _in_clinic_units(sign, point, system)
            by_unit[point.unit].append(point)
    if len(by_unit) == 1:
        return [(sign.label, sorted(points)) for points in by_unit.values()]
    return [(f"{sign.label} ({shown(unit)})", sorted(points))
            for unit, points in by_unit.items()]


def _in_clinic_units(sign: VitalSign, point: Point, system: str) -> Point:
    wanted = US_PLOTTED.get(sign.label) if system == US else None
    value = in_unit(point.value, point.unit, wanted) if wanted else None
    return point if value is None else Point(point.date, round(value, 1), wanted)


def _value_of(observation: dict) -> str:
    """ "76 kg", "120 mmHg / 80 mmHg": the corrected value, as the list shows it."""
    return " / ".join(value_text(p) for p in parts(observation))


def waiting_text(count: int) -> str:
    if count == 1:
        return "1 reading is not on the server yet: pending sync."
    return f"{count} readings are not on the server yet: pending sync." if count else ""


class VitalsTab(QWidget):
    plotted = Signal()  # the trends arrived and are drawn
    counted = Signal(int)  # the readings waiting to sync were counted

    def __init__(self, trends: Trends, session: Session, patient_id: str,
                 background: Background, records: SectionTab, ws: Workstation | None = None):
        super().__init__()
        self._trends, self._session = trends, session
        self._background, self._ws, self._patient_id = background, ws, patient_id
        self._asked = False
        self._system = ws.policy.vitals.units if ws is not None else METRIC
        self.waiting = 0
        self.entry: VitalsEntry | None = None
        self.dialog: EntryDialog | None = None  # the last correction opened
        self.plots: dict[str, TrendPlot] = {}
        self.status = ToneLabel("Loading trends…", "muted", "Vital sign trends status")
        self.saved = ToneLabel("", "muted", "Vitals last saved")
        self.saved.hide()
        self.pending = ToneLabel("", "muted", "Vitals waiting to sync")
        self.pending.hide()
        self.record = QPushButton("Record vitals…")
        self.record.setAccessibleName("Record vitals")
        self.record.setToolTip("Enter blood pressure, heart rate, temperature and the rest "
                               "taken now")
        self.record.clicked.connect(self.open_entry)
        editor = ws is not None and session.may(Permission.EDIT_CHART)
        self.record.setVisible(editor)
        self.correct = QPushButton("Correct…")
        self.correct.setAccessibleName("Correct the selected reading")
        self.correct.clicked.connect(self.open_correction)
        self.in_error = QPushButton("Entered in error…")
        self.in_error.setAccessibleName("Mark the selected reading entered in error")
        self.in_error.clicked.connect(self.open_in_error)
        notes = QVBoxLayout()
        notes.addWidget(self.saved)
        notes.addWidget(self.pending)
        top = QHBoxLayout()
        top.addLayout(notes, 1)
        for button in (self.correct, self.in_error, self.record):
            button.setVisible(editor)
            top.addWidget(button)
        self._grid = QGridLayout()
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.status)
        column.addLayout(self._grid)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setAccessibleName("Vital sign trends")
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        self.records = records
        self._split = QSplitter(Qt.Orientation.Vertical)
        self._split.addWidget(scroll)
        self._split.addWidget(records)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self._split)
        self._watch(records)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._asked:
            if not self.plots:
                height = self._split.height()
                self._split.setSizes([height * 2 // 3, height // 3])  # the plots come first
            self._asked = True
            self._plot()
            self._count()

    @property
    def drawn(self) -> bool:
        """Whether the plots were asked for: a chart read again brings new ones only then."""
        return self._asked

    def show_update(self, series: dict[str, list[Point]], waiting: int) -> None:
        """The plots and the count waiting to sync, read again by the chart after a change."""
        self._draw(series)
        self._show_waiting(waiting)

    def open_entry(self) -> VitalsEntry:
        """The entry dialog, over the chart; the chart reads the plots again once it saves."""
        self.entry = VitalsEntry(self._ws, self._background, self._patient_id, parent=self)
        self.entry.saved.connect(self._recorded)
        self.entry.open()
        return self.entry

    def replace_records(self, records: SectionTab) -> None:
        """The list read again after a change; the plots stay."""
        old, self.records = self.records, records
        self._split.replaceWidget(self._split.indexOf(old), records)
        old.deleteLater()
        self._watch(records)

    def selected(self) -> ChartItem | None:
        index = self.records.table.currentIndex()
        return index.data(ITEM_ROLE) if index.isValid() else None

    def open_correction(self) -> CorrectReading:
        item = self.selected()
        dialog = CorrectReading(self._ws, self._background, item, self)
        self._open(dialog, lambda record: f"Reading corrected: {item.title} "
                   f"{_value_of(record)}.")
        return dialog

    def open_in_error(self) -> ReasonDialog:
        item, ws, background = self.selected(), self._ws, self._background
        dialog = ReasonDialog(
            background, "Mark reading entered in error", item, "Mark entered in error",
            lambda owner, reason, _when: vitals_ops.enter_in_error(owner, background, ws,
                                                                   item.id, reason),
            None, self)
        self._open(dialog, lambda _: f"Reading marked entered in error: {item.title} "
                   f"{item.value or ''}.".replace(" .", "."))
        return dialog

    def _open(self, dialog: EntryDialog, said) -> None:
        self.dialog = dialog
        dialog.saved.connect(lambda record: self._said(said(record)))
        dialog.open()

    def _said(self, words: str) -> None:
        self.saved.setText(words)
        self.saved.show()

    def _watch(self, records: SectionTab) -> None:
        records.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    def _enable(self) -> None:
        """Correct and Entered in error act on the selected reading, not on one already
        marked entered in error."""
        item = self.selected()
        usable = item is not None and item.status != IN_ERROR
        why = ("This reading is already marked entered in error" if item is not None
               else "Select a reading in the list first")
        for button, can in ((self.correct, "Correct the selected reading's value, with the "
                             "reason; the earlier value stays on record"),
                            (self.in_error, "Mark the selected reading entered in error: "
                             "never the patient's; it stays in the list, marked")):
            button.setEnabled(usable)
            button.setToolTip(can if usable else why)

    def _recorded(self, observations: list[dict]) -> None:
        words = summary(observations)
        self.saved.setText(f"Saved: {words}.")
        self.saved.show()

    def _plot(self) -> None:
        codes = [code for sign in VITAL_SIGNS for code in sign.codes]
        vitals_ops.series(self, self._background, self._trends, self._session, self._patient_id,
                          codes).success(self._draw).failure(self._fail).run()

    def _count(self) -> None:
        if self._ws is None:
            return
        vitals_ops.waiting_to_sync(self, self._background, self._ws, self._patient_id).success(
            self._show_waiting).failure(self._count_failed).run()

    def _show_waiting(self, count: int) -> None:
        self.waiting = count
        self.pending.set_tone("muted")
        self.pending.setText(waiting_text(count))
        # without a sync server every reading is only here, which the window says once
        syncs = self._ws is None or bool(self._ws.policy.sync.server)
        self.pending.setVisible(bool(count) and syncs)
        self.counted.emit(count)

    def _count_failed(self, exc: Exception) -> None:
        self.pending.set_tone("alert")
        self.pending.setText(f"Whether readings are waiting to sync is not known. "
                             f"{sentence(exc)}")
        self.pending.show()

    def _draw(self, series: dict[str, list[Point]]) -> None:
        """Draw each measured sign's plot, or redraw it with what is new, in the order of
        VITAL_SIGNS whichever signs were measured first."""
        missing = []
        for sign in VITAL_SIGNS:
            curves = curves_of(sign, series, self._system)
            if not any(points for _, points in curves):
                missing.append(sign.label)
                if gone := self.plots.pop(sign.label, None):  # its readings were in error
                    self._grid.removeWidget(gone)
                    gone.deleteLater()
                continue
            if sign.label not in self.plots:
                self.plots[sign.label] = TrendPlot(sign.label)
                if self._system == US and sign.label in US_PLOTTED:
                    self.plots[sign.label].setToolTip(
                        f"In {shown(US_PLOTTED[sign.label])}, the clinic's units; stored in "
                        "metric units (°C, kg, cm) as the FHIR vital signs profile has them.")
            self.plots[sign.label].show_series(curves)
        order = [sign.label for sign in VITAL_SIGNS if sign.label in self.plots]
        for n, label in enumerate(order):
            self._grid.removeWidget(self.plots[label])
            self._grid.addWidget(self.plots[label], n // PLOT_COLUMNS, n % PLOT_COLUMNS)
        self.status.set_tone("muted")
        self.status.setText(f"Not recorded for this patient: {', '.join(missing)}."
                            if missing else "")
        self.status.setVisible(bool(missing))
        self.plotted.emit()

    def _fail(self, exc: Exception) -> None:
        self._asked = False  # showing the tab again tries again
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))
        self.status.setVisible(True)
