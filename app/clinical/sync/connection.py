"""How Hearth reaches a sync server the IT policy allows: which one, how often, its trust,
limits and sign-in.

`policy_sync` is the one place the IT policy and a command line's overrides become a sync:
`hearth sync` and the window's background sync both start from it (through
Workstation.sync_worker), and `hearth audit verify --server` signs in the same way. So a
saved client credential goes only to the token URL it was saved for (the policy's
sync.token_url, else the one the server's own smart-configuration names), whichever asks,
and every answer is bounded by the policy's deadline and size limit.
"""

from dataclasses import dataclass
from pathlib import Path

import httpx
from keyring.backend import KeyringBackend

from app.security.policy import SyncPolicy
from app.security.sync_servers import ChosenServer, choose_server
from sync.auth import discover_token_url
from sync.credentials import SyncCredentials
from sync.limits import MB, SyncLimits


@dataclass(frozen=True)
class SyncSettings:
    """Where and how to sync, signed in: what the sync engine is built from."""

    server: str
    ca_bundle: Path | None = None
    organization: str | None = None  # pull only this clinic's patients
    auth: httpx.Auth | None = None
    outbox: bool = True  # the clinic's own server (policy sync.server), meant for the outbox


@dataclass(frozen=True)
class SyncOverrides:
    """What `hearth sync` was told on its command line; None keeps the IT policy's choice."""

    server: str | None = None  # one of the policy's sync.allowed_servers
    interval: float | None = None
    organization: str | None = None
    ca_bundle: Path | None = None
    client_id: str | None = None
    scope: str | None = None


POLICY_ONLY = SyncOverrides()  # the window's background sync: nothing overridden


@dataclass(frozen=True)
class PolicySync:
    """The policy's sync with the overrides applied: known without reading anything, so
    the window can decide it on the UI thread and sign in later on the sync thread."""

    preset: SyncPolicy
    server: ChosenServer
    interval_seconds: float
    organization: str | None
    ca_bundle: Path | None
    client_id: str | None  # None: a server that needs no sign-in
    scope: str

    def settings(self, keyring: KeyringBackend) -> SyncSettings:
        """Signs in: reads the client's credential from the OS keyring and, when the policy
        names no token URL, asks the server where to sign in."""
        auth = sign_in(keyring, self.preset, self.server.base, self.client_id, self.scope,
                       self.ca_bundle)
        return SyncSettings(self.server.base, self.ca_bundle, self.organization, auth,
                            outbox=self.server.clinic)


def policy_sync(preset: SyncPolicy, asked: SyncOverrides = POLICY_ONLY) -> PolicySync:
    """What the command line leaves out comes from the IT policy; a server the policy does
    not name is refused here, before any request."""
    return PolicySync(
        preset, choose_server(preset, asked.server), asked.interval or preset.interval_seconds,
        asked.organization or preset.organization, asked.ca_bundle or policy_ca_bundle(preset),
        asked.client_id or preset.client_id, asked.scope or preset.scope)


def sign_in(keyring: KeyringBackend, preset: SyncPolicy, server: str, client_id: str | None,
            scope: str, ca_bundle: Path | None) -> httpx.Auth | None:
    """The sign-in at `server` as `client_id` (None: a server that needs none); the saved
    credential refuses a token URL other than the one it was saved for."""
    if client_id is None:
        return None
    credential = SyncCredentials(keyring).load(server, client_id)
    token_url = preset.token_url
    if token_url is None:
        with plain_client(ca_bundle) as client:
            token_url = discover_token_url(server, client)
    return credential.auth(token_url, scope, ca_bundle=ca_bundle)


def plain_client(ca_bundle: Path | None) -> httpx.Client:
    """For what is read before signing in: the server's smart-configuration."""
    return httpx.Client(verify=str(ca_bundle) if ca_bundle else True, timeout=30)


def policy_ca_bundle(preset: SyncPolicy) -> Path | None:
    return Path(preset.ca_bundle) if preset.ca_bundle else None


def sync_limits(preset: SyncPolicy) -> SyncLimits:
    """The policy's bounds on one cycle: its deadline and the largest answer read."""
    return SyncLimits(preset.cycle_deadline_seconds, int(preset.max_response_mb * MB))
