"""What differs between a clinic's computer and a test: the keyring and the policy; and for
the demo clinic, where its device secret may be kept.

Apart from the composition root (app.bootstrap, which re-exports it) so that the sign-in
window can be shown with it alone: the keyring and the store's key files are imported when a
device secret is first needed (signing in), not while the window starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.security.policy import Policy

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from app.store.device_secret import DeviceSecrets


def os_keyring() -> KeyringBackend:
    """The OS keyring (keyring.get_keyring), the backend of every real store."""
    import keyring  # here: it looks up its backends when imported

    return keyring.get_keyring()


@dataclass(frozen=True)
class Environment:
    keyring_backend: Callable[[], KeyringBackend] = os_keyring
    # None: IT's system policy. A Policy built in code skips the floors that every policy
    # file must meet; tests use that for a cheap KDF, the product never does.
    policy: Policy | None = None
    # Set only for the demo clinic (synthetic patients) at this folder: where no OS keyring
    # works, its device secret is kept in a file beside it (app.store.demo_secret). None for
    # every real store, whose secret is only ever in the OS keyring.
    demo_root: Path | None = None

    def device_secrets(self) -> DeviceSecrets:
        from app.store.demo_secret import DemoSecrets
        from app.store.device_secret import KeyringSecrets

        if self.demo_root is not None:
            return DemoSecrets(self.keyring_backend, self.demo_root)
        return KeyringSecrets(self.keyring_backend())

    def effective_policy(self) -> Policy:
        return self.policy or Policy.system()
