"""Between the password and the workstation: the authenticator code, or enrolment, that the
policy's "mfa" section asks of this user (app.security.mfa). The store is already open, but
no workspace exists until the code is accepted; cancelling signs the store out again
(an audited logout) and goes back to the screen the password was typed on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStackedWidget, QWidget

from app.ui.common.background import Background
from app.ui.operations import second_factor as factor_ops
from app.ui.operations import session as session_ops
from app.ui.shell.login import SecondFactorScreen
from fhir_common.messages import sentence

if TYPE_CHECKING:
    from app.bootstrap import Workstation
    from app.ui.shell.mfa_enrol import MfaEnrolDialog

Proceed = Callable[["Workstation"], None]


class SecondFactorGate:
    def __init__(self, window: QWidget, background: Background, pages: QStackedWidget):
        self._window, self._background, self._pages = window, background, pages
        self.screen = SecondFactorScreen()
        pages.addWidget(self.screen)
        self._waiting: tuple[Workstation, Proceed, QWidget] | None = None
        self.enrol_dialog: MfaEnrolDialog | None = None
        self.screen.submitted.connect(self._check)
        self.screen.cancelled.connect(self._cancel)

    def after_password(self, ws: Workstation, unlocking: bool, proceed: Proceed,
                       back: QWidget) -> None:
        """Ask what the policy wants of `ws`'s user, then `proceed(ws)` once it is given;
        `back` (the sign-in or lock screen) is shown again if it is not."""
        factor_ops.asked(self._window, self._background, ws, unlocking).success(
            lambda asked: self._ask(ws, asked, proceed, back)).failure(
            lambda exc: self._give_up(ws, back, sentence(exc))).run()

    def _ask(self, ws: Workstation, asked: str | None, proceed: Proceed, back: QWidget) -> None:
        if asked is None:
            proceed(ws)
        elif asked == "enrol":
            from app.ui.shell.mfa_enrol import MfaEnrolDialog  # the QR code's modules

            self.enrol_dialog = MfaEnrolDialog(ws, self._background, self._window)
            self.enrol_dialog.accepted.connect(lambda: self._enrolled(ws, proceed))
            self.enrol_dialog.rejected.connect(lambda: self._give_up(
                ws, back, "Signed out: your role signs in with an authenticator, so one must "
                          "be set up before Hearth opens."))
            self.enrol_dialog.open()
        else:
            self._waiting = (ws, proceed, back)
            self.screen.show_for(ws.session.full_name, ws.session.user)
            self._pages.setCurrentWidget(self.screen)

    def _enrolled(self, ws: Workstation, proceed: Proceed) -> None:
        self.enrol_dialog = None
        proceed(ws)

    def _check(self, code: str) -> None:
        if self._waiting is None:
            return
        ws, proceed, _back = self._waiting
        self.screen.busy(True)
        factor_ops.verify(self._window, self._background, ws, code).success(
            lambda _said: self._given(ws, proceed)).failure(
            lambda exc: self.screen.refuse(sentence(exc))).run()

    def _given(self, ws: Workstation, proceed: Proceed) -> None:
        self._waiting = None
        proceed(ws)

    def _cancel(self) -> None:
        if self._waiting is not None:
            ws, _proceed, back = self._waiting
            self._give_up(ws, back, "Signed out: no code was given.")

    def _give_up(self, ws: Workstation, back: QWidget, text: str) -> None:
        self._waiting = self.enrol_dialog = None
        session_ops.sign_out(self._window, self._background, ws).run()
        self._pages.setCurrentWidget(back)
        back.refuse(text)

    def pending(self) -> Workstation | None:
        """The store opened by a password and waiting for its code: closed with the window."""
        return self._waiting[0] if self._waiting else None
