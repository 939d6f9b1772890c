"""Garbage collection for long batch work (imports, bulk loads) that streams millions of rows.

CPython's cycle collector runs after every 700 net allocations, and every so often looks at
every object the process holds: Django's, the name and pinyin dictionaries', the caches'. A
batch that allocates a dozen objects per row triggers it constantly; on a million-row import it
took a third of the CPU time. Inside ``batch_collection`` the objects that existed before are
frozen (never looked at again) and the collector waits for half a million net allocations
before it looks at the young objects, and rarely looks further. Objects are still freed the
moment their last reference goes (reference counting does not depend on the collector), and a
batch's chunks hold no reference cycles in practice (none were found on a million-row import),
so memory stays where it was; what garbage cycles there are wait a little longer. A process
forked inside (the import's reading process) keeps the same settings.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Net allocations before the young objects are looked at; young collections before the middle
# generation is; middle ones before the oldest (which also waits for its own size to grow by a
# quarter).
BATCH_THRESHOLDS = (500_000, 100, 100)

_lock = threading.Lock()
_batches = 0  # batches running in this process (its threads share one collector)
_thresholds_before = gc.get_threshold()


@contextmanager
def batch_collection() -> Iterator[None]:
    """Collect garbage rarely, and never among the objects from before, while inside."""
    global _batches, _thresholds_before
    with _lock:
        _batches += 1
        if _batches == 1:
            _thresholds_before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*BATCH_THRESHOLDS)
    try:
        yield
    finally:
        with _lock:
            _batches -= 1
            if _batches == 0:
                gc.set_threshold(*_thresholds_before)
                gc.unfreeze()
