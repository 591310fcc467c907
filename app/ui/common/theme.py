"""Light and dark themes that follow the OS, with the few colours Hearth gives meaning to.

Qt's Fusion style draws both schemes from one palette, so the app follows the desktop's
light/dark setting (Qt 6.5+ reports it) and switches live when the user changes it.
Allergy red and abnormal-result colours are chosen per scheme for contrast.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

ALERT = {"light": "#b00020", "dark": "#ff6e6e"}
MUTED = {"light": "#5f6368", "dark": "#a0a4a8"}


def scheme() -> str:
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def alert_color() -> str:
    return ALERT[scheme()]


def muted_color() -> str:
    return MUTED[scheme()]


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")
    _set_palette(app)
    app.styleHints().colorSchemeChanged.connect(lambda _: _set_palette(app))


def _set_palette(app: QApplication) -> None:
    if scheme() == "light":
        app.setPalette(app.style().standardPalette())
        return
    dark = QPalette()
    for role, color in {
        QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#171717", QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124", QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    }.items():
        dark.setColor(role, QColor(color))
    app.setPalette(dark)
