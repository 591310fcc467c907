"""What both campaigns share: their figures, killing a child, and the command line.

    python -m tests.faults.writer_campaign --cycles N --seed S
    python -m tests.faults.two_station_campaign --cycles N --seed S

prints one JSON line of figures after every cycle (a long run shows how far it got) and,
as they are found, the violations, each with its cycle, on stderr; a run with violations
ends with its seed, so it can be run again as it was, and exits 1.
"""

import argparse
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from tests.faults.keyring_bus import private_keyring


@dataclass
class Figures:
    campaign: str
    seed: str
    cycles: int = 0
    kills: int = 0
    restarts: int = 0
    violations: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what the faults hit, by kind

    def violated(self, cycle: int, sentences: list[str]) -> None:
        self.violations += len(sentences)
        self.problems += [f"cycle {cycle}: {s}" for s in sentences]

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def json(self) -> str:
        return orjson.dumps({
            "campaign": self.campaign, "seed": self.seed, "cycles": self.cycles,
            "kills": self.kills, "restarts": self.restarts, "violations": self.violations,
            "seconds": round(self.seconds, 1), **self.counts}).decode()

    def failure(self) -> str:
        """What a failing test prints: the seed first, then what went wrong."""
        shown = "\n".join(self.problems[:20])
        return f"{self.campaign} failed with --seed {self.seed}:\n{shown}"


Campaign = Callable[[Path, dict[str, str], int, str, Callable[[Figures], None]], Figures]


def kill_after(args: list[str], env: dict[str, str], cwd: Path, enough: Callable[[list[str]], bool],
               delay: float, watchdog_seconds: float) -> tuple[list[str], str, int]:
    """Run `args`; once `enough(its lines so far)`, wait `delay` s and SIGKILL it. Returns
    every line it printed, its stderr and its exit status (-9 when the kill ended it); a
    child that ends on its own or hangs is the campaign's to report, not an exception."""
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env, cwd=cwd)
    watchdog = threading.Timer(watchdog_seconds, child.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        for line in child.stdout:
            lines.append(line.rstrip("\n"))
            if enough(lines):
                time.sleep(delay)
                break
    finally:
        child.send_signal(signal.SIGKILL)
        # Through the same file object: lines it has already read ahead sit in its buffer,
        # where communicate(), which reads the pipe itself, would never see them.
        rest, err = child.stdout.read(), child.stderr.read()
        child.wait(timeout=30)
        watchdog.cancel()
    return lines + rest.splitlines(), err, child.returncode


def main(name: str, campaign: Campaign) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m tests.faults.{name}")
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", default=None, help="default: a new random seed")
    opts = parser.parse_args()
    seed = opts.seed or secrets.token_hex(4)
    shown = 0

    def progress(figures: Figures) -> None:
        """The figures so far, and the violations found since the last cycle."""
        nonlocal shown
        print(figures.json(), flush=True)
        for problem in figures.problems[shown:]:
            print(problem, file=sys.stderr, flush=True)
        shown = len(figures.problems)

    with tempfile.TemporaryDirectory(prefix=f"{name}-") as root, private_keyring() as env:
        figures = campaign(Path(root), env, opts.cycles, seed, progress)
    if figures.violations:
        print(f"{figures.violations} violations; run again with --seed {seed}", file=sys.stderr)
        sys.exit(1)
