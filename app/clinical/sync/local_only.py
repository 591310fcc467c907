"""What is on this computer only: the records no sync server has confirmed, by record type.

Counted from the outbox, one record however often it was changed, as `hearth sync` counts
what it has to send, so the window and the command line give the same number. With no sync
server in the IT policy that is every record saved or imported here, and a chart saying
"pending sync" on each row would be noise: the window says it once instead (status bar and
Sync tab), with what IT sets to turn sync on. Only record types are read, no patient's data,
so the count is not an audited read.
"""

from dataclasses import dataclass

from app.security.policy import system_policy_path
from app.store.store import Store

BY_TYPE = ("SELECT r.type, count(*) FROM (SELECT DISTINCT record FROM local_change) q "
           "JOIN resource r ON r.record = q.record GROUP BY r.type ORDER BY count(*) DESC, r.type")
NO_SERVER = "This workstation does not sync (no sync server in the IT policy)"


@dataclass(frozen=True)
class LocalOnly:
    by_type: tuple[tuple[str, int], ...]  # ("Observation", 1200), most first

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_type)

    def records(self) -> str:
        """'1,529 records are' / '1 record is'."""
        return "1 record is" if self.total == 1 else f"{self.total:,} records are"

    def kinds(self) -> str:
        """'Observation 1,200, Condition 300, Patient 29'."""
        return ", ".join(f"{kind} {count:,}" for kind, count in self.by_type)

    def status_line(self) -> str:
        """The status bar's one sentence for a workstation without a sync server."""
        if not self.total:
            return f"{NO_SERVER}: no record waits to be sent."
        return f"{NO_SERVER}: {self.records()} on this computer only."


def waiting_text(count: int) -> str:
    """The status bar's count of what waits to be sent to the sync server."""
    return "1 change waiting to sync" if count == 1 else f"{count:,} changes waiting to sync"


def local_only(store: Store) -> LocalOnly:
    with store.read() as conn:
        return LocalOnly(tuple((kind, count) for kind, count in conn.exec_driver_sql(BY_TYPE)))


def how_to_turn_on() -> str:
    """What IT sets to make this workstation sync, in the words of the policy file."""
    return (f"IT sets sync.server (the clinic's FHIR base URL) in the policy file "
            f"{system_policy_path()}, and sync.client_id if the server asks for a sign-in; "
            "an admin then saves that client's secret with the command hearth sync-credentials. "
            "Everything recorded here is sent at the first sync.")
