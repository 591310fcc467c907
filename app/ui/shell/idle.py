"""Notices a workstation left alone, so an exam-room screen never stays on a chart.

Any key press, click, wheel turn or mouse move anywhere in the application restarts the
timer; when it runs out, `idle` fires and the window locks.
"""

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
