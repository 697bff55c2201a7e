"""Statements are reused only for row rules whose SQL cannot depend on the time."""

from __future__ import annotations

import uuid

from graphql import OperationDefinitionNode, parse
from sqlalchemy import select

from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.predicates import EVERYTHING, AnyOf, Consented, FieldIn
from greenrong.domain.enterprises.models import Enterprise
from greenrong.resolvers.compiled.cache import CompiledViews, PlanKey


def _operation() -> OperationDefinitionNode:
    operation = parse("{ enterprises { totalCount } }").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation


def _key() -> tuple[PlanKey, OperationDefinitionNode]:
    operation = _operation()
    return PlanKey.of(operation, "enterprises", {}, (20, 100)), operation


def test_statements_under_column_rules_are_kept() -> None:
    views = CompiledViews()
    key, _ = _key()
    scopes = (EVERYTHING, AnyOf((FieldIn("status", ("PUBLISHED",)), FieldIn("id", (1,)))))
    statement = select(Enterprise.id)

    views.keep_statement(key, scopes, statement)

    assert views.statement(key, scopes) is statement
    assert views.statement(key, (EVERYTHING, EVERYTHING)) is None  # another caller's rules


def test_statements_under_consent_rules_are_built_every_time() -> None:
    views = CompiledViews()
    key, _ = _key()
    consent = Consented("id", uuid.uuid4(), ConsentScope.CONTACT_DETAILS)

    views.keep_statement(key, (EVERYTHING, AnyOf((consent, EVERYTHING))), select(Enterprise.id))

    assert views.statement(key, (EVERYTHING, AnyOf((consent, EVERYTHING)))) is None


def test_a_plan_is_found_only_for_the_same_parsed_operation() -> None:
    views = CompiledViews()
    key, operation = _key()
    views.keep_plan(key, operation, None)

    assert views.plan(key, operation) is not None
    assert views.plan(key, _operation()) is None  # the same text, parsed again
