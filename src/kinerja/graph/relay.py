"""Relay building blocks shared by every area: Node, connections, page info, user errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from kinerja.core import audit
from kinerja.core.errors import Conflict, DomainError, field_errors
from kinerja.core.once import conflict_from
from kinerja.core.pagination import Page
from kinerja.graph.messages import translate

T = TypeVar("T")


@strawberry.interface(description="An object with an opaque global id (Relay). Fetch any by `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id (Relay): pass it back as it is, to "
                                                     "`node(id)` or to a mutation; never parse it.")


@strawberry.type(description="Where a page of a connection lies among all pages (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More objects follow: ask again with `after: endCursor`.")
    has_previous_page: bool = strawberry.field(description="This page does not start at the first object "
                                                           "(an `after` cursor was given).")
    start_cursor: str | None = strawberry.field(description="The cursor of the first object of the page, null "
                                                            "when the page is empty.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last object of the page: pass it as "
                                                          "`after` for the next page. Null when the page is empty.")


@strawberry.type(description="One object of a page with its cursor (Relay).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque keyset cursor of this object: pass it as `after` to "
                                               "continue after it.")
    node: T = strawberry.field(description="The object.")


@strawberry.type(description="A page of results with keyset cursors (at most 100 per page).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The objects of this page with their cursors, in the "
                                                        "connection's order.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors to reach them.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The objects of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many objects match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


def connection_from_page(page: Page, convert: Callable) -> dict:
    edges = [Edge(cursor=c, node=convert(item)) for item, c in zip(page.items, page.cursors, strict=True)]
    info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )
    query = page.total_count_query

    async def count() -> int:
        return await query.count() if query is not None else len(edges)

    return dict(edges=edges, page_info=info, _count=count)


# Arguments every connection takes, and the one argument of every mutation.
First = Annotated[int | None, strawberry.argument(
    description="At most this many objects (1 to 100; more is clamped to 100).")]
After = Annotated[str | None, strawberry.argument(
    description="Start after this cursor (`pageInfo.endCursor` of the previous page); null for the first page.")]
INPUT = strawberry.argument(description="What the mutation needs, as one input object (Relay style).")


@strawberry.type(description="An expected failure of a mutation: which input field, a machine code "
                             "(BAD_USER_INPUT, NOT_FOUND, CONFLICT, FORBIDDEN, ...) and a message.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, in camelCase as sent (`year`, "
                                                     "`planId`); null when no single field is.")
    code: str = strawberry.field(description="Machine code to act on: BAD_USER_INPUT, NOT_FOUND, CONFLICT, "
                                             "FORBIDDEN.")
    message: str = strawberry.field(description="A sentence for people, in the language asked for with "
                                                "`Accept-Language` (English, or Indonesian for `id`). Never "
                                                "repeats the submitted value.")


def user_errors_field():
    """The ``userErrors`` field of a mutation payload."""
    return strawberry.field(default_factory=list, description="Expected failures; empty when the mutation "
                                                              "succeeded (and then everything it did is kept).")


def user_errors(exc: DomainError) -> list[UserError]:
    """A failure as userErrors, with messages in the request's language."""
    return [UserError(field=e.field, code=e.code, message=translate(e.message)) for e in field_errors(exc)]


NOT_RUN = ("Not run: an earlier mutation of this operation failed, and an operation is kept whole or not at "
           "all; send this one again on its own")
NOTHING_CHANGED = ("Nothing changed: this is already so (a request like this one may have just done it)")


async def run_mutation(info, payload_type, work: Callable[[], Awaitable[dict]]):
    """Run a mutation's use case; an expected failure becomes userErrors and rolls back the
    operation's transaction (nothing half-written). What it changes enters the audit trail under
    the mutation's name.

    Exactly once: the use case serialises its writes (``core/once.py``); a unique key or foreign key
    that a concurrent request got to first is CONFLICT, and so is a mutation that finds nothing to
    change (what it asks for is already so), which also leaves no audit entry. After a failed
    mutation the rest of the operation does not run: it would be rolled back with it."""
    ctx = info.context
    audit.begin(info.field_name)
    if ctx.rollback:
        return payload_type(user_errors=user_errors(Conflict(NOT_RUN)))
    before = audit.changes_so_far()
    try:
        payload = payload_type(**(await work()))
        if audit.current.get() is not None and audit.changes_so_far() == before:
            raise Conflict(NOTHING_CHANGED)
        return payload
    except DomainError as exc:
        ctx.rollback = True
        return payload_type(user_errors=user_errors(exc))
    except Exception as exc:
        conflict = conflict_from(exc)
        if conflict is None:
            raise
        ctx.rollback = True
        return payload_type(user_errors=user_errors(conflict))
