"""Financial products: mapping and document.

- Money is whole fen (``*_amount_fen``), rates are whole basis points (``*_rate_bp``: a rate
  of 0.0345 = 3.45 % is 345), so range filters and sorts are exact integers.
- ``eligible_green_categories`` empty means every category; ``eligible_region_codes`` holds the
  codes as stored (``510000`` is the whole province): a query for a county matches products
  eligible for that county or any enclosing region (``region_chain``).
- ``min_green_level_rank`` is ``GreenLevel.rank`` (NONE 0 … EXCELLENT_GREEN 3): an enterprise
  of level L qualifies when ``min_green_level_rank <= L.rank``.
- The institution's name is denormalised, loaded through ``selectinload`` in the one source,
  and so is its region (``institution_region_path``: the code and its ancestors), which the
  matching query uses for locality.
- ``purposes``: the green catalogue's level-4 items the product's name and description name
  (``finance_scoring.offered``; empty: a product open to any purpose). Matching ranks a product
  made for other purposes than the demand's below the open ones.
- ``amount_middle`` is the geometric middle of the amount range as a power of ten (matching
  ranks the fit of a demand's amount by its distance from it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import selectinload

from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct
from greenrong.domain.matching.finance_scoring import amount_middle, offered
from greenrong.indexers.kit.fields import (
    BOOLEAN,
    COMPLETION,
    DATE,
    DOUBLE,
    INTEGER,
    KEYWORD,
    LONG,
    basis_points,
    fen,
    ref,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import Dependency, IndexSpec


def _document(row: FinancialProduct) -> dict[str, Any]:
    return {
        "name": row.name,
        "description": row.description,
        "kind": row.kind.value,
        "institution_id": ref(row.institution_id),
        "institution_name": row.institution.name,
        "institution_kind": row.institution.kind.value,
        "institution_region_path": region_path(row.institution.region_code),
        "min_amount_fen": fen(row.min_amount),
        "max_amount_fen": fen(row.max_amount),
        "amount_middle": amount_middle(row),
        "min_term_months": row.min_term_months,
        "max_term_months": row.max_term_months,
        "min_rate_bp": basis_points(row.min_rate),
        "max_rate_bp": basis_points(row.max_rate),
        "eligible_green_categories": list(row.eligible_green_categories),
        "eligible_region_codes": list(row.eligible_region_codes),
        "accepted_collateral": list(row.accepted_collateral),
        "min_green_level": row.min_green_level.value,
        "min_green_level_rank": row.min_green_level.rank,
        "active": row.active,
        "purposes": sorted(offered(row).items),
        "created_at": timestamp(row.created_at),
        "name_suggest": {"input": [row.name]},
    }


PRODUCTS = IndexSpec(
    name="products",
    model=FinancialProduct,
    properties={
        "name": text(),
        "description": text(),
        "kind": KEYWORD,
        "institution_id": KEYWORD,
        "institution_name": text(),
        "institution_kind": KEYWORD,
        "institution_region_path": KEYWORD,
        "min_amount_fen": LONG,
        "max_amount_fen": LONG,
        "amount_middle": DOUBLE,
        "min_term_months": INTEGER,
        "max_term_months": INTEGER,
        "min_rate_bp": INTEGER,
        "max_rate_bp": INTEGER,
        "eligible_green_categories": KEYWORD,
        "eligible_region_codes": KEYWORD,
        "accepted_collateral": KEYWORD,
        "min_green_level": KEYWORD,
        "min_green_level_rank": INTEGER,
        "active": BOOLEAN,
        "purposes": KEYWORD,
        "created_at": DATE,
        "name_suggest": COMPLETION,
    },
    build=_document,
    options=(selectinload(FinancialProduct.institution),),
    depends_on=Dependency(FinancialInstitution, FinancialProduct.institution_id, "institution"),
)
