"""How much work argon2id does to turn a password into a key: a plain value, apart from the
key wrapping (app.store.keys) so that the policy, which names a cost, can be read and the
sign-in window painted before argon2 and cryptography are imported."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KdfCost:
    """argon2id cost. The default is RFC 9106's second recommended setting (64 MiB, t=3)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4
