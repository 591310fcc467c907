"""Benchmark: store size and import rate of schema 17's write set against the code before it.

    python -m tests.perf.bench_write_set --baseline-tree DIR [--patients 20000 --full 40]

DIR is a checkout of Hearth before schema 17 (`git worktree add DIR <commit>`). The same
generated files are imported into a new store by each tree in turn, alternating, so each
figure has its baseline from the same run on the same data; each import runs in its own
process (with PYTHONPATH set to its tree), started from this file. Prints JSON: per tree
the records, wall and CPU seconds, records per CPU-second, and the store file's size after
it was closed (the WAL checkpointed into it), plus the ratios.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()
CURRENT = HERE.parents[2]
ROUND_KEYS = ("resources", "cpu_s", "wall_s", "resources_per_cpu_s", "store_mb")


def measure(inputs: list[Path], root: Path) -> dict:
    """Import `inputs` into a new encrypted store at `root` with the tree on sys.path."""
    from datetime import UTC, datetime

    from app.clinical.imports.importer import Importer
    from app.security.roles import Role
    from app.security.session import Session
    from app.store.database import Database
    from app.store.keyfile import KeyFile
    from app.store.keys import new_data_key
    from app.store.paths import StorePaths
    from app.store.schema.migrations import migrate, schema_version
    from app.store.store import Store

    paths = StorePaths(root)
    root.mkdir(parents=True)
    key = new_data_key()
    db = Database(paths.database, key)
    migrate(db, paths.backups)
    store = Store(paths, KeyFile.new(paths.key_file, str(uuid.uuid4())), db, key, b"")
    admin = Session("bench-admin", "Benchmark", Role.ADMIN, datetime.now(UTC))
    cpu, wall = time.process_time(), time.perf_counter()
    report = Importer(store).run(admin, inputs)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert report.skipped == 0, report.errors[:3]
    version = schema_version(db)
    store.close()
    return {"schema": version, "resources": report.imported, "cpu_s": round(cpu, 1),
            "wall_s": round(wall, 1), "resources_per_cpu_s": round(report.imported / cpu),
            "store_mb": round(paths.database.stat().st_size / 2**20, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run_in(tree: Path, inputs: list[Path], root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(HERE), "--measure", str(root),
                           *map(str, inputs)], cwd=tree, env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def run(args) -> dict:
    sys.path.insert(0, str(CURRENT))
    from tests.perf.synthetic import write_dataset
    synthea = CURRENT.parent / "shared" / "data" / "synthea"
    if not synthea.is_dir():
        synthea = CURRENT / "tests" / "data" / "synthea"
    trees = {"before": Path(args.baseline_tree).resolve(), "schema_17": CURRENT}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = write_dataset(tmp / "input", synthea, args.patients, args.full, 0)
        inputs = [*data["shared"], *data["full"], data["demographics"]]
        rounds = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, tree in trees.items():
                rounds[name].append(run_in(tree, inputs, tmp / f"{name}-{n}"))
    best = {name: max(runs, key=lambda r: r["resources_per_cpu_s"])
            for name, runs in rounds.items()}
    before, after = best["before"], best["schema_17"]
    return {"scale": {"patients": args.patients, "full_patients": args.full,
                      "source": str(synthea), "rounds": args.rounds},
            "runs": rounds, "best": best,
            "ratios": {"store_size_after_over_before": round(after["store_mb"]
                                                             / before["store_mb"], 2),
                       "rate_after_over_before": round(after["resources_per_cpu_s"]
                                                       / before["resources_per_cpu_s"], 2)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-tree", help="a checkout of Hearth before schema 17")
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--full", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        root, *inputs = map(Path, args.measure)
        print(json.dumps(measure(inputs, root)))
    else:
        print(json.dumps(run(args), indent=2))


if __name__ == "__main__":
    main()
