"""Relations declared once (``resolvers/relations.py``) and the one-off loaders' keys
(``Loaders.get``)."""

from __future__ import annotations

from typing import Any

from greenrong.resolvers.loaders import Loaders, RequestLoader
from greenrong.resolvers.relations import Shape, relations, root_lists
from greenrong.schema.root import schema


def test_the_schema_lists_every_relation_with_its_shape() -> None:
    # given the built schema
    graphql_schema = schema._schema

    # when its relations are walked
    found = {f"{t}.{f}": r.shape for t, f, r in relations(graphql_schema)}
    per_call = sorted(
        f"{t}.{f}"
        for t, f, r in relations(graphql_schema)
        if r.shape is not Shape.TO_ONE and r.static_listing is None
    )

    # then every relation field is there, each with its shape, and only the libraries' lists
    # (whose `open` filter is as of today) build their listing per call
    assert len(found) == 47
    assert sum(shape is Shape.ROOT for shape in found.values()) == 10
    assert sum(shape is Shape.CHILDREN for shape in found.values()) == 14
    assert sum(shape is Shape.TO_ONE for shape in found.values()) == 23
    assert found["Enterprise.projects"] is Shape.CHILDREN
    assert found["Project.enterprise"] is Shape.TO_ONE
    assert found["Certification.renews"] is Shape.TO_ONE
    assert found["Query.certifications"] is Shape.ROOT
    assert per_call == ["Enterprise.libraryMemberships", "Project.libraryMemberships"]
    assert root_lists(graphql_schema) == [
        "enterprises",
        "projects",
        "financialInstitutions",
        "financialProducts",
        "financingDemands",
        "experts",
        "technologyListings",
        "technologyNeeds",
        "disclosures",
        "certifications",
    ]


class _Scaled(RequestLoader[int, int]):
    def __init__(self, context: Any, factor: int) -> None:
        super().__init__(context)
        self.factor = factor

    async def load_batch(self, keys: list[int]) -> list[int]:
        return [k * self.factor for k in keys]


class _Shifted(RequestLoader[int, int]):
    def __init__(self, context: Any, factor: int) -> None:
        super().__init__(context)
        self.factor = factor

    async def load_batch(self, keys: list[int]) -> list[int]:
        return [k + self.factor for k in keys]


async def test_a_loader_is_kept_per_class_and_arguments_never_shared_by_a_matching_key() -> None:
    # given one request's loaders
    loaders = Loaders(sessionmaker=None, max_page_size=100)  # type: ignore[arg-type]
    context = object()

    # when two classes are asked with the same arguments, and one class twice
    scaled = loaders.get(_Scaled, context, 3)
    shifted = loaders.get(_Shifted, context, 3)

    # then each class answers with its own batch function, and the same class and arguments
    # give the same loader (one batch), other arguments another
    assert await scaled.load(7) == 21
    assert await shifted.load(7) == 10
    assert loaders.get(_Scaled, context, 3) is scaled
    assert loaders.get(_Scaled, context, factor=3) is not scaled
    assert await loaders.get(_Scaled, context, 4).load(7) == 28
