"""Benchmark: a new workstation's first pull from a real FHIR server, and a push of edits.

Run inside a keyring session (see README):  python -m tests.perf.bench_sync --patients 100

Prints JSON. A SEKMET server (tests/sync/conftest.py) is loaded with the Synthea bundles as
transaction Bundles, as a hospital's server would hold them; a new store (SQLCipher, OS
keyring, shipped policy) then syncs from it. Baselines measured in the same run, against
the same server: the pull against GETting the same history pages and storing nothing (the
server and network floor); the push of --edits edited patients against as many single PUTs
of the same kind of edit straight to the server with httpx.
Data: ../shared/data/synthea if present, else tests/data/synthea (or --source), with
synthetic copies (tests/perf/synthetic.py) when more patients are asked for than there are.
"""

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson

from app.bootstrap import Environment, SyncSettings, open_workstation
from sync.wire import FHIR_JSON
from tests.perf.synthetic import UUID, fresh_ids, person, source_files, with_person
from tests.sync.conftest import SEKMET_VERSION, start_fhir_server
from tests.sync.stations import PASSWORD, workstation

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = HERE.parents[2] / "shared" / "data" / "synthea"
BUNDLED = HERE.parent / "data" / "synthea"
USER = "pat"  # the physician tests.sync.stations.workstation adds
TIMEOUT = 600.0  # a large transaction Bundle takes the server a while


class Requests:
    """When each request of one sync cycle left and its answer came, to split the cycle's
    time into its steps (push, pull, audit upload), and the push into waiting for the server
    and the client's own work, from the outside, without reaching into the engine."""

    def __init__(self, client: httpx.Client):
        self.sent: list[tuple[float, str, str]] = []
        self.answered: list[float] = []  # one per request, in order (they go one at a time)
        client.event_hooks["request"].append(self._record)
        client.event_hooks["response"].append(lambda _: self.answered.append(
            time.perf_counter()))

    def _record(self, request: httpx.Request) -> None:
        self.sent.append((time.perf_counter(), request.method, str(request.url)))

    def history_pages(self) -> list[str]:
        return [url for _, method, url in self.sent if method == "GET" and "_history" in url]

    def steps(self, start: float, end: float) -> dict:
        """Push runs until the first history page is asked for, pull until the first POST
        after it (the audit trail's batch), the audit upload until the cycle ends."""
        pull = next((t for t, method, url in self.sent
                     if method == "GET" and "_history" in url), end)
        upload = next((t for t, method, _ in self.sent if method == "POST" and t > pull), end)
        waiting = sum(answered - sent for (sent, _, _), answered in zip(
            self.sent, self.answered, strict=True) if start <= sent < pull)
        return {"sync_s": end - start, "push_s": pull - start, "pull_s": upload - pull,
                "audit_upload_s": end - upload, "push_server_wait_s": waiting,
                "push_client_s": pull - start - waiting}


def bundles(source: Path, patients: int) -> Iterator[bytes]:
    """The hospital and practitioner bundles first (patients' bundles refer to them), then
    `patients` patient bundles: Synthea's own, then copies with new ids and new people."""
    shared, files = source_files(source)
    yield from (f.read_bytes() for f in shared)
    yield from (f.read_bytes() for f in files[:patients])
    keep = {u for f in shared for u in UUID.findall(f.read_bytes())}
    rng = random.Random(7)
    for number in range(len(files), patients):
        bundle = orjson.loads(fresh_ids(files[number % len(files)].read_bytes(), number, keep))
        yield orjson.dumps(with_person(bundle, person(rng, number)))


def load(client: httpx.Client, source: Path, patients: int) -> tuple[float, set[str]]:
    """Seconds the server took to take every bundle, and the resource types they hold."""
    seconds, types = 0.0, set()
    for raw in bundles(source, patients):
        start = time.perf_counter()
        response = client.post("", content=raw, headers={"Content-Type": FHIR_JSON})
        seconds += time.perf_counter() - start
        assert response.status_code == 200, response.text[:2000]
        types.update(entry["resource"]["resourceType"] for entry in orjson.loads(raw)["entry"])
    return seconds, types


def server_count(client: httpx.Client, loaded_types: set[str]) -> int:
    """What the server holds that a pull should bring, counted apart from the engine: the
    search total of every type loaded or in the CapabilityStatement (SEKMET seeds some of
    its own and does not list every type it holds; history totals count versions). Run
    before any workstation uploads its audit trail, which Hearth does not pull back."""
    [rest] = client.get("metadata").json()["rest"]
    types = loaded_types | {r["type"] for r in rest["resource"]}
    return sum(client.get(kind, params={"_summary": "count"}).json()["total"]
               for kind in sorted(types))


def status_mb(field: str) -> int:
    """A figure of /proc/self/status (VmRSS, VmHWM) in MB."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith(f"{field}:"))
    return round(int(line.split()[1]) / 1024)


def first_pull(store: Path, server: str) -> dict:
    """One sync cycle of the new store. Runs in a process of its own (`--first-pull`), so
    its peak RSS is the sync's, not the loader's."""
    ws = open_workstation(Environment(), store, USER, PASSWORD)
    engine = ws.sync_engine(SyncSettings(server))
    requests = Requests(engine.transport.client)
    engine.capabilities()
    before = status_mb("VmRSS")
    # Reset the high-water mark, or it would be sign-in's (argon2id takes 64 MiB).
    Path("/proc/self/clear_refs").write_text("5")
    start = time.perf_counter()
    report = engine.run_once()
    end = time.perf_counter()
    peak = status_mb("VmHWM")
    with ws.store.read() as conn:
        stored = conn.exec_driver_sql(
            "SELECT count(*) FROM resource WHERE deleted = 0").scalar_one()
    engine.transport.close()
    ws.close()
    return {"received": report.pulled.received, "stored": stored, "pages": report.pulled.pages,
            **requests.steps(start, end), "rss_before_mb": before, "peak_rss_mb": peak,
            "history_pages": requests.history_pages()}


def pull_in_own_process(store: Path, server: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.perf.bench_sync", "--first-pull",
                           str(store), server], cwd=ROOT, capture_output=True)
    if done.returncode:
        raise RuntimeError(f"the pull process failed:\n{done.stderr.decode()[-3000:]}")
    return orjson.loads(done.stdout)


def fetch_floor(client: httpx.Client, urls: list[str]) -> float:
    """GET the history pages the pull read, in order, and store nothing."""
    start = time.perf_counter()
    for url in urls:
        client.get(url).raise_for_status()
    return time.perf_counter() - start


def with_phone(patient: dict, number: int) -> dict:
    return {**patient, "telecom": [*patient.get("telecom", []),
                                   {"system": "phone", "value": f"555-02{number:02d}",
                                    "use": "mobile"}]}


def push(store: Path, server: str, edits: int) -> tuple[dict, list[dict]]:
    """Edit `edits` patients, sync, and return the figures with the same patients as the
    server now holds them, edited once more, for the single-PUT baseline."""
    ws = open_workstation(Environment(), store, USER, PASSWORD)
    with ws.store.read() as conn:
        ids = [row[0] for row in conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0 ORDER BY id "
            "LIMIT ?", (edits,))]
    assert len(ids) == edits, f"only {len(ids)} patients to edit"
    for number, pid in enumerate(ids):
        ws.patients.update(ws.session, with_phone(ws.patients.get(ws.session, pid), number))
    engine = ws.sync_engine(SyncSettings(server))
    requests = Requests(engine.transport.client)
    engine.capabilities()
    start = time.perf_counter()
    report = engine.run_once()
    end = time.perf_counter()
    engine.transport.close()
    again = [with_phone(ws.patients.get(ws.session, pid), edits + number)
             for number, pid in enumerate(ids)]
    ws.close()
    steps = requests.steps(start, end)
    return {"edits": edits, "sent": report.pushed.sent, "merged": report.pushed.merged,
            "conflicts": report.pushed.conflicts, "round_trips": report.pushed.round_trips,
            "pulled_after": report.pulled.received, **steps,
            "resources_per_s": report.pushed.sent / steps["push_s"]}, again


def single_puts(client: httpx.Client, patients: list[dict]) -> float:
    """One PUT per patient, with If-Match and the answer the engine asks for."""
    start = time.perf_counter()
    for patient in patients:
        response = client.put(
            f"Patient/{patient['id']}", json=patient,
            headers={"Content-Type": FHIR_JSON, "Prefer": "return=representation",
                     "If-Match": f'W/"{patient["meta"]["versionId"]}"'})
        assert response.status_code == 200, response.text[:2000]
    return time.perf_counter() - start


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp, \
            start_fhir_server(Path(tmp) / "server") as server, \
            httpx.Client(base_url=server.base_url, timeout=TIMEOUT,
                         headers={"Accept": FHIR_JSON}) as client:
        loaded, types = load(client, args.source, args.patients)
        held = server_count(client, types)
        store = Path(tmp) / "store"
        workstation(Environment(), store, USER).close()
        pull = pull_in_own_process(store, server.base_url)
        pages = pull.pop("history_pages")
        floor = fetch_floor(client, pages)
        pushed, again = push(store, server.base_url, args.edits)
        puts = single_puts(client, again)
    return rounded({
        "scale": {"patients": args.patients, "source": str(args.source),
                  "server": f"SEKMET {SEKMET_VERSION}", "load_s": loaded},
        "server_resources": held,
        "pull": {**pull, "resources_per_s": round(pull["received"] / pull["pull_s"])},
        "fetch_floor": {"pages": len(pages), "seconds": floor,
                        "resources_per_s": round(pull["received"] / floor)},
        "push": pushed,
        "single_puts": {"requests": len(again), "seconds": puts},
        "ratios": {"pull_over_fetch_floor": pull["pull_s"] / floor,
                   "push_over_single_puts": pushed["push_s"] / puts},
    })


def rounded(figures: dict) -> dict:
    """Every float to 3 places, once all ratios are taken from the unrounded figures."""
    return {key: rounded(value) if isinstance(value, dict) else
            round(value, 3) if isinstance(value, float) else value
            for key, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--edits", type=int, default=50, help="patients edited, then pushed")
    parser.add_argument("--source", type=Path, default=SHARED if SHARED.is_dir() else BUNDLED,
                        help="a folder of Synthea bundles")
    parser.add_argument("--first-pull", nargs=2, metavar=("STORE", "SERVER"),
                        help="(internal) run the pull in this process and print its figures")
    args = parser.parse_args(argv)
    result = first_pull(Path(args.first_pull[0]), args.first_pull[1]) if args.first_pull \
        else run(args)
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
