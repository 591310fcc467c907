"""The policy's access section: shipped defaults, and each mistake in a file refused by name."""

import orjson
import pytest

from app.errors import UsageError
from app.security.policy import Policy
from tests.conftest import KDF_FLOOR, TEST_POLICY


def policy_with(access: dict) -> Policy:
    fields = {k: v for k, v in TEST_POLICY.__dict__.items()
              if k in ("failed_logins_before_lock", "lockout_minutes", "idle_lock_minutes",
                       "min_password_length")}
    return Policy.from_json(orjson.dumps({**fields, "kdf": KDF_FLOOR.__dict__,
                                          "access": access}), "test.json")


def test_the_shipped_policy_gives_physicians_30_days_and_4_hours():
    access = Policy.default().access
    assert (access.restrict_roles, access.care_team_days, access.emergency_minutes) == (
        ("physician",), 30, 240)
    assert access.reasons[-1] == "Other"


@pytest.mark.parametrize(("access", "sentence"), [
    ({"emergency_minutes": 0}, "The policy's access.emergency_minutes is 0; it must be a whole "
                               "number from 1 to 10080."),
    ({"restrict_roles": ["doctor"]}, "The policy's access.restrict_roles names doctor; roles "
                                     "are physician, nurse, front-desk, billing, admin, "
                                     "auditor."),
    ({"reasons": []}, "The policy's access.reasons must be a list of words."),
    ({"window": 4}, "Unknown policy access setting(s): window."),
])
def test_a_mistake_in_the_access_section_is_named(access, sentence):
    with pytest.raises(UsageError) as refused:
        policy_with(access)
    assert refused.value.message == sentence
