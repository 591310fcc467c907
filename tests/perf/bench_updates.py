"""Benchmark: staging an update through the TUF channel, against a plain copy of the same
artefact in the same run.

    python -m tests.perf.bench_updates [--megabytes 60] [--runs 5]

Prints JSON. A repository is made with the real `packaging/build tuf-repo` holding an
artefact of `--megabytes` random bytes (a frozen Hearth or its .deb is of that order), as a
folder (a USB stick). Timed, `--runs` times each (p50 and the worst): `UpdateChannel.stage`
into a fresh store folder (the client workflow from the shipped root: root, timestamp,
snapshot, targets, latest.json, then the artefact with its length and SHA-256 checked) and,
as the baseline, shutil.copyfile of the same artefact, which is what staging without
verification would cost.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.security.updates_policy import UpdatesPolicy
from app.store.activity import Activity
from app.updates.channel import UpdateChannel
from tests.updates.repos import publish

NEWER = "99.0.0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_updates")
    parser.add_argument("--megabytes", type=float, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        artefact = publish(scratch / "repo", NEWER,
                           os.urandom(int(args.megabytes * 1024 * 1024)))
        settings = UpdatesPolicy(repository=str(scratch / "repo"))
        staged, copied = [], []
        for run in range(args.runs):
            store = scratch / f"store{run}"
            store.mkdir()
            started = time.perf_counter()
            UpdateChannel(settings, store, installed="0.1.0").stage(Activity(store))
            staged.append(time.perf_counter() - started)
            started = time.perf_counter()
            shutil.copyfile(artefact, scratch / f"copy{run}")
            copied.append(time.perf_counter() - started)
    result = {"megabytes": args.megabytes, "runs": args.runs,
              "stage_ms": summary(staged), "baseline_copy_ms": summary(copied),
              "ratio_p50_stage_over_copy": round(statistics.median(staged)
                                                 / statistics.median(copied), 2)}
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


def summary(seconds: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(seconds) * 1000, 2),
            "max": round(max(seconds) * 1000, 2)}


if __name__ == "__main__":
    sys.exit(main())
