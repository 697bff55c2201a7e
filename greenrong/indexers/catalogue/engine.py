"""The identification engine: a checked request in, ranked candidates out.

One function for the ``identifyGreen`` query and the worker's suggestions alike: the engine
query over the catalogue index (``queries.search``), then the domain's ranking rules and
confidence (``domain/identification/ranking``).
"""

from __future__ import annotations

from greenrong.core.search import SearchEngine
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.ranking import Candidate, rank
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.indexers.catalogue import queries


async def identify(engine: SearchEngine, request: IdentifyRequest, *, size: int) -> list[Candidate]:
    """The best ``size`` level-4 items for the request's text, best first (possibly none);
    ``SearchUnavailableError`` when the engine cannot answer."""
    hits = await queries.search(engine, request.text)
    return rank(catalogue(), request.text, hits, size=size)
