"""The Vitals tab: a trend plot per vital sign above the paged list of readings.

Blood pressure plots systolic and diastolic together. A sign measured under several codes
(oral and body temperature) is one plot, with a curve per unit, so °C and °F never share an
axis. Signs never measured get no empty plot, only a line naming them, so an absent heart
rate reads as "not recorded" rather than as a flat line.
"""

from collections import defaultdict

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QScrollArea, QSplitter, QVBoxLayout, QWidget

from app.clinical.trends import DIASTOLIC, SYSTOLIC, VITAL_SIGNS, Point, Trends, VitalSign
from app.security.session import Session
from app.ui.background import Background
from app.ui.chart_plot import TrendPlot
from app.ui.chart_style import ToneLabel
from app.ui.chart_table import SectionTab
from app.ui.chart_work import run_for
from app.ui.messages import sentence

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


class VitalsTab(QWidget):
    plotted = Signal()  # the trends arrived and are drawn

    def __init__(self, trends: Trends, session: Session, patient_id: str,
                 background: Background, records: SectionTab):
        super().__init__()
        self._read = lambda codes: trends.series(session, patient_id, codes)
        self._background = background
        self._asked = False
        self.plots: dict[str, TrendPlot] = {}
        self.status = ToneLabel("Loading trends…", "muted", "Vital sign trends status")
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
        QVBoxLayout(self).addWidget(self._split)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._asked:
            if not self.plots:
                height = self._split.height()
                self._split.setSizes([height * 2 // 3, height // 3])  # the plots come first
            self._asked = True
            codes = [code for sign in VITAL_SIGNS for code in sign.codes]
            run_for(self, self._background, lambda: self._read(codes), self._draw, self._fail)

    def _draw(self, series: dict[str, list[Point]]) -> None:
        missing = []
        for sign in VITAL_SIGNS:
            curves = curves_of(sign, series)
            if not any(points for _, points in curves):
                missing.append(sign.label)
                continue
            plot = TrendPlot(sign.label)
            plot.show_series(curves)
            self._grid.addWidget(plot, len(self.plots) // PLOT_COLUMNS,
                                 len(self.plots) % PLOT_COLUMNS)
            self.plots[sign.label] = plot
        self.status.setText(f"Not recorded for this patient: {', '.join(missing)}."
                            if missing else "")
        self.status.setVisible(bool(missing))
        self.plotted.emit()

    def _fail(self, exc: Exception) -> None:
        self._asked = False  # showing the tab again tries again
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))
