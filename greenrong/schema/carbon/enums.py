"""The carbon context's enums as GraphQL enums (labels from ``domain/reference/labels.py``)."""

from __future__ import annotations

from greenrong.domain.carbon.models import CreditStandard, LedgerKind
from greenrong.schema.kit.enums import register

register(LedgerKind, "What a carbon-account entry records.")
register(CreditStandard, "The standard of a retired emission-reduction credit.")

__all__ = ["CreditStandard", "LedgerKind"]
