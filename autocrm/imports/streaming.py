"""Reading and normalising a source file, in chunks, a few chunks ahead of the writing.

Normalising is Python work on every row (phones, names and their initials, ID numbers and their
encryption, VINs, dates, the row hash); resolving and writing mostly wait for the database. For
a large file on a machine with more than one core, a forked process reads and normalises while
the importing process resolves and writes the chunks before, so the two overlap. The forked
process never touches the database (it ends with ``os._exit``, leaving the parent's connection
alone) and hands the chunks over through a bounded queue, so memory stays at a few chunks.
Small files, and systems without ``fork``, are read inline by the same generator.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue as queues
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from autocrm.imports.normalising import Incoming, normalise_row
from autocrm.imports.reading import open_table

# From this size on a file is read in a second process (smaller ones are over before a process
# has started).
PARALLEL_FROM_BYTES = 4 * 1024 * 1024
_CHUNKS_AHEAD = 3
_FINISHED = "finished"


def normalised_chunks(
    path: str | Path, *, name: str, mapping: dict[str, str], size: int
) -> Iterator[list[Incoming]]:
    """The file's data rows, normalised, in lists of ``size``."""
    with open_table(path, name=name) as table:
        chunk: list[Incoming] = []
        for number, cells in enumerate(table.rows, start=1):
            chunk.append(normalise_row(number, cells, table.headers, mapping))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def chunks_ahead(
    path: str | Path, *, name: str, mapping: dict[str, str], size: int
) -> Iterator[list[Incoming]]:
    """``normalised_chunks``, produced in a second process when that pays."""
    if not _worth_a_process(path):
        yield from normalised_chunks(path, name=name, mapping=mapping, size=size)
        return
    context = multiprocessing.get_context("fork")
    handover: Any = context.Queue(maxsize=_CHUNKS_AHEAD)
    reader = context.Process(target=_read, args=(handover, path, name, mapping, size), daemon=True)
    reader.start()
    try:
        while True:
            try:
                item = handover.get(timeout=5)
            except queues.Empty:
                if not reader.is_alive():
                    raise RuntimeError(
                        _("The process reading the file ended unexpectedly.")
                    ) from None
                continue
            if isinstance(item, BaseException):
                raise item
            if item == _FINISHED:
                return
            yield item
    finally:
        if reader.is_alive():  # the import stopped early: the rest of the file is not needed
            reader.terminate()
        reader.join()


def _worth_a_process(path: str | Path) -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and Path(path).stat().st_size >= PARALLEL_FROM_BYTES


# How much the reading process yields to the importing process and to PostgreSQL (a nice
# value): it only has to stay a few chunks ahead, and the chunks it has read wait for them.
READER_NICENESS = 10


def _yield_to_the_writing() -> None:
    if hasattr(os, "nice"):
        # Not allowed here: the reader runs at the importer's priority.
        with contextlib.suppress(OSError):
            os.nice(READER_NICENESS)


def _read(handover: Any, path: str, name: str, mapping: dict[str, str], size: int) -> None:
    """The second process: normalise, hand over, and report a failure as the exception."""
    _yield_to_the_writing()
    try:
        for chunk in normalised_chunks(path, name=name, mapping=mapping, size=size):
            handover.put(chunk)
        handover.put(_FINISHED)
    except Exception as error:  # handed over to be raised in the importing process
        try:
            pickle.dumps(error)
        except Exception:  # an exception that cannot cross to the other process as it is
            error = RuntimeError(str(error))
        handover.put(error)
    handover.close()
    handover.join_thread()
