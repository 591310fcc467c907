"""Under the Medications and Allergies lists: the safety alerts the selected record took part
in (app.clinical.chart.record_alerts), so the prescriber sees what was said when it was
ordered and what was done about it: severity, the alert, its source (the pack and its
version), the override reason and who gave it; for an allergy, the drugs it flagged.

Selecting a record reads its alerts on the database thread (one audited read; a newer
selection wins). The text is plain, never rendered.
"""

from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from app.clinical.chart.chart_items import ChartItem
from app.clinical.chart.record_alerts import ShownAlert
from app.display_time import when_text
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import medication_changes
from app.ui.operations.entries import Services
from fhir_common.messages import sentence

HINT = "Select a medication or allergy to see the safety alerts it took part in."


class AlertsPane(QWidget):
    def __init__(self, services: Services, background: Background):
        super().__init__()
        self._services, self._background = services, background
        self.heading = ToneLabel(HINT, "muted", "Safety alerts of the selected record")
        self.heading.setFont(scaled_font(self.heading, bold=True))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Safety alerts")
        self.text.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.text, 1)

    def show_record(self, item: ChartItem | None) -> None:
        if item is None:
            self.heading.set_tone("muted")
            self.heading.setText(HINT)
            self.text.hide()
            return
        self.heading.set_tone("muted")
        self.heading.setText(f"Reading the safety alerts of {item.title}…")
        medication_changes.alerts(self, self._background, self._services,
                                  f"{item.type}/{item.id}").success(
            lambda shown: self._show(item, shown)).failure(self._fail).run()

    def _show(self, item: ChartItem, shown: tuple[ShownAlert, ...]) -> None:
        count = len(shown)
        self.heading.set_tone(None if count else "muted")
        self.heading.setText(f"Safety alerts of {item.title}: " + (
            "none shown when it was recorded or since." if not count else
            "1 alert." if count == 1 else f"{count} alerts."))
        self.text.setPlainText("\n\n".join(alert_text(a) for a in shown))
        self.text.setVisible(bool(count))

    def _fail(self, exc: Exception) -> None:
        self.heading.set_tone("alert")
        self.heading.setText(sentence(exc))
        self.text.hide()


def alert_text(alert: ShownAlert) -> str:
    """One alert as a few lines a clinician reads top down."""
    top = " · ".join(p for p in (alert.severity, alert.kind, alert.other and
                                 f"with {alert.other}", when_text(alert.when)) if p)
    lines = [top, alert.detail]
    if alert.source:
        lines.append(f"Source: {alert.source}")
    if alert.action:
        lines.append(f"{alert.action} (by {alert.by})" if alert.by else alert.action)
    elif alert.by:
        lines.append(f"Shown to {alert.by}; it did not stop the order." if alert.severity
                     else f"Recorded by {alert.by}.")
    return "\n".join(lines)
