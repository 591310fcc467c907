"""Who is at the keyboard. Every service call takes a Session and checks it."""

import uuid
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

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"{self.full_name} ({self.user}) is signed in as {self.role} and may not "
                f"{permission}."
            )
