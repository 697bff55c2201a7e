"""Demo technology listings (mostly owned by enterprises) and technology needs."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.enterprises import EnterpriseDirectory
from greenrong.domain.seed.institutions import InstitutionDirectory
from greenrong.domain.seed.randomness import Weighted, dealt, new_uuid
from greenrong.domain.seed.reference import Sichuan
from greenrong.domain.seed.rows import Row, entity_columns, wan
from greenrong.domain.seed.timeline import CUTOFF, PLATFORM_LAUNCH, day, moment
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)

_ENTERPRISE_OWNED = 0.85
_NEEDS_FROM = datetime(2021, 1, 1, tzinfo=UTC)


def listing_rows(
    count: int,
    enterprises: EnterpriseDirectory,
    institutions: InstitutionDirectory,
    *,
    rng: random.Random,
    sichuan: Sichuan,
) -> Iterator[Row]:
    words = vocabulary.technology()
    domains = _domains(count, rng)
    maturity = Weighted([(m, w) for m, w in words["maturity_weights"]])
    modes = Weighted([(TradeMode(m), w) for m, w in words["trade_modes"]])
    statuses = Weighted([(ListingStatus(s), w) for s, w in words["listing_statuses"]])
    for domain in domains:
        vocab = words["domains"][domain.value]
        core = rng.choice(vocab["cores"])
        owner_enterprise: uuid.UUID | None = None
        owner_institution: uuid.UUID | None = None
        if rng.random() < _ENTERPRISE_OWNED or not institutions.ids:
            owner = rng.randrange(len(enterprises.ids))
            owner_enterprise = enterprises.ids[owner]
            region_code = enterprises.layout.regions[owner]
            joined = enterprises.created[owner]
        else:
            owner = rng.randrange(len(institutions.ids))
            owner_institution = institutions.ids[owner]
            region_code = institutions.specs[owner].region_code
            joined = PLATFORM_LAUNCH
        level = maturity(rng)
        stage = (
            "已完成工程示范"
            if level >= 7
            else "处于中试和示范阶段"
            if level >= 4
            else "处于实验室研发阶段"
        )
        created = moment(rng, joined, CUTOFF)
        yield entity_columns(new_uuid(rng), created) | {
            "owner_enterprise_id": owner_enterprise,
            "owner_institution_id": owner_institution,
            "title": rng.choice(words["qualifiers"]) + core + rng.choice(words["suffixes"]),
            "description": (
                f"{core}技术，适用于{rng.choice(vocab['scenarios'])}，"
                f"{rng.choice(vocab['effects'])}。目前{stage}，"
                f"已在{sichuan.regions[region_code].full_name}等地开展应用推广。"
            ),
            "domain": domain,
            "maturity": level,
            "trade_mode": modes(rng),
            "asking_price": wan(rng.randint(10, 2000)) if rng.random() < 0.6 else None,
            "region_code": region_code,
            "status": statuses(rng),
        }


def need_rows(
    count: int, enterprises: EnterpriseDirectory, *, rng: random.Random, sichuan: Sichuan
) -> Iterator[Row]:
    words = vocabulary.technology()
    texts = vocabulary.texts()
    for domain in _domains(count, rng):
        vocab = words["domains"][domain.value]
        core = rng.choice(vocab["cores"])
        owner = rng.randrange(len(enterprises.ids))
        region_code = enterprises.layout.regions[owner]
        created = moment(rng, max(_NEEDS_FROM, enterprises.created[owner]), CUTOFF)
        columns = entity_columns(new_uuid(rng), created)
        yield columns | {
            "enterprise_id": enterprises.ids[owner],
            "title": rng.choice(texts["need_titles"]).format(core=core),
            "description": rng.choice(texts["need_bodies"]).format(
                enterprise=enterprises.names[owner],
                place=sichuan.regions[region_code].full_name,
                scenario=rng.choice(vocab["scenarios"]),
                core=core,
            ),
            "domain": domain,
            "budget": wan(rng.randint(5, 500)) if rng.random() < 0.7 else None,
            "min_maturity": _min_maturity(columns["id"]),
            "region_code": region_code,
            "deadline": day(rng, date(2022, 6, 30), date(2023, 12, 31)),
            "status": NeedStatus.OPEN if rng.random() < 0.85 else NeedStatus.CLOSED,
        }


def _min_maturity(need_id: uuid.UUID) -> int | None:
    """Half the needs ask for a minimum readiness level (our assumption). Drawn from a stream
    of its own, seeded by the need's id, so adding the column left every other value as it was."""
    return random.Random(need_id.int).choice((None, None, None, 4, 5, 6))


def _domains(count: int, rng: random.Random) -> list[TechnologyDomain]:
    mix = vocabulary.technology()["domains_per_1000"]
    counts = largest_remainder(count, [w for _, w in mix])
    return dealt(rng, [(TechnologyDomain(d), n) for (d, _), n in zip(mix, counts, strict=True)])
