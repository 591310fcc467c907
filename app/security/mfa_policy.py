"""The policy's "mfa" section: who must give a second factor, and when.

`required_roles`: the roles that must enrol a TOTP authenticator (a user of another role
who chose to enrol is asked for it too). `at_sign_in`: whether signing in asks for the
code. `at_unlock`: "password" lets a user unlock an idle-locked workstation with the
password alone while her last code is less than `shift_hours` old (the same shift), else
the code is asked; "code" asks it at every unlock. `at_signing`: "code" asks an enrolled
user for the code beside the password when signing or cosigning a note (the signature is
then two factors); "password" (the default) the password alone. Codes are TOTP (RFC 6238), 30-second
steps, accepted one step either side of this computer's clock (app.security.mfa).
"""

from dataclasses import dataclass, fields

from app.errors import UsageError
from app.security.roles import Role

ROLES = tuple(Role)
UNLOCK_RULES = ("password", "code")
SIGNING_RULES = ("password", "code")


@dataclass(frozen=True)
class MfaPolicy:
    required_roles: tuple[str, ...] = ()
    at_sign_in: bool = True
    at_unlock: str = "password"
    shift_hours: int = 12
    at_signing: str = "password"

    def __post_init__(self):
        roles = self.required_roles
        if not isinstance(roles, list | tuple) or not all(isinstance(r, str) for r in roles):
            raise UsageError("The policy's mfa.required_roles must be a list of roles, e.g. "
                             "[\"physician\", \"admin\"].")
        if unknown := [r for r in roles if r not in ROLES]:
            raise UsageError(f"The policy's mfa.required_roles names {', '.join(unknown)}, "
                             f"which is no role; use {', '.join(ROLES)}.")
        object.__setattr__(self, "required_roles", tuple(roles))
        if not isinstance(self.at_sign_in, bool):
            raise UsageError("The policy's mfa.at_sign_in must be true or false.")
        if self.at_unlock not in UNLOCK_RULES:
            raise UsageError(f"The policy's mfa.at_unlock is {self.at_unlock!r}; it must be "
                             "\"password\" (within the same shift) or \"code\".")
        if self.at_signing not in SIGNING_RULES:
            raise UsageError(f"The policy's mfa.at_signing is {self.at_signing!r}; it must be "
                             "\"password\" or \"code\" (the authenticator's code too).")
        hours = self.shift_hours
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24:
            raise UsageError(f"The policy's mfa.shift_hours is {hours!r}; it must be a whole "
                             "number of hours from 1 to 24.")


def mfa_policy(values) -> MfaPolicy:
    """The section as read from a policy file, refused by name when a setting is unknown."""
    if not isinstance(values, dict):
        raise UsageError("The policy's mfa settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(MfaPolicy)}:
        raise UsageError(f"Unknown policy mfa setting(s): {', '.join(sorted(unknown))}.")
    return MfaPolicy(**values)
