"""How Hearth reaches a sync server the IT policy allows: its trust, limits and sign-in.

`hearth sync` and `hearth audit verify --server` connect the same way, so a saved client
credential goes only to the token URL it was saved for (the policy's sync.token_url, else
the one the server's own smart-configuration names), whichever command asks, and every
answer is bounded by the policy's deadline and size limit.
"""

from pathlib import Path

import httpx
from keyring.backend import KeyringBackend

from app.security.policy import SyncPolicy
from sync.auth import discover_token_url
from sync.credentials import SyncCredentials
from sync.limits import MB, SyncLimits


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
