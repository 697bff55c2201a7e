"""Demo tracked matching services (对接服务): the report's 1,910 at scale 1.

Every FINANCED demand gets a FINANCED match with its product, amount and financing time, so the
tracked matches reproduce 促成融资 (¥67.19亿 and its split by year) exactly as the demands do.
The rest of the report's count are NEGOTIATING matches of MATCHED demands, chosen with a stream
of their own. MATCHED demands beyond that count (the demo has more of them than the report has
services) carry a product but no tracked match: they stand for talks that predate tracking.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from greenrong.domain.finance.models import DemandStatus
from greenrong.domain.matching.tracked import MatchStatus
from greenrong.domain.seed.randomness import new_uuid
from greenrong.domain.seed.rows import Row, entity_columns


@dataclass
class MatchSources:
    """What the match rows need of the demands, gathered while the demands stream by."""

    #: (demand, product, financed amount, submitted at, financed at)
    financed: list[tuple[uuid.UUID, uuid.UUID, Decimal, datetime, datetime]] = field(
        default_factory=list
    )
    #: (demand, product, when the demand became MATCHED)
    matched: list[tuple[uuid.UUID, uuid.UUID, datetime]] = field(default_factory=list)

    def take(self, demand: Row) -> None:
        product = demand["product_id"]
        if product is None:
            return
        if demand["status"] is DemandStatus.FINANCED:
            self.financed.append(
                (
                    demand["id"],
                    product,
                    demand["financed_amount"],
                    demand["submitted_at"],
                    demand["financed_at"],
                )
            )
        elif demand["status"] is DemandStatus.MATCHED:
            self.matched.append((demand["id"], product, demand["updated_at"]))


def match_rows(sources: MatchSources, *, services: int, rng: random.Random) -> Iterator[Row]:
    """``services`` matches in all when the demands allow: one per financed demand first."""
    for demand, product, amount, submitted, financed_at in sources.financed:
        started = submitted + (financed_at - submitted) / 3
        yield entity_columns(new_uuid(rng), started, financed_at) | {
            "demand_id": demand,
            "product_id": product,
            "status": MatchStatus.FINANCED,
            "amount": amount,
            "closed_at": financed_at,
        }
    talking = max(0, min(services - len(sources.financed), len(sources.matched)))
    for index in sorted(rng.sample(range(len(sources.matched)), talking)):
        demand, product, since = sources.matched[index]
        yield entity_columns(new_uuid(rng), since) | {
            "demand_id": demand,
            "product_id": product,
            "status": MatchStatus.NEGOTIATING,
            "amount": None,
            "closed_at": None,
        }
