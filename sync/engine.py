"""One sync cycle: push the outbox, pull changes, upload the audit trail.

Each step is resumable on its own (the outbox, the pull cursor and the audit rows' uploaded
flags are all in the store), so a cycle cut short by a crash or the network simply runs
again. The server's CapabilityStatement is read once per engine and decides how each step
talks to it. A cycle that could not send or see everything says why (`incomplete`), so no
caller reports success over work left behind.

The outbox and the audit trail are meant for one server, the clinic's own (`outbox`): with
any other server Hearth only reads, so nothing queued here is sent there or marked as sent.
"""

from dataclasses import dataclass

from sync.audit_upload import AuditUpload, upload_audit
from sync.capabilities import ServerCapabilities, fetch_capabilities
from sync.local import LocalSide
from sync.pull import EVERYTHING, Puller, PullReport, PullScope
from sync.push import Pusher, PushReport
from sync.transport import Transport


@dataclass(frozen=True)
class SyncReport:
    pushed: PushReport
    pulled: PullReport
    audit: AuditUpload
    read_only: bool = False  # not the outbox's server: nothing was sent to it

    @property
    def incomplete(self) -> list[str]:
        """Why this cycle did not sync everything, as sentences; empty when it did."""
        return [*filter(None, [self.pushed.left_queued]), *self.pulled.gaps]

    @property
    def notices(self) -> list[str]:
        """What a person should know about this server even when the cycle completed."""
        if self.read_only:
            return [READ_ONLY, *self.pulled.notices]
        return self.pulled.notices


READ_ONLY = ("This server is not the clinic's sync server, so only received from: changed "
             "records and the audit trail stay queued for the clinic's server.")


class SyncEngine:
    def __init__(self, local: LocalSide, transport: Transport, scope: PullScope = EVERYTHING,
                 batch_size: int = 100, page_size: int = 500, outbox: bool = True):
        self.local, self.transport, self.scope = local, transport, scope
        self.outbox = outbox
        self._batch_size, self._page_size = batch_size, page_size
        self._caps: ServerCapabilities | None = None

    def capabilities(self) -> ServerCapabilities:
        if self._caps is None:
            self._caps = fetch_capabilities(self.transport)
        return self._caps

    def run_once(self) -> SyncReport:
        self.transport.begin_cycle()  # one deadline for the whole cycle (sync.limits)
        caps = self.capabilities()
        if not self.outbox:
            pulled = Puller(self.local, self.transport, caps, self.scope, self._page_size,
                            merge=False).pull()
            return SyncReport(PushReport(), pulled, AuditUpload(0, {}), read_only=True)
        pusher = Pusher(self.local, self.transport, caps, self._batch_size)
        pushed = pusher.push()
        pulled = Puller(self.local, self.transport, caps, self.scope, self._page_size).pull()
        if pulled.merged:  # merged edits are queued: send them now, not a cycle later
            again = pusher.push()
            pushed.sent += again.sent
            pushed.round_trips += again.round_trips
            pushed.conflicts += again.conflicts
            pushed.set_aside += again.set_aside
            pushed.left_queued = again.left_queued  # the outbox as it now stands
        return SyncReport(pushed, pulled, upload_audit(self.local, self.transport, caps))
