"""What clients may search, filter, count and sort financial products by.

A product's regions and green categories say whom it is *open to*, so their filters ask
"does the product serve this region / category" rather than "is it in it".
"""

from __future__ import annotations

from greenrong.domain.finance.models import Collateral, InstitutionKind, ProductKind
from greenrong.domain.reference.catalog import region_chain, regions
from greenrong.indexers.kit import labels
from greenrong.indexers.kit.query import (
    NEWEST,
    RELEVANCE,
    Covers,
    Eligible,
    Flag,
    QuerySpec,
    Range,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)


def serving(code: str) -> list[str]:
    """Eligible-region codes that serve ``code``: itself, the regions around it (510000 is all
    of Sichuan) and the regions inside it (a product for one district serves part of a city)."""
    inside = [c for c in regions() if code in {r.code for r in region_chain(c)}]
    return sorted({code, *(r.code for r in region_chain(code)), *inside})


PRODUCT_QUERIES = QuerySpec(
    index="products",
    text_fields=(
        TextField("name", boost=3, fragments=0),
        TextField("institution_name", boost=2, fragments=0),
        TextField("description"),
    ),
    filters={
        "kind": Terms("kind"),
        "institution_kind": Terms("institution_kind"),
        "collateral": Terms("accepted_collateral"),
        "green_category": Eligible("eligible_green_categories"),
        "region": Terms("eligible_region_codes", expand=serving),
        "amount": Covers("min_amount_fen", "max_amount_fen"),
        "term_months": Covers("min_term_months", "max_term_months"),
        "green_level": Range("min_green_level_rank"),
        "active": Flag("active"),
    },
    facets={
        "kind": TermsFacet("kind", "产品类型", labels.of(ProductKind)),
        "institution_kind": TermsFacet("institution_kind", "机构类型", labels.of(InstitutionKind)),
        "collateral": TermsFacet("accepted_collateral", "担保方式", labels.of(Collateral)),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"created_at": "desc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "rate_asc": Sort(({"min_rate_bp": "asc"},)),
        "amount_desc": Sort(({"max_amount_fen": "desc"},)),
    },
    suggest_field="name_suggest",
)
