"""Campaign (b): two workstations and a SEKMET server, with faults, ending in convergence.

    python -m tests.faults.two_station_campaign --cycles N --seed S   (from the repo root)

Workstations A and B share three patients, each with a problem. Each cycle does a few
random steps: an edit on A or B (A owns the phone, B the address, both edit the birth date
and the problem's onset); a demographics form saved after a sync landed between its read
and its save, or while a sync runs; a sync in its own process killed at a random request
or commit (tests/sync/sync_process.py); the server killed (SIGKILL) or stopped (SIGTERM)
and started again on its data, sometimes in the middle of a sync; a person resolving the
open conflicts on A or B, keeping one side or the other.

Then clean syncs, and what must hold: on each workstation every record is as the server
has it, or in an open conflict, and nothing but a conflict's held changes waits to be sent;
every last edit of every field is on the server or in a visible conflict (tests.faults.
last_edits); every local record equals the server's version it names, or is queued; and
every fifth cycle and at the end `store check` and `audit verify` pass. At the end the open
conflicts are resolved and all must converge.
"""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from keyring.backends import SecretService

from app.bootstrap import Environment, SyncSettings, Workstation, open_workstation
from app.errors import HearthError, InvalidRecord
from tests.conftest import TEST_POLICY
from tests.faults.invariants import converged, outbox_invariant, server_records, store_sound
from tests.faults.last_edits import LastEdits
from tests.faults.runner import Figures, main
from tests.faults.server import RestartableServer
from tests.sync.stations import patient, workstation

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "admin pass 12"  # tests.sync.stations.workstation's admin
OWNED = {"A": "telecom", "B": "address"}
STEPS = ("edit", "form_with_sync", "sync", "restart", "resolve")
WEIGHTS = (5, 3, 3, 1, 2)
EXPECTED_SYNC_FAILURES = ("sync.errors.", "app.errors.")


def past_day(rng: random.Random) -> str:
    return f"{rng.randint(1950, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


class TwoStations:
    def __init__(self, root: Path, keyring_env: dict[str, str], seed: str, figures: Figures):
        self.root, self.keyring_env, self.figures = root, keyring_env, figures
        self.rng = random.Random(seed)
        backend = SecretService.Keyring()
        self.env = Environment(keyring_backend=lambda: backend, policy=TEST_POLICY)
        self.server = RestartableServer(root / "server")
        self.edits = LastEdits()
        self.ws: dict[str, Workstation] = {}
        self.patients: list[str] = []
        self.problems: list[str] = []
        self.problems_found: list[str] = []

    # -- setting up -----------------------------------------------------------------------

    def start(self) -> None:
        self.server.start()
        for name in ("A", "B"):
            self.ws[name] = workstation(self.env, self.root / name)
        a = self.ws["A"]
        for n in range(3):
            record = a.patients.register(a.session, patient(
                f"Shared{n}", telecom=[{"system": "phone", "value": "555-0000"}],
                address=[{"city": "Start"}]))
            problem = a.problems.add(a.session, record["id"], "I10", onset="2020-01-01")
            self.patients.append(record["id"])
            self.problems.append(problem["id"])
            for field, value in (("telecom", "555-0000"), ("address", "Start"),
                                 ("birthDate", record["birthDate"])):
                self.edits.edited("Patient", record["id"], field, value, "A")
            self.edits.edited("Condition", problem["id"], "onsetDateTime", "2020-01-01", "A")
        self.settle()

    def stop(self) -> None:
        for ws in self.ws.values():
            ws.close()
        self.server.stop()

    # -- steps ----------------------------------------------------------------------------

    def edit(self, name: str) -> None:
        if self.rng.random() < 0.4:
            return self.onset(name)
        field = self.rng.choice([OWNED[name], "birthDate"])
        self.patient_form(name, field, self.rng.choice(self.patients), meanwhile=None)

    def onset(self, name: str, cid: str | None = None) -> None:
        ws, onset = self.ws[name], past_day(self.rng)
        cid = cid or self.rng.choice(self.problems)
        try:
            ws.problems.edit(ws.session, cid, onset=onset)
        except HearthError as refused:
            return self.refused(refused)
        self.edits.edited("Condition", cid, "onsetDateTime", onset, name)

    def patient_form(self, name: str, field: str, pid: str, meanwhile) -> None:
        """Read the patient, let `meanwhile` run (a sync), then save the form."""
        ws = self.ws[name]
        read = ws.patients.get(ws.session, pid)
        if meanwhile is not None:
            meanwhile()
        value = (f"555-{self.rng.randint(0, 9999):04d}" if field == "telecom"
                 else f"City{self.rng.randint(0, 99999)}" if field == "address"
                 else past_day(self.rng))
        shaped = {"telecom": [{"system": "phone", "value": value}],
                  "address": [{"city": value}]}.get(field, value)
        try:
            ws.patients.update(ws.session, {**read, field: shaped}, based_on=read)
        except HearthError as refused:
            return self.refused(refused)
        self.edits.edited("Patient", pid, field, value, name)

    def form_with_sync(self, name: str) -> None:
        """The other workstation changes a patient and syncs; here that patient's form is
        read, and a sync brings the change between the read and the save, or while the
        form is saved (each sync may be killed before it gets that far)."""
        other, pid = "B" if name == "A" else "A", self.rng.choice(self.patients)
        self.patient_form(other, self.rng.choice([OWNED[other], "birthDate"]), pid, None)
        self.sync(other)
        field = self.rng.choice([OWNED[name], "birthDate"])
        if self.rng.random() < 0.5:
            return self.patient_form(name, field, pid, meanwhile=lambda: self.sync(name))
        running = []

        def sync_starts() -> None:
            running.append(self.start_sync(name))
            time.sleep(self.rng.uniform(0, 0.8))

        self.patient_form(name, field, pid, meanwhile=sync_starts)
        self.finish_sync(running[0])

    def sync(self, name: str) -> None:
        self.finish_sync(self.start_sync(name))

    def start_sync(self, name: str) -> subprocess.Popen:
        """A sync in its own process that kills itself at a random request or commit."""
        kind = self.rng.choice(("http", "commit", "none"))
        spec = ("none" if kind == "none" else
                f"{kind}-{self.rng.choice(('before', 'after'))}:"
                f"{self.rng.randint(1, 6 if kind == 'http' else 4)}")
        self.figures.count(f"syncs_{kind}")
        return subprocess.Popen(
            [sys.executable, "-m", "tests.sync.sync_process", str(self.root / name), "pat",
             self.server.base_url, spec], cwd=REPO, env=self.keyring_env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish_sync(self, running: subprocess.Popen) -> None:
        try:
            _, err = running.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            running.kill()
            _, err = running.communicate()
            self.problems_found.append("a sync hung for 120 s")
            return
        if running.returncode == -signal.SIGKILL:
            self.figures.kills += 1
        elif running.returncode != 0:
            last = err.strip().splitlines()[-1] if err.strip() else "(no message)"
            if last.startswith(EXPECTED_SYNC_FAILURES):
                self.figures.count("syncs_failed_with_a_sentence")
            else:
                self.problems_found.append(f"a sync failed unexpectedly: {last[:300]}")

    def restart(self, _name: str) -> None:
        how = self.rng.choice((signal.SIGKILL, signal.SIGTERM))
        running = self.start_sync(self.rng.choice("AB")) if self.rng.random() < 0.5 else None
        if running:
            time.sleep(self.rng.uniform(0, 1.0))
        self.server.restart(how)
        self.figures.restarts += 1
        self.figures.count(f"restarts_{how.name}")
        if running:
            self.finish_sync(running)

    def resolve(self, name: str) -> None:
        """Resolve every open conflict on `name`; some records are edited first, while
        their conflict is open, as a clinician charting on does."""
        ws = self.ws[name]
        for conflict in ws.conflicts.list(ws.session):
            if self.rng.random() < 0.5 and conflict.type == "Patient":
                field = self.rng.choice([OWNED[name], "birthDate"])
                self.patient_form(name, field, conflict.resource_id, meanwhile=None)
            elif self.rng.random() < 0.5 and conflict.type == "Condition":
                self.onset(name, conflict.resource_id)
        for conflict in ws.conflicts.list(ws.session):
            keep = self.rng.choice(("local", "remote"))
            self.edits.resolved(conflict, keep, name)
            try:
                ws.conflicts.resolve(ws.session, conflict.id, keep)
            except InvalidRecord as refused:
                self.problems_found.append(f"conflict {conflict.id} on {name} could not be "
                                           f"resolved: {refused.message}")
            self.figures.count("conflicts_resolved")

    def refused(self, refused: HearthError) -> None:
        """An edit refused with a sentence (changed meanwhile, store busy): nothing saved,
        so it is no edit; counted by kind."""
        self.figures.count(f"edits_refused_{type(refused).__name__}")

    # -- checking -------------------------------------------------------------------------

    def settle(self) -> None:
        """Clean syncs, A then B, until a round sends and receives nothing."""
        for _ in range(4):
            moved = 0
            for name in ("A", "B"):
                engine = self.ws[name].sync_engine(SyncSettings(self.server.base_url))
                try:
                    report = engine.run_once()
                finally:
                    engine.transport.close()
                moved += report.pushed.sent + report.pulled.received
            if not moved:
                return

    def check(self, full: bool) -> list[str]:
        problems, self.problems_found = self.problems_found, []
        for name, ws in self.ws.items():
            problems += [f"{name}: {p}" for p in outbox_invariant(ws, self.server.base_url)]
        self.settle()
        on_server = server_records(self.server.base_url)
        conflicts = []
        for name, ws in self.ws.items():
            problems += converged(ws, self.server.base_url, name)
            conflicts += ws.conflicts.list(ws.session)
            if full:
                admin = open_workstation(self.env, self.root / name, "admin", ADMIN_PASSWORD)
                problems += [f"{name}: {p}" for p in store_sound(admin)]
                admin.close()
        return problems + self.edits.lost(on_server, conflicts)

    def cycle(self) -> None:
        for _ in range(self.rng.randint(2, 5)):
            step = self.rng.choices(STEPS, WEIGHTS)[0]
            getattr(self, step)(self.rng.choice("AB"))
            self.figures.count(f"step_{step}")


def campaign(root: Path, keyring_env: dict[str, str], cycles: int, seed: str,
             progress) -> Figures:
    figures = Figures("two_station_campaign", seed)
    stations = TwoStations(root, keyring_env, seed, figures)
    started = time.monotonic()
    stations.start()
    try:
        for cycle in range(1, cycles + 1):
            stations.cycle()
            last = cycle == cycles
            if last:  # a person works through every open conflict, then all converges
                for _ in range(3):
                    stations.resolve("A")
                    stations.resolve("B")
                    stations.settle()
            figures.violated(cycle, stations.check(full=last or cycle % 5 == 0))
            if last:
                open_left = sum(len(ws.conflicts.list(ws.session))
                                for ws in stations.ws.values())
                figures.counts["conflicts_open_at_end"] = open_left
            figures.cycles, figures.seconds = cycle, time.monotonic() - started
            progress(figures)
    finally:
        stations.stop()
    return figures


if __name__ == "__main__":
    main("two_station_campaign", campaign)
