"""The report's main series as bars (pyqtgraph): one bar per day, week, provider or status.

The bars are `ReportTable.series()`, the same sums the PDF's chart draws, so a quiet day is a
bar of 0, not a gap. As the vitals plot does, the mouse neither zooms nor pans, colours
follow the OS scheme, and the plot's accessible description says every bar in words.
The plot itself is built when the tab is first shown or a report is run: pyqtgraph (with
numpy) is a third of what the window imports, and the Reports tab is built at sign-in.
"""

import math
from datetime import date

from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.clinical.reports.table import ReportTable
from app.ui.common import theme

SURFACE = {"light": ("#ffffff", "#202124"), "dark": ("#171717", "#e8eaed")}  # as theme.py
BAR = {"light": "#2f6690", "dark": "#8ab4f8"}  # the PDF chart's ink, and its dark twin
GAP = 3  # a third of a label's width at least between two labels


def label_text(label: str) -> str:
    """A day as "Mon 03 Mar"; a provider, code or status as it is (shortened)."""
    try:
        return f"{date.fromisoformat(label):%a %d %b}"
    except ValueError:
        return label if len(label) <= 18 else label[:17] + "…"


class ReportPlot(QWidget):
    def __init__(self):
        super().__init__()
        self.heading = QLabel()
        self.heading.setAccessibleName("Report plot heading")
        self.heading.setText("Run a report to see its plot.")
        self.plot = None  # a pyqtgraph PlotWidget, once shown or a report is run
        self.bars = None  # the pyqtgraph BarGraphItem drawn, if any
        self._points: list[tuple[str, float]] = []
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.addWidget(self.heading)
        self._box.addStretch(1)  # the plot's room until it is built

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's API)
        super().showEvent(event)
        if self.plot is None:
            self._build()
            self._redraw()

    def _build(self) -> None:
        import pyqtgraph as pg  # here, not at start-up (the module's docstring)

        self.plot = pg.PlotWidget()
        self.plot.setAccessibleName("Report plot")
        self.plot.setAccessibleDescription("No bars: nothing counted.")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(y=True, alpha=0.2)
        self.plot.setMinimumHeight(self.fontMetrics().height() * 12)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(tickFont=self.font())
        self._box.takeAt(1)  # the stretch
        self._box.addWidget(self.plot, 1)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._redraw)

    def show_table(self, table: ReportTable | None) -> None:
        """Bars of the table's series; nothing (and a line saying so) without one."""
        self._points = table.series() if table is not None else []
        if self.plot is None:
            self._build()
        if table is None or table.chart is None:
            self.heading.setText("Run a report to see its plot.")
        else:
            by = table.columns[table.chart.label]
            self.heading.setText(f"{table.columns[table.chart.value]} by "
                                 f"{by[:1].lower()}{by[1:]}")
        self._redraw()
        self.plot.setAccessibleDescription("; ".join(
            f"{label_text(label)}: {value:g}" for label, value in self._points)
            or "No bars: nothing counted.")

    def bar_heights(self) -> list[float]:
        """What each bar stands for, in order (what a person reads off the plot)."""
        if self.bars is None:
            return []
        return [float(h) for h in self.bars.opts["height"]]

    def _redraw(self) -> None:
        import pyqtgraph as pg  # imported already by _build

        background, foreground = SURFACE[theme.scheme()]
        self.plot.setBackground(background)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        self.plot.clear()
        self.bars = None
        if not self._points:
            self.plot.getAxis("bottom").setTicks([[]])
            return
        xs = list(range(len(self._points)))
        heights = [value for _, value in self._points]
        self.bars = pg.BarGraphItem(x=xs, height=heights, width=0.6,
                                    brush=BAR[theme.scheme()], pen=None)
        self.plot.addItem(self.bars)
        self._label_bars()
        top = max(max(heights), 1)
        self.plot.setYRange(0, top * 1.1, padding=0)
        if all(float(h).is_integer() for h in heights):  # counts: whole numbers on the axis
            step = max(1, math.ceil(top / 6))
            self.plot.getAxis("left").setTicks(
                [[(v, f"{v:,}") for v in range(0, int(top * 1.1) + 1, step)]])
        else:
            self.plot.getAxis("left").setTicks(None)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's API)
        """Fewer labels fit a narrower plot: they are chosen again."""
        super().resizeEvent(event)
        if self._points and self.plot is not None:
            self._label_bars()

    def _label_bars(self) -> None:
        """Every bar labelled when the labels fit side by side, else every second, third…
        (the first always), so no label is written over another."""
        texts = [label_text(label) for label, _ in self._points]
        widest = max(self.fontMetrics().horizontalAdvance(t) for t in texts)
        room = max(self.plot.width() - 60, 1) / len(texts)  # less the value axis
        step = max(1, math.ceil(widest * (1 + 1 / GAP) / room))
        self.plot.getAxis("bottom").setTicks(
            [[(x, text) for x, text in enumerate(texts) if x % step == 0]])
        # room left of the first bar for half its label, which pyqtgraph would otherwise drop
        edge = max(0.6, self.fontMetrics().horizontalAdvance(texts[0]) / 2 / room + 0.1)
        self.plot.setXRange(-edge, len(texts) - 0.4, padding=0)
