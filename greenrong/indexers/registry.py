"""Every search index, by entity type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greenrong.indexers.catalogue.document import CATALOGUE
from greenrong.indexers.disclosures.document import DISCLOSURES
from greenrong.indexers.enterprises.document import ENTERPRISES
from greenrong.indexers.experts.document import EXPERTS
from greenrong.indexers.kit.reference import ReferenceIndexSpec
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.listings.document import LISTINGS
from greenrong.indexers.needs.document import NEEDS
from greenrong.indexers.products.document import PRODUCTS
from greenrong.indexers.projects.document import PROJECTS

INDEXES: dict[str, IndexSpec[Any]] = {
    spec.entity_type: spec
    for spec in (LISTINGS, NEEDS, PRODUCTS, EXPERTS, DISCLOSURES, ENTERPRISES, PROJECTS)
}

#: indices of reference data (built from packaged data files, not from tables), by name
REFERENCE_INDEXES: dict[str, ReferenceIndexSpec] = {spec.name: spec for spec in (CATALOGUE,)}


class UnknownIndex(ValueError):
    """A name that is not one of the indices."""


def index_names() -> list[str]:
    return [spec.name for spec in INDEXES.values()] + list(REFERENCE_INDEXES)


def by_name(name: str) -> IndexSpec[Any]:
    """The index called ``name`` (``listings``, ``products`` …)."""
    for spec in INDEXES.values():
        if spec.name == name:
            return spec
    raise UnknownIndex(f"unknown index {name!r}; the indices are {', '.join(index_names())}")


def select_indexes(names: Sequence[str]) -> list[IndexSpec[Any]]:
    """The named table indices in the order given (duplicates dropped), or all of them for
    none; reference index names are accepted and left to ``select_reference_indexes``."""
    if not names:
        return list(INDEXES.values())
    return [by_name(name) for name in dict.fromkeys(names) if name not in REFERENCE_INDEXES]


def select_reference_indexes(names: Sequence[str]) -> list[ReferenceIndexSpec]:
    """The named reference indices (all of them for none)."""
    if not names:
        return list(REFERENCE_INDEXES.values())
    return [REFERENCE_INDEXES[name] for name in dict.fromkeys(names) if name in REFERENCE_INDEXES]
