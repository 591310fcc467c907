"""Enrolling an authenticator, right after the password of a user whose role requires one.

Two steps in one dialog: scan the QR code (the otpauth:// URI drawn here by segno, no
network) or type the key, then type the code the app shows to prove the phone has it; then
the ten recovery codes, shown this once. Only when the code is confirmed is anything stored
(app.security.mfa); closing the dialog before that leaves the user not enrolled and signed
out again.
"""

import io

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.security.mfa import TOLERANCE_TEXT, Enrolment
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import second_factor as factor_ops
from fhir_common.messages import sentence


def qr_pixmap(uri: str) -> QPixmap:
    """The URI as a QR code, drawn to PNG bytes in memory."""
    png = io.BytesIO()
    segno.make(uri, error="m").save(png, kind="png", scale=6, border=3)
    pixmap = QPixmap()
    pixmap.loadFromData(png.getvalue(), "PNG")
    return pixmap


def spaced(secret: str) -> str:
    """The key in groups of four, as authenticator apps ask for it typed."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class MfaEnrolDialog(QDialog):
    def __init__(self, ws: Workstation, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Set up your authenticator")
        self._ws, self._background = ws, background
        self.enrolment: Enrolment | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._scan_page())
        self.pages.addWidget(self._codes_page())
        box = QVBoxLayout(self)
        box.addWidget(self.pages)
        factor_ops.begin(self, background, ws).success(self._show).failure(
            lambda exc: self._refuse(sentence(exc))).run()

    def _scan_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        intro = QLabel(f"{self._ws.session.full_name}: your role signs in with a code from an "
                       "authenticator app as well as the password. Scan this with the app "
                       "(e.g. Google or Microsoft Authenticator, FreeOTP), then type the "
                       "6-digit code it shows.")
        intro.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setAccessibleName("QR code")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(240, 240)
        self.key = QLabel()
        self.key.setAccessibleName("Key to type instead")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code = QLineEdit()
        self.code.setAccessibleName("Code from the app")
        self.code.setPlaceholderText("6-digit code")
        self.code.setMaxLength(6)
        help_text = QLabel(f"The app shows a new code every 30 seconds; {TOLERANCE_TEXT}.")
        help_text.setWordWrap(True)
        help_text.setStyleSheet(f"color: {theme.muted_color()};")
        self.message = QLabel()
        self.message.setAccessibleName("Enrolment message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.setEnabled(False)  # until the secret is shown
        cancel = QPushButton("Cancel and sign out")
        row = QHBoxLayout()
        row.addWidget(cancel)
        row.addStretch()
        row.addWidget(self.confirm_button)
        for widget in (intro, self.qr, self.key, self.code, help_text, self.message):
            box.addWidget(widget)
        box.addLayout(row)
        self.confirm_button.clicked.connect(self._confirm)
        self.code.returnPressed.connect(self._confirm)
        cancel.clicked.connect(self.reject)
        return page

    def _codes_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        heading = QLabel("Your recovery codes")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        why = QLabel("If the phone is lost, each of these signs you in once instead of a "
                     "code. Write them down or print them and keep them away from the "
                     "computer: they are not shown again.")
        why.setWordWrap(True)
        self.recovery = QLabel()
        self.recovery.setAccessibleName("Recovery codes")
        self.recovery.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recovery.setFont(QFont("monospace", 13))
        self.done_button = QPushButton("I have kept them: open Hearth")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        for widget in (heading, why, self.recovery):
            box.addWidget(widget)
        box.addStretch()
        box.addWidget(self.done_button, alignment=Qt.AlignmentFlag.AlignRight)
        return page

    def _show(self, enrolment: Enrolment) -> None:
        self.enrolment = enrolment
        self.qr.setPixmap(qr_pixmap(enrolment.uri))
        self.key.setText(f"Or type this key: {spaced(enrolment.secret)}")
        self.confirm_button.setEnabled(True)
        self.code.setFocus()

    def _confirm(self) -> None:
        if self.enrolment is None:
            return
        self.confirm_button.setEnabled(False)
        self.message.setStyleSheet(f"color: {theme.muted_color()};")
        self.message.setText("Checking the code…")
        factor_ops.confirm(self, self._background, self._ws, self.enrolment,
                           self.code.text()).success(self._confirmed).failure(
            lambda exc: self._refuse(sentence(exc))).run()

    def _confirmed(self, _none: None) -> None:
        codes = self.enrolment.recovery_codes
        half = (len(codes) + 1) // 2
        self.recovery.setText("\n".join(f"{a}     {b}" for a, b in zip(
            codes[:half], codes[half:] + ("",) * (half - len(codes[half:])), strict=True)))
        self.pages.setCurrentIndex(1)
        self.done_button.setFocus()

    def _refuse(self, text: str) -> None:
        self.confirm_button.setEnabled(self.enrolment is not None)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.message.setText(text)
        self.code.clear()
        self.code.setFocus()
