"""Benchmark: ingest, patient search and chart summary at clinic scale, with baselines.

    python -m tests.perf.bench_store --patients 100000 [--full 1000] [--heavy 10000]
    python -m tests.perf.bench_store --resources 1000000 [--window 100000]

Prints JSON. Every figure has a baseline measured in the same run, because machines here
are noisy: ingest against raw executemany of the same JSON into a bare table (the floor),
encrypted against plain SQLite (same SQLite build, no key) for every figure, and encrypted
ingest against the same ingest with decimals read as binary doubles (as before FHIR decimals
were kept exactly: what keeping "1.50" costs).
Data: ../shared/data/synthea if present, else the bundles in tests/data/synthea.

With --resources, only ingest, at any scale: one NDJSON bulk export of that many records,
imported by `hearth import`'s Importer in a process of its own (so its peak RSS is the
import's, worker included), with the CPU-time rate of each window of resources (does the
rate hold as the store grows?) beside the floor: raw SQLCipher executemany of the same JSON.
"""

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson
import sqlcipher3
from sqlalchemy import create_engine

from app.clinical.chart.chart import Chart
from app.clinical.imports.fhir_input import read_entries
from app.clinical.imports.importer import Importer
from app.clinical.patients.search import PatientSearch
from app.security.roles import Role
from app.security.session import Session
from app.store.database import POOL, Database, raw_key_pragma
from app.store.keyfile import KeyFile
from app.store.keys import new_data_key
from app.store.paths import StorePaths
from app.store.schema.migrations import migrate
from app.store.store import Store
from fhir_common import fhir_json
from tests.perf.synthetic import write_dataset, write_ndjson

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data" / "synthea"
BUNDLED = HERE.parent / "data" / "synthea"
IMPORTER = Session("bench-admin", "Benchmark", Role.ADMIN, datetime.now(UTC))
CLINICIAN = Session("bench-doctor", "Benchmark", Role.PHYSICIAN, datetime.now(UTC))


class PlainDatabase(Database):
    """The same SQLite build without a key: what encryption costs is the difference."""

    def _create_engine(self):
        return create_engine(f"sqlite:///{self.path}", module=sqlcipher3.dbapi2, **POOL)


def open_store(root: Path, encrypted: bool) -> Store:
    paths = StorePaths(root)
    root.mkdir(parents=True)
    key = new_data_key()
    db = (Database if encrypted else PlainDatabase)(paths.database, key)
    migrate(db, paths.backups)
    return Store(paths, KeyFile.new(paths.key_file, str(uuid.uuid4())), db, key, b"")


def ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered) * 1000, 2),
            "p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2)}


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def ingest(store: Store, data: dict) -> dict:
    inputs = [*data["shared"], *data["full"], data["demographics"], data["heavy"]]
    start = time.perf_counter()
    report = Importer(store).run(IMPORTER, inputs)
    seconds = time.perf_counter() - start
    assert report.skipped == 0, report.errors[:3]
    return {"resources": report.imported, "seconds": round(seconds, 1),
            "resources_per_s": round(report.imported / seconds)}


@contextmanager
def binary_doubles() -> Iterator[None]:
    """Every read and write of resource JSON as plain orjson: 1.50 is read as 1.5."""
    exact = fhir_json.loads, fhir_json.dumps
    fhir_json.loads = orjson.loads
    fhir_json.dumps = lambda value, option=0: orjson.dumps(value, option=option)
    try:
        yield
    finally:
        fhir_json.loads, fhir_json.dumps = exact


def floor(path: Path, data: dict, encrypted: bool) -> dict:
    """Raw executemany of the same JSON into a bare (type, id, json) table."""
    return floor_of(path, [*data["shared"], *data["full"], data["demographics"], data["heavy"]],
                    encrypted)


def floor_of(path: Path, files: list[Path], encrypted: bool) -> dict:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    if encrypted:
        conn.execute(f'PRAGMA key="{raw_key_pragma(new_data_key())}"')
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE resource (type TEXT, id TEXT, json TEXT, PRIMARY KEY (type, id))")
    seconds, count, batch = 0.0, 0, []

    def flush():
        nonlocal seconds
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO resource VALUES (?, ?, ?)", batch)
        conn.execute("COMMIT")
        seconds += time.perf_counter() - start
        batch.clear()

    for file in files:
        for entry in read_entries(file):
            r = entry.resource
            batch.append((r["resourceType"], r.get("id") or entry.full_url,
                          fhir_json.dumps(r).decode()))
            count += 1
            if len(batch) == 1000:
                flush()
    flush()
    conn.close()
    return {"resources": count, "resources_per_s": round(count / seconds)}


def queries(people: list[dict], count: int, rng: random.Random) -> dict[str, list[str]]:
    chosen = rng.sample(people, min(count, len(people)))
    return {
        "family_prefix": [p["family"][:3] for p in chosen],
        "given_and_family": [f"{p['given'][0][:2]} {p['family'][:4]}" for p in chosen],
        "mrn": [p["mrn"] for p in chosen],
        "birth_date": [p["birthDate"] for p in chosen],
    }


def search(store: Store, asked: dict[str, list[str]]) -> dict:
    finder = PatientSearch(store)
    all_samples, by_kind = [], {}
    for kind, texts in asked.items():
        samples = [timed(lambda t=t: finder.search(CLINICIAN, t)) for t in texts]
        by_kind[kind] = ms(samples)
        all_samples += samples
    return {"all": ms(all_samples), **by_kind}


def chart(store: Store, runs: int) -> dict:
    charts = Chart(store)
    summary = [timed(lambda: charts.summary(CLINICIAN, "heavy-patient")) for _ in range(runs)]
    page = [timed(lambda: charts.section(CLINICIAN, "heavy-patient", "labs"))
            for _ in range(runs)]
    records = sum(charts.summary(CLINICIAN, "heavy-patient").counts.values())
    return {"records": records, "summary_ms": ms(summary), "labs_page_ms": ms(page)}


def run(args) -> dict:
    synthea = SHARED if SHARED.is_dir() else BUNDLED
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        made = time.perf_counter()
        data = write_dataset(tmp / "input", synthea, args.patients, args.full, args.heavy)
        result = {"scale": {"patients": args.patients, "full_patients": args.full,
                            "heavy_patient_records": args.heavy, "source": str(synthea),
                            "generate_s": round(time.perf_counter() - made, 1)}}
        asked = queries(data["people"], args.queries, random.Random(11))
        for name, encrypted in (("encrypted", True), ("plain", False)):
            store = open_store(tmp / name, encrypted)
            result[name] = {"ingest": ingest(store, data), "search_ms": search(store, asked),
                            "chart": chart(store, args.chart_runs)}
            store.close()
            result[name]["floor"] = floor(tmp / f"floor-{name}.db", data, encrypted)
        with binary_doubles():  # after: a warmer cache can only flatter the baseline
            store = open_store(tmp / "doubles", True)
            result["encrypted"]["ingest"]["decimals_as_binary_doubles"] = ingest(store, data)
            store.close()
        result["ratios"] = ratios(result)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def ratios(result: dict) -> dict:
    enc, plain = result["encrypted"], result["plain"]
    return {
        "floor_over_ingest": round(enc["floor"]["resources_per_s"]
                                   / enc["ingest"]["resources_per_s"], 2),
        "encrypted_over_plain_ingest_time": round(plain["ingest"]["resources_per_s"]
                                                  / enc["ingest"]["resources_per_s"], 2),
        "encrypted_over_plain_search_p95": round(enc["search_ms"]["all"]["p95"]
                                                 / plain["search_ms"]["all"]["p95"], 2),
        "encrypted_over_plain_chart_p95": round(enc["chart"]["summary_ms"]["p95"]
                                                / plain["chart"]["summary_ms"]["p95"], 2),
    }


def ingest_at_scale(args) -> dict:
    """Ingest of `--resources` records: rates per window and peak RSS, beside the floor."""
    synthea = SHARED if SHARED.is_dir() else BUNDLED
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        made = time.perf_counter()
        files = write_ndjson(tmp / "export.ndjson", synthea, args.resources)
        result = {"scale": {"resources": args.resources, "source": str(synthea),
                            "ndjson_mb": round(files[-1].stat().st_size / 2**20),
                            "generate_s": round(time.perf_counter() - made, 1)}}
        spawn = multiprocessing.get_context("spawn")
        answer = spawn.Queue()
        child = spawn.Process(target=_import_alone, args=(tmp / "store", files, args.window,
                                                         answer))
        child.start()
        result["ingest"] = answer.get()
        child.join()
        result["floor"] = floor_of(tmp / "floor.db", files, encrypted=True)
        ingest_rate = result["ingest"]["resources_per_s"]
        result["ratios"] = {"floor_over_ingest": round(result["floor"]["resources_per_s"]
                                                       / ingest_rate, 2)}
        rates = [w["resources_per_cpu_s"] for w in result["ingest"]["windows"]]
        if len(rates) > 1:
            result["ratios"]["slowest_window_over_first"] = round(min(rates[1:]) / rates[0], 2)
    return result


def _import_alone(root: Path, files: list[Path], window: int, answer) -> None:
    """In a fresh process: the import, timed window by window, and its peak memory."""
    store = open_store(root, encrypted=True)
    windows, mark = [], {"entries": 0, "cpu": _cpu_seconds(), "wall": time.perf_counter()}

    def progress(p) -> None:
        if p.entries - mark["entries"] >= window or (p.current is None and p.entries >
                                                     mark["entries"]):
            cpu, wall = _cpu_seconds(), time.perf_counter()
            done = p.entries - mark["entries"]
            windows.append({"upto": p.entries,
                            "resources_per_cpu_s": round(done / (cpu - mark["cpu"])),
                            "resources_per_s": round(done / (wall - mark["wall"]))})
            mark.update(entries=p.entries, cpu=cpu, wall=wall)

    start, cpu, writer = time.perf_counter(), _cpu_seconds(), time.process_time()
    report = Importer(store).run(IMPORTER, files, progress)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    writer = time.process_time() - writer
    store.close()
    answer.put({"resources": report.imported, "skipped": report.skipped,
                "seconds": round(seconds, 1), "resources_per_s": round(report.imported / seconds),
                "cpu_s": round(cpu, 1), "resources_per_cpu_s": round(report.imported / cpu),
                "writer_cpu_s": round(writer, 1), "worker_cpu_s": round(cpu - writer, 1),
                "windows": windows,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "worker_peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)})


def _cpu_seconds() -> float:
    """CPU time of this process and of its live children (an import's worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = 0.0
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            children += (int(fields[11]) + int(fields[12])) / ticks
        except (FileNotFoundError, ProcessLookupError):
            pass
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children + done.ru_utime + done.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--full", type=int, default=1000, help="patients with full histories")
    parser.add_argument("--heavy", type=int, default=10_000, help="records of the heavy patient")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument("--chart-runs", type=int, default=30)
    parser.add_argument("--resources", type=int, help="ingest only, of this many records")
    parser.add_argument("--window", type=int, default=100_000, help="resources per rate window")
    args = parser.parse_args(argv)
    result = ingest_at_scale(args) if args.resources else run(args)
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
