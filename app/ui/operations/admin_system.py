"""Operations of the Admin tab's system sections: the store check, the sync settings and
credential, the policy in force with where each value came from, and the knowledge packs.

Each is the service the command line uses (`hearth store check`, `hearth safety knowledge
show`), run on the database thread, so screen and command line say the same thing.
"""

from collections.abc import Callable
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.billing.codes import import_cpt
from app.clinical.records import Records
from app.clinical.safety.knowledge_sets import KnowledgeList, knowledge_sets
from app.clinical.safety.packs import import_pack
from app.clinical.sync.sync_check import SyncCheck
from app.clinical.sync.sync_check import sync_check as check_sync
from app.security.policy_sources import Setting, settings
from app.ui.common.background import Background
from app.ui.operations import Op


def check_store(owner: QObject, background: Background, ws: Workstation) -> Op[list[str]]:
    """Read every page of the store (MAINTAIN_STORE, audited); the problems, [] if sound."""
    return Op(owner, background, ws.check_store)


def policy_settings(owner: QObject, background: Background,
                    ws: Workstation) -> Op[list[Setting]]:
    """Each key of the policy in force, its value and where it came from."""
    return Op(owner, background, lambda: settings(ws.policy), "policy settings")


def sync_check(owner: QObject, background: Background, ws: Workstation,
               backend: Callable[[], KeyringBackend] = keyring.get_keyring) -> Op[SyncCheck]:
    """The policy's sync settings, the keyring's credential (never its secret), what waits."""
    return Op(owner, background,
              lambda: check_sync(ws.store, ws.session, ws.policy.sync, backend()), "sync check")


def knowledge(owner: QObject, background: Background, ws: Workstation) -> Op[KnowledgeList]:
    """Every knowledge set in force, with version, source and where it is loaded from."""
    return Op(owner, background, lambda: knowledge_sets(ws.store.paths.root, ws.policy),
              "knowledge sets")


def import_safety_pack(owner: QObject, background: Background, ws: Workstation,
                       path: Path) -> Op[str]:
    """Install a safety pack as `hearth knowledge import` does, and check orders with it from
    now on; the answer says what."""
    def work() -> str:
        pack, target = import_pack(Records(ws.store, ws.changes), ws.session, path,
                                   ws.store.paths.root)
        ws.safety.reload()  # this workstation's orders check with it from now on
        counts = pack.counts()
        return (f"Installed {pack.name} version {pack.version} at {target}: "
                f"{counts['interactions']} interactions, {counts['allergy_groups']} allergy "
                f"groups, {counts['duplicates']} duplicate-therapy rules"
                + (" (in place of the shipped pack)." if pack.replaces_shipped
                   else " (beside the shipped pack).")
                + "".join(f"\nLEFT OUT: {problem}" for problem in pack.problems))
    return Op(owner, background, work)


def import_cpt_file(owner: QObject, background: Background, ws: Workstation,
                    path: Path) -> Op[str]:
    """Install the clinic's licensed CPT file as `hearth knowledge import-cpt` does."""
    def work() -> str:
        count, problems, target = import_cpt(Records(ws.store, ws.changes), ws.session, path,
                                             ws.store.paths.root)
        return (f"Imported {count} CPT code{'' if count == 1 else 's'} to {target}."
                + "".join(f"\nLEFT OUT: {problem}" for problem in problems))
    return Op(owner, background, work)
