"""The Vitals tab: a trend plot per vital sign above the paged list of readings.

Blood pressure plots systolic and diastolic together. A sign measured under several codes
(oral and body temperature) is one plot, with a curve per unit, so °C and °F never share an
axis. Signs never measured get no empty plot, only a line naming them, so an absent heart
rate reads as "not recorded" rather than as a flat line.

Given the workstation, the tab also offers "Record vitals" to those who may edit the chart.
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
from app.clinical.charting.trends import DIASTOLIC, SYSTOLIC, VITAL_SIGNS, Point, Trends, VitalSign
from app.clinical.charting.vitals import summary
from app.security.roles import Permission
from app.security.session import Session
from app.ui.chart.style import ToneLabel
from app.ui.chart.table import SectionTab
from app.ui.chart.vitals.entry import VitalsEntry
from app.ui.chart.vitals.plot import TrendPlot
from app.ui.common.background import Background
from app.ui.operations import vitals as vitals_ops
from fhir_common.messages import sentence

PLOT_COLUMNS = 3


def curves_of(sign: VitalSign, series: dict[str, list[Point]]) -> list[tuple[str, list[Point]]]:
    if sign.codes == (SYSTOLIC, DIASTOLIC):
        return [("Systolic", series[SYSTOLIC]), ("Diastolic", series[DIASTOLIC])]
    by_unit: dict[str, list[Point]] = defaultdict(list)
    for code in sign.codes:
        for point in series[code]:
            by_unit[point.unit].append(point)
    if len(by_unit) == 1:
        return [(sign.label, sorted(points)) for points in by_unit.values()]
    return [(f"{sign.label} ({unit})", sorted(points)) for unit, points in by_unit.items()]


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
        self.waiting = 0
        self.entry: VitalsEntry | None = None
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
        self.record.setVisible(ws is not None and session.may(Permission.EDIT_CHART))
        self.record.clicked.connect(self.open_entry)
        notes = QVBoxLayout()
        notes.addWidget(self.saved)
        notes.addWidget(self.pending)
        top = QHBoxLayout()
        top.addLayout(notes, 1)
        top.addWidget(self.record)
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
        self.pending.setVisible(bool(count))
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
            curves = curves_of(sign, series)
            if not any(points for _, points in curves):
                missing.append(sign.label)
                continue
            if sign.label not in self.plots:
                self.plots[sign.label] = TrendPlot(sign.label)
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
