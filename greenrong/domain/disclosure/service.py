from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.disclosure.models import Disclosure, DisclosureMetric
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.kit import rules, service
from greenrong.domain.matching.leads import refresh_leads


async def validate_disclosure(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.exactly_one(issues, values, "subject_enterprise_id", "subject_institution_id")
    await rules.reference(
        issues, session, values, "subject_enterprise_id", Enterprise, required=False
    )
    await rules.reference(
        issues, session, values, "subject_institution_id", FinancialInstitution, required=False
    )
    rules.text(issues, values, "title", max_length=300)
    rules.int_range(issues, values, "year", 2000, 2100)
    for key, value in (values.get("metrics") or {}).items():
        if key not in set(DisclosureMetric):
            issues.add("metrics", ErrorCode.UNKNOWN_REFERENCE, f"unknown metric {key!r}")
            continue
        try:
            number = Decimal(value)
        except (InvalidOperation, TypeError):
            issues.add("metrics", ErrorCode.INVALID_FORMAT, f"metric {key} is not a decimal number")
            continue
        _metric(issues, DisclosureMetric(key), number)
    issues.raise_if_any()


#: the largest value of any metric, and of the metrics with a natural ceiling
METRIC_CEILING = Decimal(10) ** 15
METRIC_CEILINGS = {
    DisclosureMetric.GREEN_LOAN_SHARE: Decimal(1),
    DisclosureMetric.EVALUATION_SCORE: Decimal(100),
}
METRIC_PLACES = 4


def _metric(issues: IssueCollector, key: DisclosureMetric, number: Decimal) -> None:
    """A metric is a finite quantity from 0 to its ceiling, with at most 4 decimal places
    (a count of employees is whole)."""
    ceiling = METRIC_CEILINGS.get(key, METRIC_CEILING)
    places = 0 if key is DisclosureMetric.EMPLOYEES else METRIC_PLACES
    if not number.is_finite():
        issues.add("metrics", ErrorCode.INVALID_FORMAT, f"metric {key} must be a finite number")
    elif not Decimal(0) <= number <= ceiling:
        issues.add("metrics", ErrorCode.OUT_OF_RANGE, f"metric {key} must be from 0 to {ceiling}")
    elif _places(number) > places:
        issues.add(
            "metrics",
            ErrorCode.INVALID_FORMAT,
            f"metric {key} has more than {places} decimal places",
        )


async def create_disclosure(session: AsyncSession, *, values: Mapping[str, Any]) -> Disclosure:
    row = await service.create(session, Disclosure, values, validate=validate_disclosure)
    await refresh_leads(session, [row.subject_enterprise_id])  # its evidence of a lead
    return row


async def update_disclosure(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Disclosure:
    subject = None  # the subject it had, when the change moves it to another
    if "subject_enterprise_id" in changes and (before := await session.get(Disclosure, id)):
        subject = before.subject_enterprise_id
    row = await service.update(
        session,
        Disclosure,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_disclosure,
    )
    # the evidence of a lead, for the subject it had and the one it has
    await refresh_leads(session, [subject, row.subject_enterprise_id])
    return row


def _places(number: Decimal) -> int:
    """Decimal places without trailing zeros (1.50 has 1)."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
