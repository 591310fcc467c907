"""Campaign (a): a writer process SIGKILLed at random moments, checked after every kill.

    python -m tests.faults.writer_campaign --cycles N --seed S   (from the repo root)

Each cycle starts tests/faults/writer.py on the same store (it writes and syncs at random
against a real SEKMET server) and kills it with SIGKILL after a random number of reported
writes plus a random delay, so kills land inside writes, inside syncs, between them. A
colleague sometimes changes a patient's address on the server meanwhile (a field the writer
never touches), so pushes meet newer versions and are merged.

After every kill: every write the writer reported is in the store with its audit row (the
one it had started but not reported may or may not be); `store check` and `audit verify`
pass; and every local record equals the server's version it names, or waits in the outbox,
or is in an open conflict. Every fifth cycle and at the end a clean sync follows, after
which each reported value and the colleague's last address are on the server and here.
"""

import random
import sys
import time
from pathlib import Path

import httpx
from keyring.backends import SecretService

from app.bootstrap import Environment, SyncSettings, Workstation, open_workstation
from fhir_common import fhir_json
from tests.conftest import TEST_POLICY
from tests.faults.invariants import (
    converged,
    outbox_invariant,
    server_records,
    store_sound,
    waiting,
)
from tests.faults.runner import Figures, kill_after, main
from tests.faults.server import RestartableServer
from tests.sync.stations import PASSWORD, workstation

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "admin pass 12"  # tests.sync.stations.workstation's admin
SETTLE_EVERY = 5
BUSY = 3  # patients both the writer and the colleague keep changing
DONE = ("wrote", "set", "refused", "synced", "sync-failed")


class Reported:
    """What the writer said it saved, over all its runs: records it created, and the last
    value it set of each field (telecom, onsetDateTime) of each record."""

    def __init__(self):
        self.created: dict[str, str | None] = {}  # reference -> the vitals' audit entity
        self.values: dict[tuple[str, str], str] = {}
        self.updates: dict[str, int] = {}

    def read(self, lines: list[str]) -> tuple[str, ...] | None:
        """Take in one run's lines; returns the write in flight at the kill, if any."""
        in_flight = None
        for line in lines:
            words = tuple(line.split())
            if not words:
                continue
            if words[0] == "doing":
                in_flight = words
            elif words[0] in DONE:
                in_flight = None
            if words[0] == "wrote":
                references = [w for w in words[1:] if "/" in w]
                for reference in references:
                    self.created[reference] = references[0]
                if "onsetDateTime" in words:
                    self.values[(references[0], "onsetDateTime")] = words[-1]
            elif words[0] == "set":
                self.values[(words[1], words[3])] = words[4]
                self.updates[words[1]] = self.updates.get(words[1], 0) + 1
        return in_flight

    def adopt(self, in_flight: tuple[str, ...] | None, live: dict[str, dict]) -> None:
        """The write in flight at the kill, if it committed, counts as saved from now on
        (it had committed; only its report was lost)."""
        if not in_flight or "/" not in in_flight[1]:
            return
        reference = in_flight[1]
        if in_flight[2] == "create" and reference in live:
            self.created[reference] = reference
        elif in_flight[2] == "update" and field_value(live.get(reference, {}),
                                                      in_flight[3]) == in_flight[4]:
            self.values[(reference, in_flight[3])] = in_flight[4]
            self.updates[reference] = self.updates.get(reference, 0) + 1


def field_value(resource: dict, field: str) -> str | None:
    if field == "telecom":
        return next((t["value"] for t in resource.get("telecom", [])), None)
    return resource.get(field)


def reported_writes_present(admin: Workstation, reported: Reported,
                            in_flight: tuple[str, ...] | None) -> list[str]:
    with admin.store.read() as conn:
        live = {f"{kind}/{rid}": fhir_json.loads(body) for kind, rid, body in conn.exec_driver_sql(
            "SELECT type, id, json FROM resource WHERE deleted = 0")}
        audited = conn.exec_driver_sql(
            "SELECT action, entity, detail LIKE 'signed:%', count(*) FROM audit "
            "GROUP BY action, entity, detail LIKE 'signed:%'").all()
    audit_rows: dict[tuple[str, str], int] = {}
    signed = set()  # a note's draft has a create row too: its signing is the one it needs
    for action, entity, is_signing, n in audited:
        audit_rows[(action, entity)] = audit_rows.get((action, entity), 0) + n
        if is_signing:
            signed.add(entity)
    problems = []
    for reference, entity in reported.created.items():
        if reference not in live:
            problems.append(f"{reference} was reported saved but is not in the store")
        if not audit_rows.get(("create", entity)) or (
                reference.startswith("DocumentReference/") and entity not in signed):
            problems.append(f"{reference} was reported saved but has no audit row")
    for reference, count in reported.updates.items():
        if audit_rows.get(("update", reference), 0) < count:
            problems.append(f"{reference}: {count} changes reported, fewer audit rows")
    for (reference, field), value in reported.values.items():
        stored = field_value(live.get(reference, {}), field)
        maybe = in_flight and in_flight[1] == reference and in_flight[-1] == stored
        if stored != value and not maybe:
            problems.append(f"{reference}: {field} is {stored!r}, the writer last saved "
                            f"{value!r}")
    reported.adopt(in_flight, live)
    return problems


def colleague_moves(server: RestartableServer, rng: random.Random, moved: dict[str, str]) -> None:
    """A colleague elsewhere changes the address of one of the first few patients on the
    server (If-Match); the writer edits their phones most (tests/faults/writer.py)."""
    patients = sorted(rid for kind, rid in server_records(server.base_url)
                      if kind == "Patient")[:BUSY]
    if not patients:
        return
    pid = rng.choice(patients)
    city = f"City{rng.randint(0, 99999)}"
    with httpx.Client(base_url=server.base_url, timeout=30) as fhir:
        current = fhir_json.loads(fhir.get(f"Patient/{pid}").content)
        answer = fhir.put(f"Patient/{pid}", content=fhir_json.dumps(
            {**current, "address": [{"city": city}]}), headers={
            "Content-Type": "application/fhir+json",
            "If-Match": f'W/"{current["meta"]["versionId"]}"'})
    if answer.status_code == 200:
        moved[pid] = city


def settled(env: Environment, store: Path, server: RestartableServer, reported: Reported,
            moved: dict[str, str], figures: Figures) -> list[str]:
    """A clean sync, then everything as the writer and the colleague last left it, but
    where an open conflict holds the record (the writer's value is then kept here, and the
    server's is shown beside it)."""
    ws = open_workstation(env, store, "pat", PASSWORD)
    try:
        for _ in range(2):
            engine = ws.sync_engine(SyncSettings(server.base_url))
            try:
                engine.run_once()
            finally:
                engine.transport.close()
        problems = converged(ws, server.base_url, "after a clean sync")
        on_server = server_records(server.base_url)
        _, conflicts = waiting(ws)  # the writer's value is kept here, in plain view
        for (reference, field), value in reported.values.items():
            key = tuple(reference.split("/"))
            have = field_value(on_server.get(key, {}), field)
            if have != value and key not in conflicts:
                problems.append(f"{reference}: the server has {field} {have!r}, the writer "
                                f"last saved {value!r}")
        for pid, city in moved.items():
            address = on_server.get(("Patient", pid), {}).get("address", [{}])
            if address[0].get("city") != city and ("Patient", pid) not in conflicts:
                problems.append(f"Patient/{pid}: the colleague's address {city} was lost "
                                f"(the server has {address})")
        figures.counts["conflicts_open"] = len(conflicts)
        return problems
    finally:
        ws.close()


def reported_at_least(writes: int):
    """Enough of the writer's lines: `writes` finished steps reported."""
    return lambda lines: sum(line.split(" ", 1)[0] in DONE for line in lines) >= writes


def campaign(root: Path, keyring_env: dict[str, str], cycles: int, seed: str,
             progress) -> Figures:
    figures = Figures("writer_campaign", seed)
    rng = random.Random(seed)
    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=TEST_POLICY)
    store = root / "store"
    workstation(env, store).close()
    reported, moved = Reported(), {}
    started = time.monotonic()
    with RestartableServer(root / "server") as server:
        for cycle in range(1, cycles + 1):
            writes, delay = rng.randint(0, 8), rng.uniform(0, 0.5)
            lines, err, status = kill_after(
                [sys.executable, "-m", "tests.faults.writer", str(store), server.base_url,
                 f"{seed}-{cycle}", f"c{cycle}"], keyring_env, REPO, reported_at_least(writes),
                delay, watchdog_seconds=120)
            figures.kills += status == -9
            if status != -9:
                figures.violated(cycle, [f"the writer ended on its own ({status}): "
                                         f"{err.strip()[-600:]}"])
            in_flight = reported.read(lines)
            figures.counts["writer_syncs"] = figures.counts.get("writer_syncs", 0) + sum(
                line.startswith("synced") for line in lines)
            figures.violated(cycle, [f"a sync failed with nothing faulted: {line[12:300]}"
                                     for line in lines if line.startswith("sync-failed")])
            doing = in_flight[1].split("/")[0].lower() if in_flight else "nothing"
            figures.count(f"kills_during_{doing}")
            admin = open_workstation(env, store, "admin", ADMIN_PASSWORD)
            try:
                figures.violated(cycle, store_sound(admin)
                                 + reported_writes_present(admin, reported, in_flight)
                                 + outbox_invariant(admin, server.base_url))
            finally:
                admin.close()
            if rng.random() < 0.7:
                colleague_moves(server, rng, moved)
            if cycle % SETTLE_EVERY == 0 or cycle == cycles:
                figures.violated(cycle, settled(env, store, server, reported, moved,
                                                    figures))
            figures.cycles, figures.seconds = cycle, time.monotonic() - started
            progress(figures)
    return figures


if __name__ == "__main__":
    main("writer_campaign", campaign)
