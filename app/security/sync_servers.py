"""Which server this workstation may sync with: only those the IT policy names.

The clinic's own server (`sync.server`) is the one the outbox and the audit trail are meant
for; `sync.allowed_servers` lists others IT allows (a regional registry, a standby server),
which are only read from. Anything else, whoever asks, is refused before a single request,
so no chart, secret or audit row can be sent to a server of a user's choosing.
"""

from dataclasses import dataclass

from app.errors import PermissionDenied, UsageError
from app.security.policy import SyncPolicy
from sync.servers import normalized_base


@dataclass(frozen=True)
class ChosenServer:
    base: str  # normalized FHIR base URL, ending in "/"
    clinic: bool  # the policy's sync.server: send the outbox and audit trail there


def choose_server(policy: SyncPolicy, asked: str | None) -> ChosenServer:
    """The server to sync with: `asked` if the policy allows it, else the policy's own."""
    if not policy.server:
        raise UsageError("No sync server: IT sets sync.server in the policy.")
    clinic = normalized_base(policy.server)
    if asked is None or normalized_base(asked) == clinic:
        return ChosenServer(clinic, True)
    if normalized_base(asked) in {normalized_base(url) for url in policy.allowed_servers}:
        return ChosenServer(normalized_base(asked), False)
    raise PermissionDenied(
        f"{asked} is not a sync server the IT policy allows (sync.server or "
        "sync.allowed_servers); nothing was sent to it.")
