"""Message ids are UUID version 7: time first, so a message is added at the end of the primary-key index."""

from __future__ import annotations

import time
import uuid

from bot.model import Actor, Message, time_ordered_id


def test_a_time_ordered_id_is_a_version_7_uuid_of_the_rfc_s_variant_with_the_current_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    value = uuid.UUID(made)
    after = time.time_ns() // 1_000_000
    assert made == str(value)  # written out by hand: the canonical text, lower case, 8-4-4-4-12
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_ids_made_in_later_milliseconds_sort_later_and_never_repeat() -> None:
    first = time_ordered_id()
    while uuid.UUID(second := time_ordered_id()).int >> 80 == uuid.UUID(first).int >> 80:
        pass  # the same millisecond: the next one
    assert first < second  # as text too: the index orders them by the time they were made
    assert len({time_ordered_id() for _ in range(10_000)}) == 10_000


def test_a_new_message_gets_a_time_ordered_id() -> None:
    message = Message("c", 1, Actor("guest", "g", "Ann"), "Hi", created_at=None)  # type: ignore[arg-type]
    assert uuid.UUID(message.id).version == 7


def test_a_forked_process_makes_ids_of_its_own_random_bits() -> None:
    import os

    time_ordered_id()  # the parent has random bits left over
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, written back to the parent
        os.write(write, time_ordered_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    parent = time_ordered_id()
    assert uuid.UUID(child).int & (2**74 - 1) != uuid.UUID(parent).int & (2**74 - 1)
