"""The randomized fault campaigns of tests/faults, in a small run of 20 cycles each.

The small run takes a fixed seed, so CI repeats the same choices (HEARTH_CAMPAIGN_SEED picks
another; the long runs from the command line draw a new one each time). A failure starts
with its seed:
`python -m tests.faults.<campaign> --cycles N --seed S` runs the same choices again (the
moments the kills land still vary with the machine's speed). Long runs: see runner.py.
"""

import os

import pytest

from tests.faults import two_station_campaign, writer_campaign

CYCLES = 20
SEED = os.environ.get("HEARTH_CAMPAIGN_SEED") or "s3"


def shown(figures) -> None:
    """Each cycle's figures, in the captured output a failure shows."""
    print(figures.json())


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_keeps_every_write_it_reported(
        keyring_session, tmp_path):
    figures = writer_campaign.campaign(tmp_path, keyring_session, CYCLES, SEED, shown)
    assert figures.violations == 0, figures.failure()
    assert (figures.cycles, figures.kills) == (CYCLES, CYCLES), figures.json()


@pytest.mark.slow
def test_two_workstations_under_faults_converge_and_keep_every_last_edit(
        keyring_session, tmp_path):
    figures = two_station_campaign.campaign(tmp_path, keyring_session, CYCLES, SEED, shown)
    assert figures.violations == 0, figures.failure()
    assert figures.cycles == CYCLES and figures.kills + figures.restarts > 0, figures.json()
