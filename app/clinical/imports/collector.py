"""Python's cycle collector held off while an import's writer handles a batch.

Receiving a batch makes some 50,000 objects (its records, unpickled) and writing it more; a
collection in the middle of either scans every object the process holds, the application's
modules included: unpickling took 6-8 microseconds a record with the collector on, 2 with
it off (issue 19). A batch makes no cycles, so nothing is left for the collector to find.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in this block (the UI may have switched it off for
    good: app.ui.common.garbage; it is left as it was found)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
