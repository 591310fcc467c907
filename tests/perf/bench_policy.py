"""Benchmark: what checking the policy file against its schema adds to loading it.

    python -m tests.perf.bench_policy --runs 50

Prints JSON. In one run, on the full template as IT's system file:
- checked: Policy.system() as start-up does it (schema, line map, own checks, loader);
- plain (the baseline): the loader alone on the same bytes, as before the schema (parse,
  the dataclasses and their floors);
- in fresh interpreters: importing jsonschema beside importing orjson (the plain loader's
  parser) and the `hearth` command's own modules (jsonschema among them), since
  the import is paid once per process, not per load.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from app.security.policy import Policy, layered, packaged_values

TEMPLATE = Path(__file__).resolve().parents[2] / "packaging" / "policy" / "policy-template.json"


def timed(action, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def import_ms(module: str, runs: int) -> float:
    """Median wall time of a fresh interpreter importing `module`, less an empty one's."""
    def start(code: str) -> float:
        return statistics.median(timed(lambda: subprocess.run([sys.executable, "-c", code],
                                                              check=True), runs))
    return start(f"import {module}") - start("pass")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--process-runs", type=int, default=10)
    args = parser.parse_args(argv)
    raw = TEMPLATE.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        system = Path(tmp) / "policy.json"
        system.write_bytes(raw)
        os.environ["HEARTH_SYSTEM_POLICY"] = str(system)
        checked = timed(Policy.system, args.runs)
        plain = timed(lambda: Policy.from_json(
            orjson.dumps(layered(packaged_values(), orjson.loads(system.read_bytes())))),
            args.runs)
        del os.environ["HEARTH_SYSTEM_POLICY"]
    p50 = statistics.median
    jsonschema_ms = import_ms("jsonschema", args.process_runs)
    orjson_ms = import_ms("orjson", args.process_runs)
    cli_ms = import_ms("app.cli.commands", args.process_runs)
    print(orjson.dumps({
        "runs": args.runs,
        "checked_load_ms_p50": round(p50(checked), 2),
        "plain_load_ms_p50": round(p50(plain), 2),
        "import_jsonschema_ms": round(jsonschema_ms, 1),
        "import_orjson_ms": round(orjson_ms, 1),
        "import_hearth_cli_ms": round(cli_ms, 1),
        "ratios": {"checked_over_plain_load": round(p50(checked) / p50(plain), 1),
                   "import_jsonschema_over_hearth_cli": round(jsonschema_ms / cli_ms, 3)},
    }, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
