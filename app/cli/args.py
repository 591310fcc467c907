"""Command-line arguments checked as they are parsed: numbers within a range, and every
mistake one line on stderr, exit 2.

Before, `--limit 9223372036854775808` reached SQLite and came back as "unexpected error
(OverflowError)"; argparse's own mistakes printed a usage block. Now each is a sentence.
"""

import argparse
import math
from collections.abc import Callable

LARGEST_ID = 2**63 - 1  # SQLite's largest integer


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other Hearth error."""

    def error(self, message: str):
        self.exit(2, f"hearth: Missing or invalid input: {message} (see {self.prog} --help).\n")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high`, else a sentence saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{value} is out of range: give a whole number from {low:,} to {high:,}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    """An argument type: a number from `low` to `high` (not infinity, not NaN)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: give a number from {low:g} to {high:g}")
        return value

    return parse
