"""The writer of the writer campaign: random service writes and syncs until it is killed.

    python -m tests.faults.writer STORE SERVER_URL SEED RUN   (from the repo root)

Signs in as the campaign's physician and does, at random (seeded), what a clinician's day
does through Hearth's own services: registers patients, records vitals, adds problems and
corrects their onset, edits a phone number from a form read earlier (sometimes with a sync
landing between the read and the save), signs notes, and syncs with the server. Before each
write it prints what it is about to write ("doing ..."), and after the write has committed
it prints what was saved ("wrote ..." or "set ..."); a refusal prints "refused ...". One
line is one write() call, so a kill cannot leave half a line.
Needs the private keyring's D-Bus variables in its environment.
"""

import random
import sys
from pathlib import Path

from keyring.backends import SecretService

from app.bootstrap import Environment, SyncSettings, Workstation, open_workstation
from app.errors import HearthError
from sync.errors import SyncError
from tests.store.writer_process import CHEAP_POLICY
from tests.sync.stations import PASSWORD

USER = "pat"
CODES = ("J18.9", "I10", "E11.9", "M54.50", "J45.909")


def say(*words: str) -> None:
    sys.stdout.write(" ".join(words) + "\n")
    sys.stdout.flush()


def a_past_day(rng: random.Random) -> str:
    return f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


class Writer:
    def __init__(self, ws: Workstation, server: str, rng: random.Random, run: str):
        self.ws, self.server, self.rng, self.run, self.n = ws, server, rng, run, 0

    def ids(self, kind: str) -> list[str]:
        with self.ws.store.read() as conn:
            return sorted(conn.exec_driver_sql(
                "SELECT id FROM resource WHERE type = ? AND deleted = 0", (kind,)).scalars())

    def next_id(self) -> str:
        self.n += 1
        return f"{self.run}-{self.n}"

    def register(self) -> None:
        pid = self.next_id()
        say("doing", f"Patient/{pid}", "create")
        self.ws.patients.register(self.ws.session, {
            "resourceType": "Patient", "id": pid, "birthDate": a_past_day(self.rng),
            "name": [{"family": f"Campaign{pid}", "given": ["Kim"]}]})
        say("wrote", f"Patient/{pid}", "create")

    def vitals(self, pid: str) -> None:
        say("doing", "vitals", pid)
        systolic = self.rng.randint(95, 170)
        made = self.ws.vitals.record(self.ws.session, pid, {
            "systolic": str(systolic), "diastolic": str(self.rng.randint(55, systolic - 20)),
            "heart_rate": str(self.rng.randint(50, 120)),
            "temperature": f"{self.rng.uniform(36, 39):.2f}"})
        say("wrote", *(f"Observation/{o['id']}" for o in made), "create")

    def problem(self, pid: str) -> None:
        say("doing", "problem", pid)
        made = self.ws.problems.add(self.ws.session, pid, self.rng.choice(CODES),
                                    onset=a_past_day(self.rng))
        say("wrote", f"Condition/{made['id']}", "create", "onsetDateTime", made["onsetDateTime"])

    def onset(self, condition_id: str) -> None:
        onset = a_past_day(self.rng)
        say("doing", f"Condition/{condition_id}", "update", "onsetDateTime", onset)
        self.ws.problems.edit(self.ws.session, condition_id, onset=onset)
        say("set", f"Condition/{condition_id}", "update", "onsetDateTime", onset)

    def phone(self, pid: str) -> None:
        """A demographics form: read, maybe a sync meanwhile, then saved over what it read."""
        read = self.ws.patients.get(self.ws.session, pid)
        if self.rng.random() < 0.5:
            self.sync()
        phone = f"555-{self.rng.randint(0, 9999):04d}"
        say("doing", f"Patient/{pid}", "update", "telecom", phone)
        try:
            self.ws.patients.update(self.ws.session, {
                **read, "telecom": [{"system": "phone", "value": phone}]}, based_on=read)
        except HearthError as refused:
            say("refused", f"Patient/{pid}", refused.message.replace("\n", " "))
            return
        say("set", f"Patient/{pid}", "update", "telecom", phone)

    def note(self, pid: str) -> None:
        say("doing", "note", pid)
        draft = self.ws.notes.start_draft(self.ws.session, pid, self.rng.choice(
            ("soap", "progress")))
        self.ws.notes.save_draft(self.ws.session, draft.id, f"Seen today. Plan {self.n}.")
        say("doing", f"DocumentReference/{draft.id}", "create")
        self.ws.notes.sign(self.ws.session, draft.id, PASSWORD)
        say("wrote", f"DocumentReference/{draft.id}", "create")

    def sync(self) -> None:
        say("doing", "sync")
        engine = self.ws.sync_engine(SyncSettings(self.server))
        try:
            report = engine.run_once()
        except (HearthError, SyncError) as failed:
            say("sync-failed", str(failed).replace("\n", " "))
            return
        finally:
            engine.transport.close()
        say("synced", f"sent={report.pushed.sent}", f"conflicts={report.pushed.conflicts}")

    def step(self) -> None:
        patients = self.ids("Patient")
        if not patients:
            return self.register()
        pid = self.rng.choice(patients)
        busy = patients[:3]  # the ones a colleague also changes (writer_campaign.BUSY)
        action = self.rng.choices(
            ("register", "vitals", "problem", "onset", "phone", "note", "sync"),
            weights=(2, 2, 1, 2, 3, 1, 2))[0]
        if action == "onset" and (conditions := self.ids("Condition")):
            return self.onset(self.rng.choice(conditions))
        if action in ("register", "sync"):
            return getattr(self, action)()
        if action == "phone":
            return self.phone(self.rng.choice(busy))
        getattr(self, "problem" if action == "onset" else action)(pid)


def main() -> None:
    store, server, seed, run = sys.argv[1:]
    backend = SecretService.Keyring()
    ws = open_workstation(Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY),
                          Path(store), USER, PASSWORD)
    say("ready")
    writer = Writer(ws, server, random.Random(seed), run)
    while True:
        writer.step()


if __name__ == "__main__":
    main()
