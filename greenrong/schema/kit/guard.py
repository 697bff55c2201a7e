"""Field-level access: the ``Guarded`` extension on the fields the access policy names.

``policy.field_access`` decides per caller and row: the value, ``null`` (a field the role never
sees), or, for consent-gated data, the value only if the owning enterprise's consent is valid
now, else ``null`` with a ``FORBIDDEN_NO_CONSENT`` error at the field's path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.field import StrawberryField

from greenrong.core.errors import ConsentRequired
from greenrong.domain.access import policy
from greenrong.domain.access.policy import FieldAccess
from greenrong.schema.kit.context import Info


class Guarded(FieldExtension):
    """Resolve the field through the access policy (the field must be nullable)."""

    name: str

    def apply(self, field: StrawberryField) -> None:
        self.name = field.python_name

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        name = self.name
        decision = policy.field_access(info.context.principal, source.entity_type, name, source.row)
        if decision is FieldAccess.SHOW:
            return next_(source, info, **kwargs)
        if decision is FieldAccess.HIDE:
            return None
        return self._with_consent(next_, source, info, name, **kwargs)

    async def _with_consent(
        self, next_: Callable[..., Any], source: Any, info: Info, name: str, **kwargs: Any
    ) -> Any:
        enterprise_id, scope = policy.consent_needed(source.entity_type, name, source.row)
        if await info.context.loaders.consented(scope).load(enterprise_id):
            return next_(source, info, **kwargs)
        raise ConsentRequired(f"{name} needs the enterprise's {scope.value} consent")


def guarded() -> list[FieldExtension]:
    """``extensions=guarded()`` on a field the access policy guards."""
    return [Guarded()]
