"""Per-request DataLoaders. Each batch opens its own short read session, so loaders running
concurrently never share an ``AsyncSession``. The sessions are read-only
(``core.db.read_sessionmaker``: on PostgreSQL in AUTOCOMMIT, one round trip a statement);
``RequestLoader`` subclasses open theirs with ``self.read()``.

Three generic loaders cover every relation: rows by id, a page of children per parent, and the
number of children per parent. Loaders for nested pages are keyed by the page's arguments, so
siblings asking for the same page are batched into one statement. A one-off relation has its
own small loader class (``get``).

Loaders live for one request, so they carry its caller: every statement they run is limited to
the rows the access policy lets that caller see (``scope``). A row the caller may not see
loads as missing (``None``), exactly like a row that does not exist.

Rows by id of the kept tables come from the process's ``RowCache`` while the database's
``rows`` revision is unchanged, the caller's row rule applied to each in Python
(``domain/kit/row_cache.py``); a caller whose rule needs SQL reads them as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from greenrong.core.db import SessionMaker, read_sessionmaker
from greenrong.domain.access import policy
from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.predicates import consenting_enterprises, row_test, to_sql
from greenrong.domain.access.principal import ANONYMOUS, Principal
from greenrong.domain.kit import listing
from greenrong.domain.kit.listing import Listing, ListQuery, Page
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.row_cache import RowCache, RowTest
from greenrong.domain.kit.types import utcnow

if TYPE_CHECKING:
    from greenrong.schema.kit.context import Context

K = TypeVar("K")
V = TypeVar("V")
C = TypeVar("C")
P = ParamSpec("P")
L = TypeVar("L", bound=DataLoader[Any, Any])


def row_scope(principal: Principal, model: type[Entity]) -> ColumnElement[bool] | None:
    """The principal's rows of ``model`` as a WHERE condition (None: every row), as of now."""
    return to_sql(model, policy.visible_rows(principal, model.entity_type), now=utcnow())


def field_scope(
    principal: Principal, model: type[Entity], field: str
) -> ColumnElement[bool] | None:
    """The rows of ``model`` whose column ``field`` the principal may read, as a WHERE
    condition (None: every row), as of now: the field rule ``listing`` filters with."""
    return to_sql(model, policy.readable_rows(principal, model.entity_type, field), now=utcnow())


class RequestLoader(DataLoader[K, V]):
    """The loader of one one-off relation: ``load_batch`` answers the keys in their order (``None``
    or ``[]`` for a miss). ``Loaders.get`` makes it once per request with the request's
    ``context``; a subclass with parameters takes them after ``context``."""

    def __init__(self, context: Context) -> None:
        super().__init__(load_fn=self.load_batch)
        self.context = context

    async def load_batch(self, keys: list[K]) -> list[V]:
        raise NotImplementedError

    def read(self) -> AsyncSession:
        """A read-only session for a batch (the request's loaders' sessionmaker)."""
        return self.context.loaders.sessionmaker()


class SizedLoader(RequestLoader[K, V]):
    """A ``RequestLoader`` of at most ``size`` items per key (a matching field's ``first``):
    one loader per size."""

    def __init__(self, context: Context, size: int) -> None:
        super().__init__(context)
        self.size = size


class Loaders:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        *,
        max_page_size: int,
        principal: Principal = ANONYMOUS,
        rows: RowCache | None = None,
    ) -> None:
        #: read-only sessions (never write through them)
        self.sessionmaker = read_sessionmaker(sessionmaker)
        self.max_page_size = max_page_size
        self.principal = principal
        #: the process's kept rows (None: every read goes to the database)
        self.rows = rows
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}

    def scope(self, model: type[Entity]) -> ColumnElement[bool] | None:
        """The caller's rows of ``model`` as a WHERE condition (None: every row), as of now."""
        return row_scope(self.principal, model)

    def scope_on(self, alias: Any, model: type[Entity]) -> ColumnElement[bool] | None:
        """``scope`` on a statement's alias of ``model`` (``aliased(model)``), for a statement
        that reads several tables at once."""
        return to_sql(alias, policy.visible_rows(self.principal, model.entity_type), now=utcnow())

    def readable(self, model: type[Entity], field: str) -> ColumnElement[bool] | None:
        """The caller's field rule (``listing.FieldRule``): where it may read ``field``."""
        return field_scope(self.principal, model, field)

    def entity(self, model: type[Entity]) -> DataLoader[uuid.UUID, Any]:
        """Rows of ``model`` by id (None for a missing id)."""

        async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
            return await self.by_id(model, ids, await self.kept_revision(model))

        return self._get(("entity", model), load)

    async def kept_revision(self, model: type[Entity]) -> int | None:
        """The revision that validates the kept rows of ``model`` for this caller, read now;
        None when its rows are read from the database (``row_rule``)."""
        if self.rows is None or self.row_rule(model) is None:
            return None
        return await self.rows.revision()

    async def by_id(
        self, model: type[Entity], ids: Sequence[uuid.UUID], revision: int | None
    ) -> list[Any]:
        """``entity``'s batch: rows of ``model`` by id, None for a missing or hidden one. From
        the kept rows at ``revision`` (``kept_revision``, read before this), or from the
        database under the caller's scope when it is None."""
        visible = self.row_rule(model)
        if revision is not None and self.rows is not None and visible is not None:
            return await self.rows.read(self.sessionmaker, model, ids, visible, revision)
        async with self.sessionmaker() as session:
            found = await listing.fetch_by_ids(session, model, ids, scope=self.scope(model))
        return [found.get(i) for i in ids]

    def row_rule(self, model: type[Entity]) -> RowTest | None:
        """The caller's row rule for ``model`` as a test of kept rows; None when its rows are
        not kept (no cache, a table not kept) or the rule needs SQL (``predicates.row_test``)."""
        if self.rows is None or not self.rows.covers(model):
            return None
        return row_test(policy.visible_rows(self.principal, model.entity_type))

    def children(
        self, of: Listing[Any], parent: InstrumentedAttribute[Any], query: ListQuery
    ) -> DataLoader[uuid.UUID, Page[Any]]:
        """A page of ``of`` rows per parent id."""

        async def load(ids: Sequence[uuid.UUID]) -> list[Page[Any]]:
            async with self.sessionmaker() as session:
                pages = await listing.fetch_child_pages(
                    session,
                    of,
                    query,
                    parent=parent,
                    parent_ids=ids,
                    max_page_size=self.max_page_size,
                    readable=self.readable,
                    scope=self.scope(of.model),
                )
            return [pages[i] for i in ids]

        return self._get(("children", of.model, parent.key, query.cache_key()), load)

    def child_counts(
        self, of: Listing[Any], parent: InstrumentedAttribute[Any], query: ListQuery
    ) -> DataLoader[uuid.UUID, int]:
        """How many ``of`` rows match per parent id."""
        where_only = ListQuery(where=query.where)

        async def load(ids: Sequence[uuid.UUID]) -> list[int]:
            async with self.sessionmaker() as session:
                counts = await listing.count_children(
                    session,
                    of,
                    where_only,
                    parent=parent,
                    parent_ids=ids,
                    readable=self.readable,
                    scope=self.scope(of.model),
                )
            return [counts[i] for i in ids]

        return self._get(("child_counts", of.model, parent.key, where_only.cache_key()), load)

    def consented(self, scope: ConsentScope) -> DataLoader[uuid.UUID, bool]:
        """Per enterprise id: whether it granted the calling institution ``scope`` consent that
        is valid now. Read per request, never cached longer: a revocation counts at once."""
        institution_id = self.principal.org_id

        async def load(ids: Sequence[uuid.UUID]) -> list[bool]:
            if institution_id is None:
                return [False for _ in ids]
            query = consenting_enterprises(institution_id, scope, utcnow())
            async with self.sessionmaker() as session:
                granted = set((await session.scalars(query)).all())
            return [i in granted for i in ids]

        return self._get(("consented", scope), load)

    def get(
        self,
        kind: Callable[Concatenate[C, P], L],
        context: C,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> L:
        """The request's loader of class ``kind`` for these arguments, made on first use as
        ``kind(context, *args, **kwargs)``.

        A one-off relation (matching, current certificate, identification, …) is one small
        ``RequestLoader`` subclass with typed keys and results, next to the field it serves
        (the shape of Phoenix's ``server/api/dataloaders``). The class and its arguments are
        the memo key, so a loader's batch function is always its class's: two fields cannot
        share a loader by a key that happens to match. ``context`` (the request's) is not part
        of the key: there is one per request, as there is one ``Loaders``.
        """
        key = (kind, args, tuple(sorted(kwargs.items())))
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = kind(context, *args, **kwargs)
        return cast(L, loader)

    def _get(self, key: Any, load: Any) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader
