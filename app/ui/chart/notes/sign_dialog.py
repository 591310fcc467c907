"""Signing or cosigning a note: the password typed again (with the authenticator's code
when the clinic's policy makes the signature two factors), and whom to ask to cosign.

Typing the password again is the signature: it shows the person at the keyboard is the one
signed in, and that they mean it. The dialog checks nothing itself: it runs the operation
whoever opened it gave (`sign(dialog, password, cosigner, code)`, on the database thread, where
argon2id takes a moment) and stays open, saying why, when it is refused, so a mistyped
password costs one retype. It is an EntryDialog: the same Save, busy state and refusal as
every other form over the chart.
"""

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import Op

LOCKED_AFTER = ("Once signed, the note is locked: nobody can change it, you included. "
                "Corrections are made in an addendum, which is added beside it.")


class SignDialog(EntryDialog):
    """Sign (with an optional cosigner) or, without `cosigners`, cosign."""

    working = "Checking your password…"

    def __init__(self, background: Background, heading: str, signer: str,
                 cosigners: list[tuple[str, str]] | None,
                 sign: Callable[[QWidget, str, str | None, str | None], Op],
                 parent: QWidget | None = None, explanation: str = LOCKED_AFTER,
                 asks_code: bool = False):
        signing = cosigners is not None
        super().__init__(background, "Sign note" if signing else "Cosign note", heading,
                         "Sign" if signing else "Cosign", parent)
        self._sign = sign
        self.setMinimumWidth(460)
        self.heading.setAccessibleName("What is signed")
        self.heading.setFont(scaled_font(self, 1.2, bold=True))
        self.explanation = ToneLabel(explanation, "muted", "What signing means")
        self.box.insertWidget(1, self.explanation)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        self.password.setPlaceholderText("Type your password to sign")
        self.form.addRow("Signing as", ToneLabel(signer, None, "Signing as"))
        self.form.addRow("Password", self.password)
        self.code = QLineEdit()
        self.code.setAccessibleName("Authenticator code")
        self.code.setPlaceholderText("6 digits from your authenticator app")
        self.code.setMaxLength(20)  # a recovery code is longer than the 6 digits
        self.form.addRow("Code", self.code)
        self.ask_code(asks_code)
        self.cosigner = QComboBox()
        self.cosigner.setAccessibleName("Ask for a cosignature from")
        self.cosigner.addItem("No cosignature needed", None)
        for user, full_name in cosigners or ():
            self.cosigner.addItem(f"{full_name} ({user})", user)
        if signing:
            self.form.addRow("Cosignature", self.cosigner)
        self.message.setAccessibleName("Signing message")
        self.sign_button = self.save
        self.cancel.setAccessibleName("Cancel signing")
        self.password.setFocus()

    def ask_code(self, asks: bool) -> None:
        """Show the code's field when the signature takes it (known once the store says
        whether this user enrolled an authenticator)."""
        self._asks_code = asks
        self.form.setRowVisible(self.code, asks)

    def operation(self) -> Op | None:
        if not self.password.text():
            self.refuse("Type your password: it is your signature.")
            return None
        if self._asks_code and not self.code.text().strip():
            if self.password.hasFocus():  # Enter after the password: on to the code
                self.code.setFocus()
                return None
            self.refuse("Type the code from your authenticator app too: the clinic signs "
                        "notes with two factors.")
            return None
        return self._sign(self, self.password.text(), self.cosigner.currentData(),
                          self.code.text() if self._asks_code else None)

    def refuse(self, why: str) -> None:
        """Stay open and say why; the password and code are cleared for the retype."""
        super().refuse(why)
        self.password.clear()
        self.code.clear()
        self.password.setFocus()

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.password.setEnabled(not busy)
        self.code.setEnabled(not busy)
        self.cosigner.setEnabled(not busy)
