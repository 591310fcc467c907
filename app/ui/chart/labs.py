"""The Labs tab: every result, newest first, flags in words and colour; below, how the
selected test has changed over time.

Selecting a row reads that test's whole series (every result with the same code) on the
database thread, and rings the selected result on the plot; while a series is on its way, a
newer selection wins.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.trends import Point, Trends
from app.security.session import Session
from app.ui.chart.list_detail import ListAndDetail
from app.ui.chart.style import ToneLabel
from app.ui.chart.table import SectionTab
from app.ui.chart.vitals.plot import TrendPlot
from app.ui.common.background import Background
from app.ui.operations import chart
from fhir_common.messages import sentence


class LabsTab(ListAndDetail):
    plotted = Signal(str)  # the observation id whose test is now plotted

    def __init__(self, trends: Trends, session: Session, patient_id: str,
                 background: Background, records: SectionTab):
        hint = ToneLabel("Select a result to see how that test has changed over time.",
                         "muted", "Lab trend status")
        plot = TrendPlot("Selected test")
        plot.hide()
        lower = QWidget()
        box = QVBoxLayout(lower)
        box.addWidget(hint)
        box.addWidget(plot)
        super().__init__(records, lower, 3, 2)
        self.hint, self.plot = hint, plot
        self._trends, self._session, self._patient_id = trends, session, patient_id
        self._background = background

    def chosen(self, item: ChartItem) -> None:
        self.hint.set_tone("muted")
        self.hint.setText(f"Loading the trend of {item.title}…")
        self.hint.show()
        chart.lab_series(self, self._background, self._trends, self._session, self._patient_id,
                         item.id).success(lambda found: self._show(item, found[1])).failure(
            self._fail).run()

    def _show(self, item: ChartItem, points: list[Point]) -> None:
        self.plot.retitle(item.title)
        self.plot.show_series([(item.title, points)], marked=item.date)
        self.plot.setVisible(bool(points))
        self.hint.setText(f"{item.title} has no numeric results to plot.")
        self.hint.setVisible(not points)
        self.plotted.emit(item.id)

    def _fail(self, exc: Exception) -> None:
        self.hint.set_tone("alert")
        self.hint.setText(sentence(exc))
        self.hint.show()
