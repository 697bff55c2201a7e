"""Enterprise.reviewerMatches: the enterprise equivalent of Project.reviewerMatches, for
assigning the reviewers of an enterprise certification.

The same experts query (``indexers/matching/reviewers.py``) and the same rules
(``domain/matching/reviewers.py``) run with the enterprise standing in for a project: its name
and description as the text, its green category and region. Conflicts of interest are judged
against the enterprise's own name; the open-review load counts project review assignments and
open certification reviews together, by the one load rule that ``Project.reviewerMatches``
also uses (``matching.repository.experts_at_limit`` and ``open_reviews``). One DataLoader
batch per request and ``first``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from greenrong.domain.certification.service import open_load
from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.experts.models import Expert as ExpertRow
from greenrong.domain.kit import listing
from greenrong.domain.matching import reviewers as rules
from greenrong.domain.matching.kit import Reason
from greenrong.domain.matching.repository import experts_at_limit
from greenrong.domain.matching.reviewers import ReasonCode
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


def as_project(enterprise: EnterpriseRow) -> ProjectRow:
    """A transient, never-saved stand-in: what the reviewer query reads of a project."""
    return ProjectRow(
        id=enterprise.id,
        enterprise_id=enterprise.id,
        title=enterprise.name,
        description=enterprise.description,
        green_category=enterprise.green_category,
        region_code=enterprise.region_code,
    )


#: the project wording of the shared reasons, as it reads for an enterprise
_WORDING = (("与项目业主无关联", "与申请企业无关联"), ("与项目内容相关", "与企业业务相关"))


def _for_enterprise(reason: Reason) -> Reason:
    message = reason.message
    for project_words, enterprise_words in _WORDING:
        message = message.replace(project_words, enterprise_words)
    if reason.code is ReasonCode.FIELD:
        message = message.removesuffix("项目") + "企业"
    return Reason(reason.code, message, reason.weight)


async def enterprise_reviewer_matches(
    info: Info, enterprise_id: uuid.UUID, first: int
) -> ReviewerMatches:
    size = checked_first(info, first)
    loader = info.context.loaders.get(EnterpriseReviewerMatchesLoader, info.context, size)
    return await loader.load(enterprise_id)


class EnterpriseReviewerMatchesLoader(SizedLoader[uuid.UUID, ReviewerMatches]):
    """Per enterprise id: its ranked certification reviewers, ``size`` at most."""

    async def load_batch(self, ids: Sequence[uuid.UUID]) -> list[ReviewerMatches]:
        context, size = self.context, self.size
        limit = context.settings.review_open_limit
        async with context.sessionmaker() as session:
            found = await listing.fetch_by_ids(session, EnterpriseRow, list(ids))
            busy = await experts_at_limit(session, limit=limit)
        queries = {i: ReviewerQuery(as_project(e), e.name) for i, e in found.items()}
        asked = [queries[i] for i in ids if i in queries]
        try:
            ranked = await rank_experts(context.search, asked, excluded=busy, size=size)
        except SearchUnavailableError as error:
            unavailable = SearchUnavailable(code=error.reason, message=error.message)
            return [unavailable for _ in ids]
        hits = {q.project.id: hit for q, hit in zip(asked, ranked, strict=True)}
        expert_ids = {h.id for hit in ranked for h in hit}
        async with context.sessionmaker() as session:
            experts = await listing.fetch_by_ids(
                session, ExpertRow, list(expert_ids), scope=context.loaders.scope(ExpertRow)
            )
            held = await open_load(session, list(experts))
        answers: list[ReviewerMatches] = []
        for enterprise_id in ids:
            q = queries.get(enterprise_id)
            edges: list[ReviewerMatchEdge] = []
            for hit in hits.get(enterprise_id, []):
                expert = experts.get(hit.id)
                if q is None or expert is None or len(edges) == size:
                    continue
                if (
                    rules.conflicted(expert.affiliation, q.owner_name)
                    or held.get(expert.id, 0) >= limit
                ):
                    continue
                found_reasons = rules.reasons(
                    q.project, expert, hit.matched, open_count=held.get(expert.id, 0)
                )
                edges.append(
                    ReviewerMatchEdge(
                        node=Expert.from_row(expert),
                        score=round(hit.score, 6),
                        rank=len(edges) + 1,
                        reasons=reasons_of([_for_enterprise(r) for r in found_reasons]),
                    )
                )
            answers.append(ReviewerMatchConnection(edges=edges))
        return answers
