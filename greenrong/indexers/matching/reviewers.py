"""Project → reviewer experts: one query per project over the experts index (flat).

- ``must_not``: experts at the open-review limit (their ids, from the database) and experts
  whose affiliation is exactly the owner's name; the normalised comparison of
  ``reviewers.conflicted`` runs again on the rows, so looser spellings are caught too (the
  query asks for a margin of extra hits for that);
- ``should``, named: the expert's field suits the project's category (``field.keyword``), each
  domain term of the project's text in specialties, field or bio, BM25 of the text, and the
  expert's prefecture (which only adds to a fit, never makes one).

Several projects go in one ``_msearch`` (the DataLoader's batch). Weights: ``REVIEWER_WEIGHTS``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greenrong.core.search import SearchEngine
from greenrong.domain.matching import reviewers as rules
from greenrong.domain.matching.kit import prefecture, term_name
from greenrong.domain.matching.reviewers import REVIEWER_WEIGHTS, ReviewerWeights
from greenrong.domain.projects.models import Project
from greenrong.indexers.experts.queries import EXPERT_QUERIES
from greenrong.indexers.kit.query import _call
from greenrong.indexers.matching.technology import (
    RankedHit,
    domain_terms,
    matched_names,
    search_failure,
)

INDEX = EXPERT_QUERIES.index
TEXT_FIELDS = ["specialties^2", "field", "bio"]
#: extra hits asked for, to replace experts the row check drops
MARGIN = 10


@dataclass(frozen=True)
class ReviewerQuery:
    project: Project
    owner_name: str


def body(
    q: ReviewerQuery,
    *,
    excluded: Sequence[uuid.UUID],
    size: int,
    w: ReviewerWeights = REVIEWER_WEIGHTS,
) -> dict[str, Any]:
    text = rules.project_text(q.project)
    should: list[dict[str, Any]] = [
        {
            "constant_score": {
                "filter": {
                    "terms": {
                        "field.keyword": list(rules.CATEGORY_FIELDS[q.project.green_category])
                    }
                },
                "boost": w.field,
                "_name": rules.FIELD,
            }
        }
    ]
    for typed, alternatives in domain_terms(text):
        should.append(
            {
                "dis_max": {
                    "queries": [
                        {
                            "constant_score": {
                                "filter": {
                                    "multi_match": {
                                        "query": alternative,
                                        "fields": ["specialties", "field", "bio"],
                                        "type": "phrase",
                                    }
                                },
                                "boost": w.domain_term,
                                "_name": term_name(typed),
                            }
                        }
                        for alternative in alternatives
                    ]
                }
            }
        )
    if text.strip():
        should.append(
            {
                "multi_match": {
                    "query": " ".join(text.split()),
                    "fields": TEXT_FIELDS,
                    "boost": w.text,
                    "_name": rules.TEXT,
                }
            }
        )
    nearby: list[dict[str, Any]] = []
    where = prefecture(q.project.region_code)
    if where is not None:
        nearby.append(
            {
                "constant_score": {
                    "filter": {"term": {"region_path": where}},
                    "boost": w.same_prefecture,
                    "_name": rules.SAME_PREFECTURE,
                }
            }
        )
    must_not: list[dict[str, Any]] = [{"term": {"affiliation.keyword": q.owner_name}}]
    if excluded:
        must_not.append({"ids": {"values": [str(i) for i in excluded]}})
    return {
        "query": {
            "bool": {
                # fit by field or content is required; the place only adds to it
                "must": [{"bool": {"should": should, "minimum_should_match": 1}}],
                "should": nearby,
                "must_not": must_not,
            }
        },
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "track_scores": True,
        "size": size + MARGIN,
        "_source": False,
    }


async def rank_experts(
    engine: SearchEngine,
    queries: Sequence[ReviewerQuery],
    *,
    excluded: Sequence[uuid.UUID],
    size: int,
    w: ReviewerWeights = REVIEWER_WEIGHTS,
) -> list[list[RankedHit]]:
    """Candidate experts per project, best first (``size`` plus a margin), in one round trip."""
    if not queries or size <= 0:
        return [[] for _ in queries]
    alias = engine.alias(INDEX)
    searches: list[dict[str, Any]] = []
    for q in queries:
        searches += [{"index": alias}, body(q, excluded=excluded, size=size, w=w)]
    answer = await _call(engine.client.msearch(body=searches))
    found: list[list[RankedHit]] = []
    for response in answer["responses"]:
        if "error" in response:
            raise search_failure(response)
        found.append(
            [
                RankedHit(
                    id=uuid.UUID(str(h["_id"])),
                    score=float(h["_score"] or 0.0),
                    matched=frozenset(matched_names(h.get("matched_queries"))),
                )
                for h in response["hits"]["hits"]
            ]
        )
    return found
