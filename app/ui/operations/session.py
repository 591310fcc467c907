"""Operations on the signed-in session: signing in (or unlocking), closing a store, signing
out, and stopping the sync worker before either.

The sign-in window holds these before anyone signs in: the composition root, and with it
every service, is imported by the first sign-in, on the database thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.security.environment import Environment
from app.ui.common.background import Background
from app.ui.operations import Op

if TYPE_CHECKING:
    from app.bootstrap import Workstation
    from sync.worker import SyncWorker


def sign_in(owner: QObject, background: Background, env: Environment, root: Path, user: str,
            password: str) -> Op[Workstation]:
    """The password checked (argon2id takes a quarter of a second on purpose) and the
    store opened for `user`."""
    def open_session() -> Workstation:
        from app.bootstrap import open_workstation

        return open_workstation(env, root, user, password)

    return Op(owner, background, open_session)


def close_store(owner: QObject, background: Background, ws: Workstation) -> Op[None]:
    """A session replaced by a new sign-in: its store closes without an audited logout."""
    return Op(owner, background, ws.store.close)


def sign_out(owner: QObject, background: Background, ws: Workstation) -> Op[None]:
    """The audited logout; queued after any save still on its way."""
    return Op(owner, background, ws.close)


def stop_sync(owner: QObject, background: Background, worker: SyncWorker) -> Op[None]:
    return Op(owner, background, worker.stop)
