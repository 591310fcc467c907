"""Operations on the signed-in session: signing in (or unlocking), closing a store, signing
out, and stopping the sync worker before either."""

from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Environment, Workstation, open_workstation
from app.ui.common.background import Background
from app.ui.operations import Op
from sync.worker import SyncWorker


def sign_in(owner: QObject, background: Background, env: Environment, root: Path, user: str,
            password: str) -> Op[Workstation]:
    """The password checked (argon2id takes a quarter of a second on purpose) and the
    store opened for `user`."""
    return Op(owner, background, lambda: open_workstation(env, root, user, password))


def close_store(owner: QObject, background: Background, ws: Workstation) -> Op[None]:
    """A session replaced by a new sign-in: its store closes without an audited logout."""
    return Op(owner, background, ws.store.close)


def sign_out(owner: QObject, background: Background, ws: Workstation) -> Op[None]:
    """The audited logout; queued after any save still on its way."""
    return Op(owner, background, ws.close)


def stop_sync(owner: QObject, background: Background, worker: SyncWorker) -> Op[None]:
    return Op(owner, background, worker.stop)
