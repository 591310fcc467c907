"""The policy's `access` section: restricted charts and breaking the glass (issue 17).

Kept apart from app.security.policy (one section, one module); it sits in app.security, not
beside app.clinical.access, because the policy is read below the clinical layer.
"""

from dataclasses import dataclass, fields

from app.errors import UsageError

ROLE_NAMES = ("physician", "nurse", "front-desk", "billing", "admin", "auditor")
# Why a clinician outside the care team opens a restricted chart (Epic and VistA ask the
# same); "Other" needs words of the clinician's own.
DEFAULT_REASONS = ("Emergency care", "Covering for a colleague", "Patient asked me to",
                   "Other")

@dataclass(frozen=True)
class AccessPolicy:
    """Who may mark a chart restricted; who counts as the patient's care team (a clinician
    with an appointment, visit or order in the last `care_team_days`, or on a CareTeam);
    how long an emergency access lasts, and the reasons offered for it."""

    restrict_roles: tuple[str, ...] = ("physician",)
    care_team_days: int = 30
    emergency_minutes: int = 240
    reasons: tuple[str, ...] = DEFAULT_REASONS

    def __post_init__(self):
        for name in ("restrict_roles", "reasons"):
            value = getattr(self, name)
            if not isinstance(value, list | tuple) or not value or not all(
                    isinstance(v, str) and v.strip() for v in value):
                raise UsageError(f"The policy's access.{name} must be a list of words.")
            object.__setattr__(self, name, tuple(value))
        if bad := [r for r in self.restrict_roles if r not in ROLE_NAMES]:
            raise UsageError(f"The policy's access.restrict_roles names {', '.join(bad)}; "
                             f"roles are {', '.join(ROLE_NAMES)}.")
        for name, top in (("care_team_days", 366), ("emergency_minutes", 7 * 24 * 60)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise UsageError(f"The policy's access.{name} is {value!r}; it must be a whole "
                                 f"number from 1 to {top}.")

def access_policy(values) -> AccessPolicy:
    """The `access` section of a policy file, refused by name when a key is unknown."""
    if not isinstance(values, dict):
        raise UsageError("The policy's access settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(AccessPolicy)}:
        raise UsageError(f"Unknown policy access setting(s): {', '.join(sorted(unknown))}.")
    return AccessPolicy(**values)

