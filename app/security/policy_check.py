"""`hearth policy check FILE`: every fault of a policy file, one sentence each naming its
line and key, or how many keys it sets when it is sound.

FILE is checked as IT's system policy (over the packaged default), or with `as_override`
as a `--policy` file, which may only make this computer's system policy stricter. The
faults are the ones start-up refuses (app.security.policy_faults); a file with none is then
loaded as start-up loads it, so "valid" means Hearth starts with it.
"""

from dataclasses import dataclass
from pathlib import Path

from app.errors import UsageError
from app.security.policy import Policy, system_values
from app.security.policy_faults import file_faults
from app.security.policy_own_checks import Tighten
from app.security.policy_rules import leaves


@dataclass(frozen=True)
class PolicyCheck:
    source: str
    faults: list[str]  # one sentence each, in the order of the file's lines
    keys_set: int

    def summary(self) -> str:
        return f"{self.source}: valid policy ({self.keys_set} key{'s' * (self.keys_set != 1)} set)"


def check_policy_file(path: Path, as_override: bool = False) -> PolicyCheck:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return PolicyCheck(str(path), [f"{path}: cannot be read: {exc.strerror}"], 0)
    tighten = Tighten(*system_values()) if as_override else None
    check = file_faults(raw, tighten)
    faults = [fault.sentence(str(path)) for fault in check.faults]
    if not faults:
        try:
            Policy.system_with(path) if as_override else Policy.from_file(path)
        except UsageError as err:  # a loader's rule the schema does not state (none known)
            faults.append(f"{path}: {err.message}")
    keys_set = len(leaves(check.values)) if isinstance(check.values, dict) else 0
    return PolicyCheck(str(path), faults, keys_set)
