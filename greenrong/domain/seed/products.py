"""Demo financial products: vocabulary templates, offered by institutions of the right kind."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from greenrong.domain.finance.models import InstitutionKind, ProductKind
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.institutions import InstitutionDirectory
from greenrong.domain.seed.matching import ProductTerms
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import new_uuid
from greenrong.domain.seed.reference import PROVINCE, Sichuan, prefecture_of
from greenrong.domain.seed.rows import Row, entity_columns, wan
from greenrong.domain.seed.timeline import PLATFORM_LAUNCH, moment
from greenrong.domain.seed.vocabulary import ProductTemplate

_RATE_STEP = Decimal("0.0005")
_LAUNCHED_BY = datetime(2022, 3, 31, tzinfo=PLATFORM_LAUNCH.tzinfo)


def product_rows(
    plan: SeedPlan,
    institutions: InstitutionDirectory,
    *,
    rng: random.Random,
    sichuan: Sichuan,
    catalogue: list[ProductTerms],
) -> Iterator[Row]:
    """``plan.products`` rows, split over the templates by weight; appends to ``catalogue``."""
    templates = vocabulary.finance()["products"]
    counts = largest_remainder(plan.products, [t["weight"] for t in templates])
    offerers = _Offerers(institutions, rng)
    for template, count in zip(templates, counts, strict=True):
        for _ in range(count):
            yield _product(
                template,
                offerers.next(template["institution_kinds"]),
                rng,
                sichuan,
                institutions,
                catalogue,
            )


class _Offerers:
    """Deals institutions of the wanted kinds round-robin, so every one gets products."""

    def __init__(self, institutions: InstitutionDirectory, rng: random.Random) -> None:
        self._rng = rng
        self._kinds = [spec.kind for spec in institutions.specs]
        self._queues: dict[tuple[str, ...], list[int]] = {}

    def next(self, kinds: list[str]) -> int:
        key = tuple(kinds)
        queue = self._queues.get(key)
        if not queue:
            wanted = {InstitutionKind(k) for k in kinds}
            queue = [i for i, kind in enumerate(self._kinds) if kind in wanted]
            if not queue:  # a small scale may lack the kind: fall back to banks, then anyone
                queue = [i for i, kind in enumerate(self._kinds) if kind is InstitutionKind.BANK]
                queue = queue or list(range(len(self._kinds)))
            self._rng.shuffle(queue)
            self._queues[key] = queue
        return queue.pop()


def _product(
    template: ProductTemplate,
    offerer: int,
    rng: random.Random,
    sichuan: Sichuan,
    institutions: InstitutionDirectory,
    catalogue: list[ProductTerms],
) -> Row:
    spec = institutions.specs[offerer]
    low_wan, high_wan = template["amount_wan"]
    min_wan = max(1, int(low_wan * rng.choice((0.5, 1, 1, 2))))
    max_wan = max(min_wan, int(high_wan * rng.choice((0.5, 1, 1, 1.5, 2))))
    low_rate, high_rate = (Decimal(r) for r in template["rate"])
    min_rate = low_rate + _RATE_STEP * rng.randint(0, 4)
    max_rate = max(min_rate, high_rate - _RATE_STEP * rng.randint(0, 4))
    min_term, max_term = template["term_months"]
    if spec.scope == "province" and rng.random() < 0.75:
        regions = [PROVINCE]
    elif spec.scope == "province":
        regions = sorted(p.code for p in rng.sample(sichuan.prefectures, rng.randint(1, 3)))
    else:
        regions = [prefecture_of(spec.region_code)]
    entity_id = new_uuid(rng)
    kind = ProductKind(template["kind"])
    min_level = GreenLevel(template["min_level"])
    catalogue.append(
        ProductTerms(
            id=entity_id,
            kind=kind,
            regions=tuple(regions),
            categories=frozenset(GreenCategory(c) for c in template["categories"]),
            min_level_rank=min_level.rank,
            min_amount=wan(min_wan),
            max_amount=wan(max_wan),
            min_term_months=min_term,
            max_term_months=max_term,
            min_rate=min_rate,
            collateral=tuple(template["collateral"]),
        )
    )
    return entity_columns(entity_id, moment(rng, PLATFORM_LAUNCH, _LAUNCHED_BY)) | {
        "institution_id": institutions.ids[offerer],
        "name": template["name"],
        "kind": kind,
        "min_amount": wan(min_wan),
        "max_amount": wan(max_wan),
        "min_term_months": min_term,
        "max_term_months": max_term,
        "min_rate": min_rate,
        "max_rate": max_rate,
        "eligible_green_categories": list(template["categories"]),
        "eligible_region_codes": regions,
        "accepted_collateral": list(template["collateral"]),
        "min_green_level": min_level,
        "description": f"{template['description']}由{spec.name}提供。",
        "active": rng.random() < 0.92,
    }
