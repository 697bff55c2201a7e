"""Demo disclosures (ESG信息披露专区): institution and enterprise reports, evaluation results.

- FI_ENVIRONMENTAL: one 2021 report each for some institutions.
- ENTERPRISE_ENVIRONMENTAL and CSR_ESG_REPORT: one report each for some enterprises.
- ENVIRONMENTAL_EVALUATION: results for distinct (enterprise, year) pairs, 2019–2021.
Metrics are ``{key: decimal string}``; every report is published in the year after its year.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.domain.disclosure.models import DisclosureMetric as M
from greenrong.domain.finance.models import InstitutionKind
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.enterprises import EnterpriseDirectory
from greenrong.domain.seed.institutions import InstitutionDirectory
from greenrong.domain.seed.randomness import Weighted, new_uuid
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import CUTOFF, moment

_EVALUATION_YEARS = (2019, 2020, 2021)
#: (subject enterprise id, subject institution id, subject name, year, subject is a bank)
_Subject = tuple[uuid.UUID | None, uuid.UUID | None, str, int, bool]


def disclosure_rows(
    counts: dict[DisclosureKind, int],
    enterprises: EnterpriseDirectory,
    institutions: InstitutionDirectory,
    *,
    rng: random.Random,
) -> Iterator[Row]:
    words = vocabulary.texts()
    statuses = Weighted([(DisclosureStatus(s), w) for s, w in words["disclosure_statuses"]])
    grades = Weighted([(g, w) for g, w in words["evaluation_grades"]])
    for kind, count in counts.items():
        text = words["disclosures"][kind.value]
        for subject_enterprise, subject_institution, name, year, bank in _subjects(
            kind, count, enterprises, institutions, rng
        ):
            metrics, fields = _metrics(kind, rng, bank=bank)
            if kind is DisclosureKind.CSR_ESG_REPORT:
                fields["report_name"] = rng.choice(words["csr_report_names"])
            if kind is DisclosureKind.ENVIRONMENTAL_EVALUATION:
                fields["grade"] = grades(rng)
            values = {"subject": name, "year": year, **fields}
            published = moment(
                rng,
                datetime(year + 1, 1, 1, tzinfo=UTC),
                min(datetime(year + 1, 6, 30, tzinfo=UTC), CUTOFF),
            )
            yield entity_columns(new_uuid(rng), published) | {
                "subject_enterprise_id": subject_enterprise,
                "subject_institution_id": subject_institution,
                "kind": kind,
                "year": year,
                "title": text["title"].format(**values),
                "body": text["body"].format(**values),
                "metrics": metrics,
                "status": statuses(rng),
            }


def _subjects(
    kind: DisclosureKind,
    count: int,
    enterprises: EnterpriseDirectory,
    institutions: InstitutionDirectory,
    rng: random.Random,
) -> Iterator[_Subject]:
    if kind is DisclosureKind.FI_ENVIRONMENTAL:
        for i in sorted(rng.sample(range(len(institutions.ids)), count)):
            spec = institutions.specs[i]
            yield None, institutions.ids[i], spec.name, 2021, spec.kind is InstitutionKind.BANK
    elif kind is DisclosureKind.ENVIRONMENTAL_EVALUATION:
        years = len(_EVALUATION_YEARS)
        for pair in sorted(rng.sample(range(len(enterprises.ids) * years), count)):
            e, y = divmod(pair, years)
            yield enterprises.ids[e], None, enterprises.names[e], _EVALUATION_YEARS[y], False
    else:
        choices = (
            (2020, 2021) if kind is DisclosureKind.ENTERPRISE_ENVIRONMENTAL else _EVALUATION_YEARS
        )
        for e in sorted(rng.sample(range(len(enterprises.ids)), count)):
            yield enterprises.ids[e], None, enterprises.names[e], rng.choice(choices), False


def _metrics(
    kind: DisclosureKind, rng: random.Random, *, bank: bool
) -> tuple[dict[M, str], dict[str, str]]:
    """The metrics (decimal strings) and the figures the title and body mention."""
    if kind is DisclosureKind.FI_ENVIRONMENTAL:
        balance = _decimal(rng.randint(5, 1200) * (10**10 if bank else 10**8), 2)
        metrics = {
            M.GREEN_LOAN_BALANCE_CNY: balance,
            M.GREEN_LOAN_SHARE: _decimal(rng.randint(300, 2500), 4),
            M.SCOPE1_TCO2E: _decimal(rng.randint(10_000, 500_000), 2),
            M.SCOPE2_TCO2E: _decimal(rng.randint(100_000, 5_000_000), 2),
        }
        return metrics, {"green_loan": f"{Decimal(balance):,.2f}"}
    if kind is DisclosureKind.ENVIRONMENTAL_EVALUATION:
        return {M.EVALUATION_SCORE: _decimal(rng.randint(550, 990), 1)}, {}
    scope1 = _decimal(rng.randint(10_000, 50_000_000), 2)
    scope2 = _decimal(rng.randint(10_000, 20_000_000), 2)
    metrics = {M.SCOPE1_TCO2E: scope1, M.SCOPE2_TCO2E: scope2}
    if kind is DisclosureKind.ENTERPRISE_ENVIRONMENTAL:
        metrics[M.ENERGY_CONSUMPTION_TCE] = _decimal(rng.randint(10_000, 30_000_000), 2)
        metrics[M.WATER_WITHDRAWAL_T] = _decimal(rng.randint(1_000, 50_000_000), 0)
    else:
        metrics[M.EMPLOYEES] = _decimal(rng.randint(20, 20_000), 0)
        metrics[M.CHARITABLE_DONATIONS_CNY] = _decimal(rng.randint(0, 500_000_000), 2)
    return metrics, {"scope1": scope1, "scope2": scope2}


def _decimal(units: int, places: int) -> str:
    return str(Decimal(units).scaleb(-places))
