"""The red banner every order screen carries while medication checks cannot be trusted.

Checks never fail silently (issue 15): when the safety pack is missing, damaged, outdated
or had rows left out, the pack status's sentence (app.clinical.safety.packs) is shown in
the alert tone above the ordering controls, and ordering asks for an acknowledgement. When
every pack is whole and current the banner is hidden, so its presence alone means "look".
"""

from app.clinical.safety.packs import PackStatus
from app.ui.chart.style import ToneLabel


class KnowledgeBanner(ToneLabel):
    def __init__(self, status: PackStatus):
        super().__init__("", "alert", "Medication safety pack warning")
        self.show_status(status)

    def show_status(self, status: PackStatus) -> None:
        """Show `status` (e.g. after `hearth knowledge import` made the checks reload)."""
        self.setText(f"Medication safety checks: {status.sentence}" if status.sentence else "")
        self.setVisible(bool(status.sentence))
