"""What an admin checks before sync can work: the policy's sync settings, whether this
computer's keyring holds the client's credential (never the secret itself), how many changes
wait to be sent, when the server's changes last arrived, and for anything missing the one
command that fixes it. How the running sync's last cycle ended is the Sync tab's: only the
sync thread knows it.

Read without signing in to the server, so it answers offline; the credential is looked up
exactly as the sync worker will (sync.credentials), so "saved" here means sync will find it.
"""

from dataclasses import dataclass

from keyring.backend import KeyringBackend

from app.clinical.sync.local_only import local_only
from app.security.policy import SyncPolicy, system_policy_path
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from sync.credentials import CredentialsMissing, KeyringUnavailable, SyncCredentials
from sync.servers import cursor_prefix

KINDS = {"secret": "a client secret", "private_key": "a private key"}


@dataclass(frozen=True)
class SyncCheck:
    policy: SyncPolicy
    credential: str  # a sentence: what the keyring holds, or what is missing
    waiting: int  # changed records not yet confirmed by a server
    last_received: str | None  # when a page of the server's changes was last stored (ISO)
    todo: tuple[str, ...]  # one sentence per missing piece, naming the command


def sync_check(store: Store, session: Session, policy: SyncPolicy,
               backend: KeyringBackend) -> SyncCheck:
    """The state of this workstation's sync settings (MAINTAIN_STORE: an admin's check)."""
    session.require(Permission.MAINTAIN_STORE)
    todo: list[str] = []
    if not policy.server:
        todo.append(f"No sync server is set: IT sets sync.server in {system_policy_path()}.")
    credential = "Not checked: the policy names no server."
    if policy.server and not policy.client_id:  # a server may take sync without sign-in
        credential = ("None needed: no client is set, so sync does not sign in. If the server "
                      f"asks for a sign-in, IT sets sync.client_id in {system_policy_path()}.")
    if policy.server and policy.client_id:
        try:
            saved = SyncCredentials(backend).load(policy.server, policy.client_id)
            credential = (f"Saved in this computer's keyring: {KINDS[saved.kind]}, sent only "
                          f"to {saved.token_url or 'the server it was saved for'}.")
        except (CredentialsMissing, KeyringUnavailable) as err:
            credential = str(err)
            if isinstance(err, CredentialsMissing):
                todo.append(f"Save the credential: hearth sync-credentials --server "
                            f"{policy.server} --client-id {policy.client_id} --secret-stdin "
                            "(or --private-key FILE).")
    return SyncCheck(policy, credential, local_only(store).total,
                     _last_received(store, policy.server), tuple(todo))


def _last_received(store: Store, server: str | None) -> str | None:
    """The newest pull cursor's time for `server`: stored in the same transaction as the
    records it brought, so it is when this store last heard from that server."""
    if not server:
        return None
    with store.read() as conn:
        return conn.exec_driver_sql(
            "SELECT max(updated_at) FROM sync_state WHERE substr(scope, 1, ?) = ?",
            (len(cursor_prefix(server)), cursor_prefix(server))).scalar_one()
