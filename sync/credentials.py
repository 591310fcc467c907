"""What the workstation signs in to the FHIR server with, kept in the OS keyring.

A client secret or private key opens the clinic's records on the server, so it never goes
into a settings file or the store: an admin saves it once per workstation (with the
`hearth sync-credentials` command) and sync reads it at each round. One entry per server
and client id holds either a secret or a key, so saving one replaces the other.
"""

import json
from dataclasses import dataclass, field
from typing import Literal

import httpx
import keyring.errors
from keyring.backend import KeyringBackend

from sync.auth import ClientCredentials, SmartBackendServices, load_signing_key
from sync.errors import SyncError

Kind = Literal["secret", "private_key"]


class CredentialsMissing(SyncError):
    """Nothing saved for this server and client: sync cannot sign in until an admin acts."""

    title = "No sync credentials"


class KeyringUnavailable(SyncError):
    title = "OS keyring not available"


@dataclass(frozen=True)
class StoredCredential:
    client_id: str
    kind: Kind
    value: str = field(repr=False)

    def auth(self, token_url: str, scope: str, **options) -> httpx.Auth:
        """The sign-in this credential makes: client credentials for a secret, SMART
        Backend Services for a key. `options` go to the auth class (ca_bundle, timeout)."""
        if self.kind == "secret":
            return ClientCredentials(token_url, self.client_id, self.value, scope, **options)
        return SmartBackendServices(token_url, self.client_id, self.value, scope, **options)


class SyncCredentials:
    def __init__(self, backend: KeyringBackend):
        self._backend = backend

    def save_secret(self, server: str, client_id: str, secret: str) -> None:
        self._save(server, client_id, "secret", secret)

    def save_private_key(self, server: str, client_id: str, pem: str) -> None:
        """Checked before it is kept, so a wrong file fails at the admin's command rather
        than at the first sync."""
        load_signing_key(pem)
        self._save(server, client_id, "private_key", pem)

    def load(self, server: str, client_id: str) -> StoredCredential:
        stored = self._call(self._backend.get_password, _service(server), client_id)
        if stored is None:
            raise CredentialsMissing(
                f"This computer's keyring holds no sync credentials for client '{client_id}' "
                f"at {server}. An admin saves them with: hearth sync-credentials --server "
                f"{server} --client-id {client_id} --secret-stdin (or --private-key FILE)")
        entry = json.loads(stored)
        return StoredCredential(client_id, entry["kind"], entry["value"])

    def _save(self, server: str, client_id: str, kind: Kind, value: str) -> None:
        entry = json.dumps({"kind": kind, "value": value})
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
    """One name per server, whether or not its address was given with a trailing slash."""
    return f"hearth-sync {server.rstrip('/')}"
