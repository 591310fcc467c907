"""The argon2id costs Hearth accepts, from a policy file or from a wrap in keys.json.

The floor is OWASP's minimum for argon2id (19 MiB, two passes, one lane): any policy file,
even IT's, that asks for less is refused, so a password cannot be made cheap to guess. The
ceiling stops a file from making sign-in run for hours or exhaust memory. A wrap read from
keys.json must stay under the ceiling too; below, it only has to be a cost argon2id can
compute (one pass, 8 KiB per lane), because a wrap's cost was fixed by whoever made it
holding the data key: writing smaller numbers into the file weakens nothing, the wrap simply
no longer opens.
"""

from app.store.kdf_cost import KdfCost

FLOOR = KdfCost(time_cost=2, memory_kib=19 * 1024, parallelism=1)
CEILING = KdfCost(time_cost=10, memory_kib=4 * 1024 * 1024, parallelism=16)
ARGON2_MIN_KIB_PER_LANE = 8
