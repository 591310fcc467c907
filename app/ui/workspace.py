"""Everything a signed-in user works in: Today, Patients, Sync, and one tab per open chart.

The workspace holds patient data, so it exists only while the session is unlocked: locking
destroys it (not just hides it) and unlocking builds a new one, reopening the same charts
from the store.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget

from app.bootstrap import Workstation
from app.ui.background import Background
from app.ui.chart_view import ChartView
from app.ui.patients_view import PatientsView
from app.ui.sync_view import SyncView
from app.ui.today_view import TodayView

FIXED_TABS = 3


class Workspace(QTabWidget):
    sync_now = Signal()

    def __init__(self, ws: Workstation, background: Background):
        super().__init__()
        self.setAccessibleName("Workspace")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self._ws, self._background = ws, background
        self.today = TodayView(ws, background)
        self.patients = PatientsView(ws, background)
        self.sync = SyncView(ws, background)
        for view, title in ((self.today, "Today"), (self.patients, "Patients"),
                            (self.sync, "Sync")):
            self.addTab(view, title)
            self.tabBar().setTabButton(self.indexOf(view), self.tabBar().ButtonPosition.RightSide,
                                       None)
        self.today.open_chart.connect(self.open_chart)
        self.patients.open_chart.connect(self.open_chart)
        self.sync.sync_now.connect(self.sync_now.emit)
        self.tabCloseRequested.connect(self._close_tab)

    def open_chart(self, patient_id: str) -> ChartView:
        for index in range(FIXED_TABS, self.count()):
            if self.widget(index).patient_id == patient_id:
                self.setCurrentIndex(index)
                return self.widget(index)
        chart = ChartView(self._ws, self._background, patient_id)
        index = self.addTab(chart, "Opening chart…")
        close = self.tabBar().tabButton(index, self.tabBar().ButtonPosition.RightSide)
        if close is not None:
            close.setAccessibleName("Close this chart (Ctrl+W)")
        chart.titled.connect(lambda title, c=chart: self.setTabText(self.indexOf(c), title))
        self.setCurrentIndex(index)
        return chart

    def open_charts(self) -> list[str]:
        return [self.widget(i).patient_id for i in range(FIXED_TABS, self.count())]

    def close_current_chart(self) -> None:
        if self.currentIndex() >= FIXED_TABS:
            self._close_tab(self.currentIndex())

    def next_tab(self) -> None:
        self.setCurrentIndex((self.currentIndex() + 1) % self.count())

    def focus_search(self) -> None:
        self.setCurrentWidget(self.patients)
        self.patients.focus_search()

    def _close_tab(self, index: int) -> None:
        if index >= FIXED_TABS:
            widget = self.widget(index)
            self.removeTab(index)
            widget.deleteLater()
