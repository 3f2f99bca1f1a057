"""The API's one pagination: limit and offset, both bounded, on every list that grows with the data.

Every such list answers `{"items": [...], "count": <all matching>}`; `limit` (1 to 500, 100 by default)
and `offset` choose the page. Nothing is cut silently: a client reads `count` and asks for the next
page. Unbounded numbers would reach the database as they are (PostgreSQL refuses an OFFSET beyond 64
bits with an error), so they are refused as invalid requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, overload

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000

M = TypeVar("M", bound=Model)


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):  # type: ignore[misc]
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Page(Sequence[Any], Generic[M]):
    """Records turned into the API's dictionaries only for the page asked for, not the whole list: the
    pagination counts with one query and slices the query set."""

    def __init__(self, records: QuerySet[M], serialise: Callable[[M], Any]) -> None:
        self.records = records
        self.serialise = serialise

    def __len__(self) -> int:
        return self.records.count()

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self.serialise(record) for record in self.records[index]]
        return self.serialise(self.records[index])
