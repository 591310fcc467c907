"""Notices a workstation left alone, so an exam-room screen never stays on a chart.

Any key press, click, wheel turn, touch or mouse move in any of the application's windows
restarts the timer; when it runs out, `idle` fires and the window locks.

The input is watched on each window itself (its QWindow, which receives the window's input
before any widget does), not on the application: an application-wide filter runs Python for
every event of every widget, thousands as a chart opens (a sixth of the time it takes on
the UI thread). A window is watched from when it first has the focus (every dialog is given
it as it opens) or, for those open already, from `watch`.
"""

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QWindow

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
            QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.timeout.connect(self.idle.emit)

    def watch(self, app: QGuiApplication) -> None:
        """Watch the input of every window of `app`: those open now and each one that has
        the focus from now on."""
        for window in app.topLevelWindows():
            self._watch_window(window)
        app.focusWindowChanged.connect(self._watch_window)

    def _watch_window(self, window: QWindow | None) -> None:
        if window is not None:
            window.removeEventFilter(self)  # once per window, however often it has the focus
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
