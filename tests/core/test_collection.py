"""Garbage collection during batch work: rare, never among older objects, restored after."""

from __future__ import annotations

import gc
import threading

from autocrm.core.collection import BATCH_THRESHOLDS, batch_collection


def test_inside_a_batch_older_objects_are_frozen_and_collection_is_rare():
    before = gc.get_threshold()
    with batch_collection():
        assert gc.get_threshold() == BATCH_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_settings_come_back_only_when_the_last_of_overlapping_batches_ends():
    before = gc.get_threshold()
    first_inside, second_done = threading.Event(), threading.Event()

    def second_batch():
        first_inside.wait()
        with batch_collection():
            pass
        second_done.set()

    other = threading.Thread(target=second_batch)
    other.start()
    with batch_collection():
        first_inside.set()
        second_done.wait()
        assert gc.get_threshold() == BATCH_THRESHOLDS  # the other batch ended, this one runs
    other.join()
    assert gc.get_threshold() == before


def test_cycles_made_inside_a_batch_are_still_collected():
    class Node:
        partner: object = None

    with batch_collection():
        first, second = Node(), Node()
        first.partner, second.partner = second, first
        del first, second
    gc.collect()
    assert not [obj for obj in gc.get_objects() if type(obj) is Node]
