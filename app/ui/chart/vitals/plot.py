"""A trend plot of one measurement over time (pyqtgraph), readable without seeing it.

The heading says the latest value in words and the plot's accessible description lists
every series' range, so a screen reader user gets what the picture shows. The legend is a
line above the plot, not a box over it, so it never hides a point. The mouse does not zoom
or pan: the plots sit in a scrolling page, and a wheel turn should scroll the page. Colours
come from the OS scheme and are redrawn when it changes. pyqtgraph (with numpy) is imported
by the first plot built, not at start-up: it is a third of what the window imports.
"""

import html
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.clinical.charting.trends import Point
from app.clinical.charting.units import shown
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common import theme

DAY = 86400.0
SURFACE = {"light": ("#ffffff", "#202124"), "dark": ("#171717", "#e8eaed")}  # as theme.py
SERIES_COLORS = {"light": ("#1a73e8", "#9334e6", "#b06000"),
                 "dark": ("#8ab4f8", "#d7aefb", "#fdd663")}


def epoch(when: str) -> float:
    """Seconds for the date axis; FHIR allows a year or a month alone."""
    padded = {4: f"{when}-01-01", 7: f"{when}-01"}.get(len(when), when)
    return datetime.fromisoformat(padded).timestamp()


def number(value: float) -> str:
    return f"{value:.4g}"


class TrendPlot(QWidget):
    def __init__(self, name: str):
        import pyqtgraph as pg  # here, not at start-up (the module's docstring)

        super().__init__()
        self.heading = ToneLabel()
        self.heading.setFont(scaled_font(self, bold=True))
        self.latest = ToneLabel(tone="muted")
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # escaped labels, our own markup
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.retitle(name)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setFixedHeight(self.fontMetrics().height() * 13)  # in lines: follows DPI
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(tickFont=self.font())
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._shown: list[tuple[str, list[Point]]] = []
        self._marked: str | None = None
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.legend)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.latest)
        box.addWidget(self.plot)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._redraw)
        self.show_series([])

    def retitle(self, name: str) -> None:
        """The Labs tab reuses one plot for whichever test is selected."""
        self.name = name
        self.heading.setText(name)
        self.heading.setAccessibleName(f"{name} trend")
        self.latest.setAccessibleName(f"{name} latest")
        self.legend.setAccessibleName(f"{name} legend")
        self.plot.setAccessibleName(f"{name} trend plot")

    def show_series(self, series: list[tuple[str, list[Point]]],
                    marked: str | None = None) -> None:
        """Curves by label, e.g. [("Systolic", points), ("Diastolic", points)]; the points
        dated `marked` (the result selected in a list) are ringed."""
        self._shown = [(label, points) for label, points in series if points]
        self._marked = marked
        self._redraw()
        self.latest.setText(self._latest() if self._shown else "No numeric results")
        self.plot.setAccessibleDescription(self._describe())

    def point_count(self, label: str) -> int:
        curve = self.curves.get(label)
        return 0 if curve is None else len(curve.getData()[0])

    def _redraw(self) -> None:
        import pyqtgraph as pg  # imported already by __init__

        background, foreground = SURFACE[theme.scheme()]
        colors = SERIES_COLORS[theme.scheme()]
        self.plot.setBackground(background)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        self.plot.clear()
        self.curves = {}
        units = {shown(points[-1].unit) for _, points in self._shown}
        self.plot.setLabel("left", units.pop() if len(units) == 1 else "", color=foreground)
        for n, (label, points) in enumerate(self._shown):
            color = colors[n % len(colors)]
            self.curves[label] = self.plot.plot(
                [epoch(p.date) for p in points], [p.value for p in points], name=label,
                pen=pg.mkPen(color, width=2), symbol="o", symbolSize=7, symbolBrush=color,
                symbolPen=color)
        xs = [epoch(p.date) for _, points in self._shown for p in points]
        if xs and max(xs) - min(xs) < DAY:  # one date alone: wide enough for years on the axis
            self.plot.setXRange(min(xs) - 400 * DAY, max(xs) + 400 * DAY, padding=0)
        else:
            self.plot.enableAutoRange(axis="x")
        marked = [p for _, points in self._shown for p in points if p.date == self._marked]
        if marked:
            self.plot.plot([epoch(p.date) for p in marked], [p.value for p in marked], pen=None,
                           symbol="o", symbolSize=16, symbolBrush=None,
                           symbolPen=pg.mkPen(foreground, width=2))
        self.legend.setText("&nbsp;&nbsp;&nbsp;".join(
            f'<span style="color:{colors[n % len(colors)]}">&#9679;</span> {html.escape(label)}'
            for n, (label, _) in enumerate(self._shown)))
        self.legend.setVisible(len(self._shown) > 1)

    def _latest(self) -> str:
        """E.g. "Latest 124.7 / 82.54 mmHg on 2021-02-18 · 4 results"."""
        lasts = [points[-1] for _, points in self._shown]
        units = {shown(p.unit) for p in lasts}
        values = " / ".join(number(p.value) + ("" if len(units) == 1 else f" {shown(p.unit)}")
                            for p in lasts)
        unit = f" {shown(lasts[0].unit)}" if len(units) == 1 else ""
        count = max(len(points) for _, points in self._shown)
        results = "1 result" if count == 1 else f"{count} results"
        return f"Latest {values}{unit} on {max(p.date for p in lasts)[:10]}  ·  {results}"

    def _describe(self) -> str:
        if not self._shown:
            return f"No {self.name.lower()} results to plot."
        return "; ".join(
            f"{label}: {len(points)} results from {points[0].date[:10]} to "
            f"{points[-1].date[:10]}, lowest {number(min(p.value for p in points))}, highest "
            f"{number(max(p.value for p in points))}, latest {number(points[-1].value)} "
            f"{shown(points[-1].unit)}".rstrip() for label, points in self._shown)
