"""JSON as session files hold it: compact UTF-8, written with orjson, and with the standard library
for whatever orjson refuses, so that everything that could be saved before still can be.

Every answer saves the whole session: at a few thousand answers, the standard library's encoder
took 5 ms of each save and orjson takes 0.3 ms. orjson refuses an integer beyond 64 bits (a number
typed where a question sets no maximum) and a key that is not text; those are written the old way.
Files are read with the standard library: orjson would read such an integer as a float.
"""

from __future__ import annotations

import json

import orjson

# Dates and dataclasses are not written as orjson would write them: the standard library refuses
# them, so a stray object in a session is an error, as it was, not a silent new kind of value.
OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(data: object) -> bytes:
    """Compact JSON in UTF-8 (TypeError or ValueError for what JSON cannot hold). No NaN or
    Infinity may be in ``data``: orjson writes them as null (no answer can be one)."""
    try:
        return orjson.dumps(data, option=OPTIONS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a key that is not text
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
