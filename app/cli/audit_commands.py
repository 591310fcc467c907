"""`hearth audit verify --server`: the local audit chain against the server's checkpoint.

Whoever may review the audit trail (an auditor too, who may not sync) may run it, because
it only reads: it asks the IT policy's own server (sync.server), where the audit trail and
its checkpoints are uploaded, signed in as the policy's sync client, for Hearth's checkpoints
and the row hashes of uploaded events. Nothing is pushed, pulled or marked uploaded. The
answer joins the local verification's problems.
"""

from collections.abc import Callable

from app.clinical.sync.connection import SyncOverrides, policy_sync, sync_limits
from app.errors import UsageError
from app.security.roles import Permission
from app.store.sync_side import StoreSyncSide
from sync.audit_checkpoint import compare_with_server
from sync.transport import Transport


def server_check(args, ws) -> Callable[[], list[str]] | None:
    """The comparison to run after the permission check, or None without --server."""
    if args.server is None:
        return None
    return lambda: compare_with_policy_server(ws, args.server or None,
                                              args.env.keyring_backend())


def compare_with_policy_server(ws, asked: str | None, keyring) -> list[str]:
    """Sentences for each way the local chain contradicts the server's newest checkpoint."""
    ws.session.require(Permission.REVIEW_AUDIT)
    plan = policy_sync(ws.policy.sync, SyncOverrides(server=asked))
    if not plan.server.clinic:
        raise UsageError(
            f"{plan.server.base} holds no checkpoints of this audit trail: it is uploaded only "
            "to the clinic's server (the policy's sync.server). Run audit verify --server "
            "without a URL.")
    settings = plan.settings(keyring)
    transport = Transport(settings.server, ca_bundle=settings.ca_bundle,
                          limits=sync_limits(ws.policy.sync), auth=settings.auth)
    transport.begin_cycle()  # the policy's deadline bounds the comparison as it does a sync
    try:
        local = StoreSyncSide(ws.store, ws.session.user, str(ws.session.role))
        return compare_with_server(local, transport)
    finally:
        transport.close()
