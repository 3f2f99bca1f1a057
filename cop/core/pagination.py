"""The API's one pagination: limit and offset, both bounded.

Unbounded numbers would reach the database as they are (PostgreSQL refuses an
OFFSET beyond 64 bits with an error), so they are refused as invalid requests.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):  # type: ignore[misc]
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
