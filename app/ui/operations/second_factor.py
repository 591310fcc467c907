"""Operations of the second factor at sign-in and unlock: what is asked after the password,
enrolling an authenticator, and checking a code (app.security.mfa). The store is open but
the workstation is not shown until these succeed. The sign-in window holds these before
anyone signs in, so the store's modules are imported when a code is first asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.ui.common.background import Background
from app.ui.operations import Op

if TYPE_CHECKING:
    from app.bootstrap import Workstation
    from app.security.mfa import Enrolment, SecondFactor


def _factor(ws: Workstation) -> SecondFactor:
    from app.security.mfa import SecondFactor

    return SecondFactor(ws.store, ws.policy)


def asked(owner: QObject, background: Background, ws: Workstation,
          unlocking: bool) -> Op[str | None]:
    """"enrol", "code" or None (the password was enough), as the policy says."""
    factor = _factor(ws)
    return Op(owner, background, lambda: (factor.at_unlock if unlocking else factor.at_sign_in)(
        ws.session))


def begin(owner: QObject, background: Background, ws: Workstation) -> Op[Enrolment]:
    return Op(owner, background, lambda: _factor(ws).begin(ws.session))


def confirm(owner: QObject, background: Background, ws: Workstation, enrolment: Enrolment,
            code: str) -> Op[None]:
    """The first code checked and the enrolment stored (its recovery codes hashed: argon2id
    ten times, a few seconds at the shipped cost)."""
    return Op(owner, background, lambda: _factor(ws).confirm(ws.session, enrolment, code))


def verify(owner: QObject, background: Background, ws: Workstation, code: str) -> Op[str]:
    return Op(owner, background, lambda: _factor(ws).verify(ws.session, code))
