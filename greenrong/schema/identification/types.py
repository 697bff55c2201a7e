"""Candidates of ``identifyGreen``, their statistics, and the suggestion stored on a project."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from greenrong.domain.access.principal import Role
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.models import GreenIdentification as IdentificationRow
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.identification.statistics import ClimateInvestmentType, statistics_mapping
from greenrong.schema.access import enums as _access_enums  # noqa: F401  (registers Role)
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.enums import register
from greenrong.schema.kit.errors import ValidationError
from greenrong.schema.search.types import SearchUnavailable

register(
    IdentificationStatus,
    "Where a stored suggestion stands in its review.",
    notes={
        "SUGGESTED": "made by the engine, not reviewed yet",
        "ACCEPTED": "a reviewer accepted the suggested code",
        "CORRECTED": "a reviewer set another code (see `corrections`)",
    },
)

CONFIDENCE = (
    "Confidence in [0, 1]: the strength of the evidence (1 − 2^(−score/6); 0.5 ≈ one distinctive "
    "term) times the share against the other candidates (0.5 + 0.5 × score/Σscores). Ordered "
    "like the ranking; a heuristic, not a calibrated probability (docs/IDENTIFICATION.md)."
)


@strawberry.type(description="One level of the catalogue above a level-4 item.")
class CatalogueLevel:
    level: int = strawberry.field(description="1, 2 or 3.")
    code: str = strawberry.field(description="The catalogue code, e.g. 3.2.2.")
    name: str = strawberry.field(description="The Chinese name.")


@strawberry.type(description="A category with its number or code and name.")
class NamedCategory:
    key: str = strawberry.field(description="The number or code.")
    name: str = strawberry.field(description="The Chinese name.")


@strawberry.type(description="An environmental-benefit indicator of 绿色融资统计制度.")
class BenefitIndicator:
    key: str = strawberry.field(description="Stable key, e.g. co2e_reduced.")
    name: str = strawberry.field(description="The Chinese name.")
    unit: str = strawberry.field(description="The unit it is reported in.")
    confirmed: bool = strawberry.field(
        description="False for the four placeholders of the 11 indicators (not found in a source)."
    )


@strawberry.type(description="The PBoC carbon-reduction tool (碳减排支持工具) for this item.")
class PbocToolEligibility:
    eligible: bool = strawberry.field(description="Whether the item is in one of its areas.")
    area: NamedCategory | None = strawberry.field(
        description="CE 清洁能源, EE 节能环保 or CT 碳减排技术; null when not eligible."
    )
    refinanceable_amount: Decimal | None = strawberry.field(
        description="The part of a loan of the request's `amount` the tool refinances (60 % of "
        "the principal, CNY); null without an amount or when not eligible."
    )


@strawberry.type(
    description="What a level-4 item counts toward. The lists are from their sources; which "
    "item maps to which value is our assumption (docs/IDENTIFICATION.md)."
)
class GreenStatistics:
    green_loan_category: NamedCategory = strawberry.field(
        description="绿色信贷统计制度 (2013) project category, number 1-12."
    )
    emerging_industry: str | None = strawberry.field(
        description="Strategic emerging industry loan line for manufacturing items, if any."
    )
    pboc_green_loan_category: str = strawberry.field(
        description="PBoC green loan special statistics: the item's level-1 category."
    )
    benefit_indicators: list[BenefitIndicator] = strawberry.field(
        description="Environmental-benefit indicators (绿色融资统计制度) the item reports."
    )
    pboc_tool: PbocToolEligibility = strawberry.field(
        description="PBoC carbon-reduction tool eligibility."
    )
    climate_type: ClimateInvestmentType = strawberry.field(
        description="Mitigation, adaptation, both, none."
    )
    climate_scope: list[NamedCategory] = strawberry.field(
        description="The support-scope strands (MIT-1…MIT-5, ADA-1, ADA-2; our own keys)."
    )
    rules: list[str] = strawberry.field(
        description="The mapping rules (code prefixes) that gave these values, general first."
    )


def statistics_of(code: str, amount: Decimal | None) -> GreenStatistics:
    mapping = statistics_mapping()
    stats = mapping.of(code)
    area = stats.pboc_area
    return GreenStatistics(
        green_loan_category=NamedCategory(
            key=stats.green_loan_category.key, name=stats.green_loan_category.name
        ),
        emerging_industry=stats.emerging_industry,
        pboc_green_loan_category=stats.pboc_green_loan_category,
        benefit_indicators=[
            BenefitIndicator(key=b.key, name=b.name, unit=b.unit, confirmed=b.confirmed)
            for b in stats.benefit_indicators
        ],
        pboc_tool=PbocToolEligibility(
            eligible=area is not None,
            area=None if area is None else NamedCategory(key=area.key, name=area.name),
            refinanceable_amount=mapping.refinanceable(code, amount),
        ),
        climate_type=stats.climate_type,
        climate_scope=[NamedCategory(key=s.key, name=s.name) for s in stats.climate_scope],
        rules=list(stats.rules),
    )


def _path(code: str) -> list[CatalogueLevel]:
    return [CatalogueLevel(level=p.level, code=p.code, name=p.name) for p in catalogue().path(code)]


@strawberry.type(description="One ranked candidate item for a description.")
class GreenCandidate:
    rank: int = strawberry.field(description="Position, from 1.")
    code: str = strawberry.field(description="The level-4 code of the 2021 green bond catalogue.")
    name: str = strawberry.field(description="The item's Chinese name.")
    path: list[CatalogueLevel] = strawberry.field(description="Levels 1 to 3 above it, top first.")
    confidence: float = strawberry.field(description=CONFIDENCE)
    matched_terms: list[str] = strawberry.field(
        description="The terms of the description that matched the item (as written there)."
    )
    statistics: GreenStatistics = strawberry.field(description="What the item counts toward.")


@strawberry.type(description="The ranked candidates for a description.")
class GreenIdentificationResult:
    candidates: list[GreenCandidate] = strawberry.field(
        description="Best first; empty when nothing in the catalogue matches."
    )
    engine_version: str = strawberry.field(
        description="The catalogue, mapping and ranking versions that produced the answer."
    )


IdentifyGreenResult = Annotated[
    GreenIdentificationResult | ValidationError | SearchUnavailable,
    strawberry.union(
        "IdentifyGreenResult",
        description="The candidates, a ValidationError (nothing was run), or SearchUnavailable.",
    ),
]


@strawberry.type(description="A correction a reviewer made to a project's identification.")
class GreenIdentificationCorrection:
    from_code: str | None = strawberry.field(description="The code before the correction.")
    to_code: str = strawberry.field(description="The code set by the correction.")
    reason: str = strawberry.field(description="Why the reviewer corrected it.")
    actor_role: Role = strawberry.field(description="The reviewer's role.")
    corrected_at: datetime.datetime = strawberry.field(description="When (UTC).")


@strawberry.type(
    description="The engine's suggestion for a project's current or an earlier description, "
    "and its review."
)
class ProjectGreenIdentification:
    row: strawberry.Private[IdentificationRow]

    @strawberry.field(description="The suggested level-4 code; null when nothing matched.")
    def suggested_code(self) -> str | None:
        return self.row.code

    @strawberry.field(description=CONFIDENCE)
    def confidence(self) -> float:
        return float(self.row.confidence)

    @strawberry.field(description="The top codes in rank order, the suggestion first.")
    def candidates(self) -> list[str]:
        return list(self.row.candidates)

    @strawberry.field(description="The terms of the description that matched the suggestion.")
    def matched_terms(self) -> list[str]:
        return list(self.row.matched_terms)

    @strawberry.field(description="Review status.")
    def status(self) -> IdentificationStatus:
        return self.row.status

    @strawberry.field(
        description="The code in force: the accepted or corrected one, else the suggestion."
    )
    def code(self) -> str | None:
        return self.row.final_code or self.row.code

    @strawberry.field(description="What the code in force counts toward; null without a code.")
    def statistics(self) -> GreenStatistics | None:
        code = self.row.final_code or self.row.code
        return None if code is None else statistics_of(code, None)

    @strawberry.field(description="The project version the suggestion was made for.")
    def project_version(self) -> int:
        return self.row.project_version

    @strawberry.field(description="The catalogue, mapping and ranking versions that made it.")
    def engine_version(self) -> str:
        return self.row.engine_version

    @strawberry.field(description="When the engine made the suggestion (UTC).")
    def suggested_at(self) -> datetime.datetime:
        return self.row.created_at

    @strawberry.field(description="When it was last reviewed (UTC); null before any review.")
    def reviewed_at(self) -> datetime.datetime | None:
        return self.row.reviewed_at

    @strawberry.field(description="Every correction of this suggestion, oldest first.")
    async def corrections(self, info: Info) -> list[GreenIdentificationCorrection]:
        from greenrong.resolvers.identification import corrections_of

        return await corrections_of(info, self.row.id)


@strawberry.type(description="A (from, to) pair of corrections and how often it was made.")
class CorrectionCount:
    from_code: str | None = strawberry.field(description="The code that was corrected.")
    to_code: str = strawberry.field(description="The code it was corrected to.")
    count: int = strawberry.field(description="How many corrections.")


@strawberry.type(description="How the engine's suggestions fared in review.")
class IdentificationStatistics:
    suggested: int = strawberry.field(description="Suggestions stored on projects, all versions.")
    accepted: int = strawberry.field(description="Suggestions accepted as they were.")
    corrected: int = strawberry.field(description="Suggestions whose code a reviewer changed.")
    corrections: int = strawberry.field(
        description="Corrections made (one may be corrected again)."
    )
    top_corrections: list[CorrectionCount] = strawberry.field(
        description="The most frequent corrections, most frequent first."
    )
