"""Who is at the keyboard. Every service call takes a Session and checks it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.errors import PermissionDenied
from app.security.roles import PERMISSIONS, Permission, Role


@dataclass(frozen=True)
class Session:
    user: str
    full_name: str
    role: Role
    started_at: datetime
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # records a refused permission in the audit trail (set at sign-in, app.security.refusals)
    on_refused: Callable[["Session", Permission], None] | None = field(
        default=None, compare=False, repr=False)

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            if self.on_refused is not None:
                self.on_refused(self, permission)
            raise PermissionDenied(
                f"{self.full_name} ({self.user}) is signed in as {self.role} and may not "
                f"{permission}."
            )
