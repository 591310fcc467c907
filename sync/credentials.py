"""What the workstation signs in to the FHIR server with, kept in the OS keyring.

A client secret or private key opens the clinic's records on the server, so it never goes
into a settings file or the store: an admin saves it once per workstation (with the
`hearth sync-credentials` command) and sync reads it at each round. One entry per server
and client id holds either a secret or a key, so saving one replaces the other.

Each entry is bound to the token URL it was saved for: sync refuses to hand a credential to
any other sign-in address (a rogue server's smart-configuration, a mistyped setting), and an
entry saved before binding existed is refused until an admin saves it again.
"""

import json
from dataclasses import dataclass, field
from typing import Literal

import httpx
import keyring.errors
from keyring.backend import KeyringBackend

from sync.auth import ClientCredentials, SmartBackendServices, load_signing_key
from sync.errors import SyncError
from sync.servers import normalized_base, same_url

Kind = Literal["secret", "private_key"]


class CredentialsMissing(SyncError):
    """Nothing saved for this server and client: sync cannot sign in until an admin acts."""

    title = "No sync credentials"


class CredentialNotBound(SyncError):
    """The credential was saved for another token URL (or none): it is never sent."""

    title = "Sync credentials not sent"
    pauses = True


class KeyringUnavailable(SyncError):
    title = "OS keyring not available"


@dataclass(frozen=True)
class StoredCredential:
    client_id: str
    kind: Kind
    value: str = field(repr=False)
    token_url: str | None = None  # the only sign-in address it may be sent to

    def auth(self, token_url: str, scope: str, **options) -> httpx.Auth:
        """The sign-in this credential makes: client credentials for a secret, SMART
        Backend Services for a key. `options` go to the auth class (ca_bundle, timeout).
        Refused, before anything is sent, for a token URL it was not saved for."""
        if self.token_url is None:
            raise CredentialNotBound(
                f"The sync credentials for client '{self.client_id}' were saved without the "
                "token URL they are for, so Hearth does not send them anywhere. An admin "
                "saves them again with: hearth sync-credentials")
        if not same_url(self.token_url, token_url):
            raise CredentialNotBound(
                f"The sync credentials for client '{self.client_id}' are for signing in at "
                f"{self.token_url}, not at {token_url}; they were not sent. If the clinic's "
                "sign-in address changed, an admin saves them again with: hearth "
                "sync-credentials")
        if self.kind == "secret":
            return ClientCredentials(token_url, self.client_id, self.value, scope, **options)
        return SmartBackendServices(token_url, self.client_id, self.value, scope, **options)


class SyncCredentials:
    def __init__(self, backend: KeyringBackend):
        self._backend = backend

    def save_secret(self, server: str, client_id: str, secret: str, token_url: str) -> None:
        self._save(server, client_id, "secret", secret, token_url)

    def save_private_key(self, server: str, client_id: str, pem: str, token_url: str) -> None:
        """Checked before it is kept, so a wrong file fails at the admin's command rather
        than at the first sync."""
        load_signing_key(pem)
        self._save(server, client_id, "private_key", pem, token_url)

    def load(self, server: str, client_id: str) -> StoredCredential:
        stored = self._call(self._backend.get_password, _service(server), client_id)
        if stored is None:
            raise CredentialsMissing(
                f"This computer's keyring holds no sync credentials for client '{client_id}' "
                f"at {server}. An admin saves them with: hearth sync-credentials --server "
                f"{server} --client-id {client_id} --secret-stdin (or --private-key FILE)")
        entry = json.loads(stored)
        return StoredCredential(client_id, entry["kind"], entry["value"],
                                entry.get("token_url"))

    def _save(self, server: str, client_id: str, kind: Kind, value: str,
              token_url: str) -> None:
        entry = json.dumps({"kind": kind, "value": value, "token_url": token_url})
        self._call(self._backend.set_password, _service(server), client_id, entry)

    def _call(self, method, *args):
        try:
            return method(*args)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The OS keyring did not answer ({exc or type(exc).__name__}); sync keeps its "
                "credentials only there, never in a file. Start Hearth in a desktop session "
                "with GNOME Keyring or KWallet, or see the admin guide for headless "
                "machines.") from exc


def _service(server: str) -> str:
    """One name per server, however its address was spelt (trailing slash, case of the host,
    default port)."""
    return f"hearth-sync {normalized_base(server).rstrip('/')}"
