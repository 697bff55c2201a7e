"""What clients may search, filter, count and sort technology listings by."""

from __future__ import annotations

from greenrong.domain.technology.models import TechnologyDomain, TradeMode
from greenrong.indexers.kit import bands, labels
from greenrong.indexers.kit.query import (
    NEWEST,
    REGION_FACET,
    REGION_FILTER,
    RELEVANCE,
    QuerySpec,
    Range,
    RangeFacet,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)

LISTING_QUERIES = QuerySpec(
    index="listings",
    text_fields=(TextField("title", boost=3, fragments=0), TextField("description")),
    filters={
        "domain": Terms("domain"),
        "region": REGION_FILTER,
        "maturity": Range("maturity"),
        "asking_price": Range("asking_price_fen"),
        "trade_mode": Terms("trade_mode"),
        "status": Terms("status"),
    },
    facets={
        "domain": TermsFacet("domain", "技术领域", labels.of(TechnologyDomain)),
        "region": REGION_FACET,
        "maturity": RangeFacet("maturity", "成熟度", bands.MATURITY),
        "asking_price": RangeFacet("asking_price_fen", "报价", bands.MONEY),
        "trade_mode": TermsFacet("trade_mode", "交易方式", labels.of(TradeMode)),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"created_at": "desc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "price_asc": Sort(({"asking_price_fen": {"order": "asc", "missing": "_last"}},)),
        "price_desc": Sort(({"asking_price_fen": {"order": "desc", "missing": "_last"}},)),
        "maturity_desc": Sort(({"maturity": "desc"}, {"created_at": "desc"})),
    },
    suggest_field="title_suggest",
)
