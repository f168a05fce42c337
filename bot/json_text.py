"""JSON text on the paths every message takes: orjson, and the standard library wherever they differ.

Each message was turned into JSON text three times (its outbox row, the ack, the inbox push), about a
twentieth of the server's time under load (issue 17); orjson writes the same in a tenth of the time.
A value orjson will not write (a lone surrogate, a key that is not a string, an integer wider than 64
bits, a date, a dataclass) goes to ``json.dumps``, which answers as it always did. The text differs
in spacing, in writing non-ASCII characters as themselves, and in one value no message holds: a float
that is not a number (NaN, infinity) becomes ``null``, as JSON has no such number (``json.dumps``
wrote ``NaN``, which is not JSON). Reading stays with ``json.loads``: orjson reads an integer wider
than 64 bits as a float.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_STRICT).decode()
    except TypeError:  # orjson.JSONEncodeError too
        return json.dumps(value)
