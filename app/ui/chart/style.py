"""The chart's few styles: labels toned as alert or muted, fonts scaled from the user's.

Tones follow the OS light/dark switch live (theme.scheme() already reports the new scheme
when colorSchemeChanged arrives), and fonts are scaled from the application font, never set
in pixels, so text follows the user's size and the screen's DPI.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from app.ui.common import theme

TONES = {"alert": theme.alert_color, "muted": theme.muted_color}


class ToneLabel(QLabel):
    """A label for record text and messages; its tone is "alert", "muted" or None."""

    def __init__(self, text: str = "", tone: str | None = None, name: str = ""):
        super().__init__(text)
        self.setAccessibleName(name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # record text is never markup
        self._tone: str | None = None
        self.set_tone(tone)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._restyle)

    @property
    def tone(self) -> str | None:
        return self._tone

    def set_tone(self, tone: str | None) -> None:
        self._tone = tone
        self._restyle()

    def _restyle(self) -> None:
        self.setStyleSheet(f"color: {TONES[self._tone]()};" if self._tone else "")


def scaled_font(widget: QWidget, factor: float = 1.0, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font

