"""Signing or cosigning a note: the password typed again, and whom to ask to cosign.

Typing the password again is the signature: it shows the person at the keyboard is the one
signed in, and that they mean it. The dialog checks nothing itself: it hands the password
to whoever opened it (the work runs on the database thread, argon2id takes a moment) and
stays open, saying why, when it is refused, so a mistyped password costs one retype.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.chart_style import ToneLabel, scaled_font

LOCKED_AFTER = ("Once signed, the note is locked: nobody can change it, you included. "
                "Corrections are made in an addendum, which is added beside it.")


class SignDialog(QDialog):
    """Sign (with an optional cosigner) or, without `cosigners`, cosign."""

    submitted = Signal(str, object)  # password, cosigner's user name or None

    def __init__(self, heading: str, signer: str, cosigners: list[tuple[str, str]] | None,
                 parent: QWidget | None = None, explanation: str = LOCKED_AFTER):
        super().__init__(parent)
        signing = cosigners is not None
        self.setWindowTitle("Sign note" if signing else "Cosign note")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(460)
        title = ToneLabel(heading, None, "What is signed")
        title.setFont(scaled_font(self, 1.2, bold=True))
        self.explanation = ToneLabel(explanation, "muted", "What signing means")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.password.setPlaceholderText("Type your password to sign")
        form = QFormLayout()
        form.addRow("Signing as", ToneLabel(signer, None, "Signing as"))
        form.addRow("Password", self.password)
        self.cosigner = QComboBox()
        self.cosigner.setAccessibleName("Ask for a cosignature from")
        self.cosigner.addItem("No cosignature needed", None)
        for user, full_name in cosigners or ():
            self.cosigner.addItem(f"{full_name} ({user})", user)
        if signing:
            form.addRow("Cosignature", self.cosigner)
        self.message = ToneLabel("", "alert", "Signing message")
        self.message.hide()
        self.sign_button = QPushButton("Sign" if signing else "Cosign")
        self.sign_button.setAccessibleName(self.sign_button.text())
        self.sign_button.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel signing")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.sign_button)
        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(self.explanation)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addLayout(buttons)
        self.sign_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.cancel.clicked.connect(self.reject)
        self.password.setFocus()

    def busy(self, busy: bool) -> None:
        for control in (self.password, self.cosigner, self.sign_button, self.cancel):
            control.setEnabled(not busy)
        if busy:
            self.message.set_tone("muted")
            self.message.setText("Checking your password…")
            self.message.show()

    def refuse(self, why: str) -> None:
        """Stay open and say why; the password is cleared for the retype."""
        self.busy(False)
        self.message.set_tone("alert")
        self.message.setText(why)
        self.message.show()
        self.password.clear()
        self.password.setFocus()

    def _submit(self) -> None:
        if not self.password.text():
            self.refuse("Type your password: it is your signature.")
            return
        self.busy(True)
        self.submitted.emit(self.password.text(), self.cosigner.currentData())
