"""Demo financial institutions: the 71 named in the vocabulary, then generated branches."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from greenrong.domain.finance.models import InstitutionKind
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.names import CompanyNames
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import new_uuid
from greenrong.domain.seed.reference import Sichuan, short_place
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import PLATFORM_LAUNCH, moment

_JOINED_BY = datetime(2021, 12, 31, tzinfo=PLATFORM_LAUNCH.tzinfo)
_MAX_TRIES = 1000
_KIND_LABELS = {
    InstitutionKind.BANK: "银行业金融机构",
    InstitutionKind.INSURER: "保险机构",
    InstitutionKind.FUND: "股权投资基金",
    InstitutionKind.LEASING: "融资租赁机构",
    InstitutionKind.GUARANTEE: "融资担保机构",
    InstitutionKind.OTHER: "地方金融组织",
}


@dataclass(frozen=True, slots=True)
class InstitutionSpec:
    name: str
    kind: InstitutionKind
    region_code: str
    #: "province" serves all of Sichuan, "city" its own prefecture
    scope: str


@dataclass
class InstitutionDirectory:
    specs: list[InstitutionSpec]
    ids: list[uuid.UUID] = field(default_factory=list)


def institution_specs(
    plan: SeedPlan, rng: random.Random, sichuan: Sichuan
) -> list[InstitutionSpec]:
    """The named institutions first (per kind, in vocabulary order); generated ones past them."""
    words = vocabulary.finance()
    named = [
        InstitutionSpec(e["name"], InstitutionKind(e["kind"]), e["region"], e["scope"])
        for e in words["institutions"]
    ]
    kinds = list(dict.fromkeys(spec.kind for spec in named))
    per_kind = largest_remainder(
        plan.institutions, [sum(s.kind is k for s in named) for k in kinds]
    )
    names = CompanyNames()
    for spec in named:
        names.reserve(spec.name)
    specs: list[InstitutionSpec] = []
    for kind, wanted in zip(kinds, per_kind, strict=True):
        of_kind = [s for s in named if s.kind is kind][:wanted]
        while len(of_kind) < wanted:
            of_kind.append(_generated(kind, rng, sichuan, names))
        specs.extend(of_kind)
    return specs


def _generated(
    kind: InstitutionKind, rng: random.Random, sichuan: Sichuan, names: CompanyNames
) -> InstitutionSpec:
    """A branch (银行 支行, 保险 支公司) or a local firm; unique among all institution names."""
    words = vocabulary.finance()
    for attempt in range(_MAX_TRIES):
        prefecture = rng.choice(sichuan.prefectures)
        county = rng.choice(prefecture.counties)
        if kind.value in words["branch_parents"]:
            parent = rng.choice(words["branch_parents"][kind.value])
            # after a collision, name it after a street-like 字号 too (成都锦江天华支行)
            street = names.trade_name(rng) if attempt else ""
            place = prefecture.short + short_place(county.name) + street
            name = parent + place + words["branch_suffixes"][kind.value]
        else:
            name = (
                prefecture.short + names.trade_name(rng) + words["generated_suffixes"][kind.value]
            )
        if names.reserve(name):
            return InstitutionSpec(name, kind, county.code, "city")
    raise RuntimeError(f"ran out of unique {kind} institution names")


def institution_rows(directory: InstitutionDirectory, *, rng: random.Random) -> Iterator[Row]:
    for spec in directory.specs:
        entity_id = new_uuid(rng)
        directory.ids.append(entity_id)
        area = "全省" if spec.scope == "province" else "所在市州"
        yield entity_columns(entity_id, moment(rng, PLATFORM_LAUNCH, _JOINED_BY)) | {
            "name": spec.name,
            "kind": spec.kind,
            "region_code": spec.region_code,
            "description": (
                f"{spec.name}是入驻“绿蓉融”平台的{_KIND_LABELS[spec.kind]}，"
                f"面向{area}绿色企业和绿色项目提供金融服务。"
            ),
        }
