"""Glue for ``FinancingDemand.productMatches`` and ``FinancialProduct.demandMatches``.

Forward: the demand is the row its ``FinancingDemand`` was built from (the node, a page of
demands); its enterprise and project come through the DataLoaders, and so does the ranking
(``ProductRankings``: the demands of one request share one ``_msearch``,
``indexers/matching/finance.py``); the hits' rows come through the DataLoader, and the service
checks each again with the Python rules and explains it.
Reverse: one service call (``domain/matching/finance.py``), with the caller.

Both views give the rules only what the caller may read of the demand
(``policy.withheld_fields``, docs/SECURITY.md "Matching"); the forward view asks the same
per-request consent loader as the demand's guarded fields.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greenrong.core.errors import ErrorCode, NotFound, ValidationFailed
from greenrong.domain.access import policy
from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.predicates import consenting_enterprises
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.finance.models import FinancialProduct as ProductRow
from greenrong.domain.finance.models import FinancingDemand as DemandRow
from greenrong.domain.kit.row_cache import RowCache, RowTest
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching import finance as service
from greenrong.domain.matching import finance_repository
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.finance_repository import Parties
from greenrong.domain.matching.finance_rules import borrower
from greenrong.domain.matching.kit import Reason
from greenrong.domain.projects.models import Project as ProjectRow
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.indexers.matching.finance import (
    ProductRanking,
    RankingRequest,
    domain_terms,
    rank_products_many,
)
from greenrong.resolvers.loaders import Loaders, RequestLoader
from greenrong.schema.finance.types import FinancialProduct, FinancingDemand
from greenrong.schema.kit.context import Info
from greenrong.schema.matching.finance import (
    DemandMatchConnection,
    DemandMatchEdge,
    ProductMatchConnection,
    ProductMatchEdge,
    ProductNearMiss,
)
from greenrong.schema.matching.reasons import MatchReason
from greenrong.schema.search.types import SearchUnavailable


def _size(info: Info, first: int) -> int:
    limit = info.context.settings.max_page_size
    if not 0 <= first <= limit:
        raise ValidationFailed.one(
            "first", ErrorCode.OUT_OF_RANGE, f"first must be between 0 and {limit}"
        )
    return first


def _reasons(found: list[Reason]) -> list[MatchReason]:
    return [MatchReason(code=r.code.value, message=r.message, weight=r.weight) for r in found]


async def product_matches(
    info: Info, demand: DemandRow, *, first: int, include_near_misses: bool
) -> ProductMatchConnection | SearchUnavailable:
    """``demand`` is the row its ``FinancingDemand`` was built from: the caller's, loaded
    within its scope (the node, a page of demands)."""
    size = _size(info, first)
    loaders = info.context.loaders
    # the enterprise, the project and what the caller may read: side by side, each loader
    # batch (the request's demands') in its own read session, one round trip each
    enterprise, project, withheld = await asyncio.gather(
        loaders.entity(EnterpriseRow).load(demand.enterprise_id),
        _project(info, demand),
        _withheld(info, demand),
    )
    if enterprise is None:
        raise NotFound("Enterprise", demand.enterprise_id)
    b = borrower(demand, enterprise, on=info.context.clock.today(), withheld=withheld)
    text = service.demand_text(demand, project, withheld=withheld)
    request = RankingRequest(b, text, size, size if include_near_misses else 0)
    try:
        ranked = await loaders.get(ProductRankings, info.context).load(request)
    except SearchUnavailableError as error:
        return SearchUnavailable(code=error.reason, message=error.message)

    ranking, products = ranked.ranking, ranked.products
    near_hits = [(rule, hit) for rule, hits in ranking.near_misses.items() for hit in hits]
    edges = [
        ProductMatchEdge(
            node=FinancialProduct.from_row(m.product),
            score=m.score,
            rank=m.rank,
            reasons=_reasons(m.reasons),
        )
        for m in service.checked_matches(b, ranking.hits, products)
    ]
    near_misses = None
    if include_near_misses:
        near_misses = [
            ProductNearMiss(
                node=FinancialProduct.from_row(m.product),
                rule=m.rule,
                message=m.message,
                score=m.score,
            )
            for m in service.checked_near_misses(b, near_hits, products, limit=size)
        ]
    return ProductMatchConnection(
        total_count=ranking.total,
        edges=edges,
        near_misses=near_misses,
        unchecked_rules=_in_rule_order(b.unchecked),
    )


@dataclass(frozen=True)
class RankedProducts:
    ranking: ProductRanking
    #: the rows of the batch's hits (ranked and near misses) the caller sees, by id
    products: dict[uuid.UUID, ProductRow]


class ProductRankings(RequestLoader[RankingRequest, RankedProducts]):
    """The rankings of the request's demands (a page of them under ``financingDemands``): one
    ``_msearch`` a batch, one body per demand, then at once the rows of every hit of the batch
    (one statement, through the product row loader, in the caller's scope). A demand whose
    search failed gets its error.

    When the products are kept rows for this caller, the revision that validates them
    (``Loaders.kept_revision``) is read while the search runs (it only has to be read before
    the rows are: ``domain/kit/row_cache.py``), so on PostgreSQL its round trip costs no time
    of its own."""

    async def load_batch(self, keys: Sequence[RankingRequest]) -> list[RankedProducts]:
        loaders = self.context.loaders
        rankings, revision = await asyncio.gather(
            rank_products_many(self.context.search, keys), loaders.kept_revision(ProductRow)
        )
        ids = list(
            dict.fromkeys(
                hit.id
                for ranking in rankings
                if isinstance(ranking, ProductRanking)
                for hits in (ranking.hits, *ranking.near_misses.values())
                for hit in hits
            )
        )
        if revision is None:
            # through the row loader: a product another batch of the request read is not read
            # again
            rows = await loaders.entity(ProductRow).load_many(ids)
        else:
            rows = await loaders.by_id(ProductRow, ids, revision)
            loaders.entity(ProductRow).prime_many(dict(zip(ids, rows, strict=True)))
        products = {row.id: row for row in rows if row is not None}
        found: list[Any] = [  # the DataLoader raises an error value
            RankedProducts(ranking, products) if isinstance(ranking, ProductRanking) else ranking
            for ranking in rankings
        ]
        return found


class DemandsWithParties(RequestLoader[uuid.UUID, DemandRow | None]):
    """Demands by id with their enterprises and projects in one statement
    (``finance_repository.demands_with_parties``, each table within the caller's scope as its
    row loader reads it), primed into the row loaders: ``node(id:)`` asks it for a demand whose
    ``productMatches`` are selected, so the enterprise and project the ranking needs are
    already there when the field runs (one database round trip before the search, not two).
    For an institution, the same statement tells whether each demand's enterprise consents to
    it (the demand's consent-gated fields), primed into the consent loaders: the values
    ``Loaders.consented`` would read, as of the same statement.

    A caller whose row rules for the three tables are decided by the rows themselves, and who
    needs no consent, reads them from the process's kept rows instead (``_kept``, at one
    revision read for the three): no statement at all while nothing changed."""

    async def load_batch(self, keys: Sequence[uuid.UUID]) -> list[DemandRow | None]:
        loaders = self.context.loaders
        principal = loaders.principal
        gates: list[tuple[str, ConsentScope]] = []
        if principal.role == Role.INSTITUTION and principal.org_id is not None:
            gates = sorted(
                {
                    (private.owner, private.scope)
                    for (kind, _), private in policy.PRIVATE_FIELDS.items()
                    if kind == DemandRow.entity_type
                }
            )
        rules = _party_rules(loaders)
        if not gates and loaders.rows is not None and rules is not None:
            return await self._kept(keys, loaders.rows, rules)
        now = utcnow()
        async with self.read() as session:
            found = await finance_repository.demands_with_parties(
                session,
                keys,
                scope=loaders.scope_on,
                consents=[
                    (owner, consenting_enterprises(principal.org_id, scope, now))
                    for owner, scope in gates
                    if principal.org_id is not None
                ],
            )
        enterprises, projects = loaders.entity(EnterpriseRow), loaders.entity(ProjectRow)
        for (demand, enterprise, project), consented in found.values():
            enterprises.prime(demand.enterprise_id, enterprise)
            if demand.project_id is not None:
                projects.prime(demand.project_id, project)
            for (owner, scope), granted in zip(gates, consented, strict=True):
                loaders.consented(scope).prime(getattr(demand, owner), granted)
        loaders.entity(DemandRow).prime_many({i: parties[0] for i, (parties, _) in found.items()})
        return [found[i][0][0] if i in found else None for i in keys]

    async def _kept(
        self, keys: Sequence[uuid.UUID], cache: RowCache, rules: tuple[RowTest, RowTest, RowTest]
    ) -> list[DemandRow | None]:
        """The demands through the kept rows: a demand kept with its enterprise and project at
        the current revision costs no statement; the others are read with their parties, whole,
        in the one statement of the SQL path (under no caller's rule) and kept. The caller's
        rules then decide each row as the statement's scopes would."""
        revision = await cache.revision()
        parties: dict[uuid.UUID, Parties] = {}
        for demand in cache.get(DemandRow, keys, revision).values():
            kept = _kept_parties(cache, demand, revision)
            if kept is not None:
                parties[demand.id] = kept
        missing = [i for i in keys if i not in parties]
        if missing:
            async with self.read() as session:
                found = await finance_repository.demands_with_parties(
                    session, missing, scope=lambda alias, model: None
                )
            for read, _ in found.values():
                parties[read[0].id] = read
                cache.put(DemandRow, [read[0]], revision)
                cache.put(EnterpriseRow, [read[1]] if read[1] else [], revision)
                cache.put(ProjectRow, [read[2]] if read[2] else [], revision)
        demand_rule, enterprise_rule, project_rule = rules
        loaders = self.context.loaders
        demands: list[DemandRow | None] = []
        for i in keys:
            found_parties = parties.get(i)
            if found_parties is None or not demand_rule(found_parties[0]):
                demands.append(None)
                continue
            demand, enterprise, project = found_parties
            demands.append(demand)
            loaders.entity(DemandRow).prime(demand.id, demand)
            loaders.entity(EnterpriseRow).prime(
                demand.enterprise_id,
                enterprise if enterprise and enterprise_rule(enterprise) else None,
            )
            if demand.project_id is not None:
                loaders.entity(ProjectRow).prime(
                    demand.project_id, project if project and project_rule(project) else None
                )
        return demands


def _kept_parties(cache: RowCache, demand: DemandRow, revision: int) -> Parties | None:
    """The demand with its enterprise and project, all kept at ``revision``; None when one
    of them is not."""
    enterprises = cache.get(EnterpriseRow, [demand.enterprise_id], revision)
    if not enterprises:
        return None
    if demand.project_id is None:
        return demand, enterprises[demand.enterprise_id], None
    projects = cache.get(ProjectRow, [demand.project_id], revision)
    if not projects:
        return None
    return demand, enterprises[demand.enterprise_id], projects[demand.project_id]


def _party_rules(loaders: Loaders) -> tuple[RowTest, RowTest, RowTest] | None:
    """The caller's row rules of a demand, its enterprise and its project as tests of kept
    rows; None when one of them needs SQL."""
    demand, enterprise, project = (
        loaders.row_rule(model) for model in (DemandRow, EnterpriseRow, ProjectRow)
    )
    if demand is None or enterprise is None or project is None:
        return None
    return demand, enterprise, project


async def _project(info: Info, demand: DemandRow) -> ProjectRow | None:
    if demand.project_id is None:
        return None
    project: ProjectRow | None = await info.context.loaders.entity(ProjectRow).load(
        demand.project_id
    )
    return project


async def _withheld(info: Info, demand: DemandRow) -> frozenset[str]:
    """The demand's private fields the caller may not read now (the consent loader is the one
    the guarded fields use, so a field read and a match in one request agree)."""
    principal, loaders = info.context.principal, info.context.loaders
    granted = {
        (enterprise_id, scope)
        for enterprise_id, scope in policy.consents_deciding(principal, "FinancingDemand", demand)
        if await loaders.consented(scope).load(enterprise_id)
    }
    return policy.withheld_fields(
        principal,
        "FinancingDemand",
        demand,
        consented=lambda enterprise_id, scope: (enterprise_id, scope) in granted,
    )


def _in_rule_order(rules: frozenset[EligibilityRule]) -> list[EligibilityRule]:
    return [rule for rule in EligibilityRule if rule in rules]


async def demand_matches(info: Info, product_id: uuid.UUID, *, first: int) -> DemandMatchConnection:
    size = _size(info, first)
    async with info.context.sessionmaker() as session:
        matches, total = await service.demand_matches(
            session,
            principal=info.context.principal,
            product_id=product_id,
            first=size,
            on=info.context.clock.today(),
            terms=domain_terms,
        )
    return DemandMatchConnection(
        total_count=total,
        edges=[
            DemandMatchEdge(
                node=FinancingDemand.from_row(m.demand),
                score=m.score,
                rank=m.rank,
                reasons=_reasons(m.reasons),
                unchecked_rules=_in_rule_order(m.unchecked),
            )
            for m in matches
        ],
    )
