"""What one index declares: its entity, mapping, document builder and the related rows it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.interfaces import LoaderOption

from greenrong.domain.kit.models import Entity
from greenrong.indexers.kit.fields import ANALYSIS, KEYWORD, LONG

M = TypeVar("M", bound=Entity)

#: fields every document carries; ``version`` is the entity version used for external versioning
COMMON_PROPERTIES: dict[str, Any] = {"id": KEYWORD, "version": LONG}


#: a document that denormalises a parent row is versioned ``own × SCALE + parent``, so a change to
#: either moves its external version forward (entity versions stay far below SCALE)
DEPENDENT_VERSION_SCALE = 1_000_000


@dataclass(frozen=True)
class Dependency:
    """A parent row whose fields a document copies (a product carries its institution's name)."""

    parent: type[Entity]
    #: the child's foreign key to the parent, e.g. ``FinancialProduct.institution_id``
    foreign_key: InstrumentedAttribute[Any]
    #: the relationship ``build`` reads, loaded through the spec's ``options``
    relationship: str


@dataclass(frozen=True)
class IndexSpec(Generic[M]):
    """One search index. ``name`` is logical; the engine's alias adds the deployment prefix.

    ``options`` are SQLAlchemy loader options (``selectinload(Product.institution)``) for the
    relationships ``build`` reads: relationships are ``lazy="raise"``, so a document that
    denormalises a related row's name declares here how the one source loads it.
    """

    name: str
    model: type[M]
    properties: Mapping[str, Any]
    build: Callable[[M], dict[str, Any]]
    options: tuple[LoaderOption, ...] = ()
    depends_on: Dependency | None = None

    @property
    def entity_type(self) -> str:
        return self.model.entity_type

    def body(self) -> dict[str, Any]:
        """Settings and the strict mapping for a new physical index."""
        return {
            "settings": ANALYSIS,
            "mappings": {
                "dynamic": "strict",
                "properties": {**COMMON_PROPERTIES, **self.properties},
            },
        }

    def version_of(self, row: M) -> int:
        """The document's external version (see DEPENDENT_VERSION_SCALE)."""
        if self.depends_on is None:
            return row.version
        parent: Entity = getattr(row, self.depends_on.relationship)
        return row.version * DEPENDENT_VERSION_SCALE + parent.version

    def version_query(self) -> Select[tuple[Any, Any]]:
        """``SELECT id, <document version>`` over the entity, for comparing with the index."""
        model = self.model
        if self.depends_on is None:
            return select(model.id, model.version)
        parent = self.depends_on.parent
        combined = model.version * DEPENDENT_VERSION_SCALE + parent.version
        return select(model.id, combined).join(parent, self.depends_on.foreign_key == parent.id)

    def from_row(self, row: M) -> dict[str, Any]:
        return {"id": str(row.id), "version": self.version_of(row), **self.build(row)}
