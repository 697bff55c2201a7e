"""Project.reviewerMatches: thin glue over ``domain/matching/reviewers.py`` and the experts
query (``indexers/matching/reviewers.py``), batched per request by a DataLoader keyed by
``first``: one SELECT of projects and owners, one of experts at the limit, one ``_msearch``,
one SELECT of the experts and one of their open reviews, whatever the number of projects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.experts.models import Expert as ExpertRow
from greenrong.domain.kit import listing
from greenrong.domain.matching import repository
from greenrong.domain.matching import reviewers as rules
from greenrong.domain.projects.models import Project as ProjectRow
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.indexers.matching.reviewers import ReviewerQuery, rank_experts
from greenrong.resolvers.loaders import SizedLoader
from greenrong.resolvers.matching_technology import checked_first
from greenrong.schema.experts.types import Expert
from greenrong.schema.kit.context import Info
from greenrong.schema.matching.reasons import reasons_of
from greenrong.schema.matching.reviewers import (
    ReviewerMatchConnection,
    ReviewerMatchEdge,
)
from greenrong.schema.search.types import SearchUnavailable

ReviewerMatches = ReviewerMatchConnection | SearchUnavailable


async def reviewer_matches(info: Info, project_id: uuid.UUID, first: int) -> ReviewerMatches:
    size = checked_first(info, first)
    loader = info.context.loaders.get(ReviewerMatchesLoader, info.context, size)
    return await loader.load(project_id)


class ReviewerMatchesLoader(SizedLoader[uuid.UUID, ReviewerMatches]):
    """Per project id: its ranked reviewers, ``size`` at most (one search per batch)."""

    async def load_batch(self, project_ids: Sequence[uuid.UUID]) -> list[ReviewerMatches]:
        context, size = self.context, self.size
        limit = context.settings.review_open_limit
        async with context.sessionmaker() as session:
            rows = await session.execute(
                select(ProjectRow, EnterpriseRow.name)
                .join(EnterpriseRow, EnterpriseRow.id == ProjectRow.enterprise_id)
                .where(ProjectRow.id.in_(list(project_ids)))
            )
            queries = {p.id: ReviewerQuery(p, owner) for p, owner in rows}
            busy = await repository.experts_at_limit(session, limit=limit)
        asked = [queries[i] for i in project_ids if i in queries]
        try:
            ranked = await rank_experts(context.search, asked, excluded=busy, size=size)
        except SearchUnavailableError as error:
            unavailable = SearchUnavailable(code=error.reason, message=error.message)
            return [unavailable for _ in project_ids]
        hits = {q.project.id: found for q, found in zip(asked, ranked, strict=True)}
        ids = {h.id for found in ranked for h in found}
        async with context.sessionmaker() as session:
            experts = await listing.fetch_by_ids(
                session, ExpertRow, list(ids), scope=context.loaders.scope(ExpertRow)
            )
            held = await repository.open_reviews(session, experts)
        answers: list[ReviewerMatches] = []
        for project_id in project_ids:
            q = queries.get(project_id)
            edges: list[ReviewerMatchEdge] = []
            for hit in hits.get(project_id, []):
                expert = experts.get(hit.id)
                if q is None or expert is None or len(edges) == size:
                    continue
                # checked on the row: a normalised conflict, or a limit reached since
                if (
                    rules.conflicted(expert.affiliation, q.owner_name)
                    or held.get(expert.id, 0) >= limit
                ):
                    continue
                edges.append(
                    ReviewerMatchEdge(
                        node=Expert.from_row(expert),
                        score=round(hit.score, 6),
                        rank=len(edges) + 1,
                        reasons=reasons_of(
                            rules.reasons(
                                q.project, expert, hit.matched, open_count=held.get(expert.id, 0)
                            )
                        ),
                    )
                )
            answers.append(ReviewerMatchConnection(edges=edges))
        return answers
