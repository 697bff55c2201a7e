"""Root fields of the carbon context: thin glue over ``domain/carbon``.

Every read binds the caller to its session first: the carbon account's consent rules
(``domain/carbon/consent.py``) read the caller from the session.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.guard import bind_actor
from greenrong.domain.carbon import benefits, disclosures, industrial, repository, service
from greenrong.domain.carbon.engine import Activity, CalculationRequest, MeasuredFactor
from greenrong.domain.carbon.factors import DEFAULT_VERSION, available_versions, load_factor_set
from greenrong.domain.carbon.models import CarbonAccount as AccountRow
from greenrong.domain.carbon.models import CarbonLedgerEntry as EntryRow
from greenrong.domain.carbon.report import carbon_report
from greenrong.resolvers.carbon_page import page_path
from greenrong.resolvers.common import mutate
from greenrong.resolvers.loaders import RequestLoader
from greenrong.schema.carbon.inputs import (
    CarbonAccountInput,
    FillDisclosureFromCalculationsInput,
    RecordCarbonEmissionInput,
    RecordCarbonReductionInput,
    RecordCarbonVerificationInput,
    RetireCarbonCreditInput,
    ReverseCarbonLedgerEntryInput,
    RunCarbonCalculationInput,
)
from greenrong.schema.carbon.payloads import (
    CarbonAccountSuccess,
    CarbonCalculationSuccess,
    CarbonLedgerEntrySuccess,
    CloseCarbonAccountPayload,
    FillDisclosureFromCalculationsPayload,
    OpenCarbonAccountPayload,
    RecordCarbonEmissionPayload,
    RecordCarbonReductionPayload,
    RecordCarbonVerificationPayload,
    RetireCarbonCreditPayload,
    ReverseCarbonLedgerEntryPayload,
    RunCarbonCalculationPayload,
)
from greenrong.schema.carbon.types import (
    CarbonAccount,
    CarbonAccountYear,
    CarbonCalculation,
    CarbonFactorSet,
    CarbonIndustry,
    CarbonLedgerEntry,
    CarbonProjectType,
    CarbonRecheck,
    CarbonReport,
    DisclosureMetricSource,
    EnvironmentalIndicator,
)
from greenrong.schema.disclosure.payloads import DisclosureSuccess
from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.errors import MutationError
from greenrong.schema.kit.ids import expect_global_id, to_global_id

R = TypeVar("R")
T = TypeVar("T")


#: the one argument of every carbon mutation
_INPUT = strawberry.argument(description="What to record or run.")


def _optional_id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return None if value is None else expect_global_id(value, type_name, field=field)


async def _for_enterprise(
    info: Info,
    enterprise_id: strawberry.ID,
    action: Callable[[AsyncSession, uuid.UUID], Awaitable[R]],
    wrap: Callable[[R], T],
) -> T | MutationError:
    """The shape of every carbon mutation about one enterprise: decode its global id (a wrong
    one is a ``ValidationError`` on ``enterpriseId``), then run ``action`` in ``mutate``."""
    pk = expect_global_id(enterprise_id, "Enterprise", field="enterpriseId")
    return await mutate(info, lambda s: action(s, pk), wrap)


class MetricSources(RequestLoader[uuid.UUID, list[DisclosureMetricSource]]):
    """Per disclosure id: the calculation lines its metrics were filled from (one statement)."""

    async def load_batch(self, ids: Sequence[uuid.UUID]) -> list[list[DisclosureMetricSource]]:
        async with self.read() as session:
            found = await repository.metric_sources_of(session, ids)
        return [[DisclosureMetricSource.of(r) for r in found[i]] for i in ids]


async def metric_sources(info: Info, disclosure_id: uuid.UUID) -> list[DisclosureMetricSource]:
    """``Disclosure.metricSources``: one statement per request for every disclosure asked."""
    return await info.context.loaders.get(MetricSources, info.context).load(disclosure_id)


@asynccontextmanager
async def reading(info: Info) -> AsyncIterator[AsyncSession]:
    async with info.context.sessionmaker() as session:
        bind_actor(session, info.context.principal, info.context.request_id)
        yield session


def _entry(row: EntryRow) -> CarbonLedgerEntrySuccess:
    return CarbonLedgerEntrySuccess(entry=CarbonLedgerEntry.of(row))


def _account(row: AccountRow) -> CarbonAccountSuccess:
    return CarbonAccountSuccess(
        enterprise_id=strawberry.ID(to_global_id("Enterprise", row.enterprise_id)),
        open=row.closed_at is None,
    )


def _request(data: RunCarbonCalculationInput) -> CalculationRequest:
    return CalculationRequest(
        model=data.model,
        factor_version=data.factor_version,
        activities=tuple(Activity(a.source, a.value, a.unit) for a in data.activities),
        parameters={p.name: p.value for p in data.parameters},
        measured=tuple(
            MeasuredFactor(m.key, m.value, m.unit, m.note) for m in data.measured_factors
        ),
        accept_low_confidence=tuple(data.accept_low_confidence),
    )


@strawberry.type(description="Carbon accounting: factors, models, calculations, accounts.")
class CarbonQuery:
    @strawberry.field(description="The published factor set versions, oldest first.")
    def carbon_factor_versions(self) -> list[str]:
        return available_versions()

    @strawberry.field(description="One factor set, optionally only the keys with a prefix.")
    def carbon_factor_set(
        self,
        version: Annotated[
            str, strawberry.argument(description="The version (default: the current one).")
        ] = DEFAULT_VERSION,
        key_prefix: Annotated[
            str | None, strawberry.argument(description="Only keys starting with this.")
        ] = None,
    ) -> CarbonFactorSet:
        return CarbonFactorSet.of(load_factor_set(version), key_prefix)

    @strawberry.field(description="The NDRC's 24 industry guidelines and which are supported.")
    def carbon_industries(self) -> list[CarbonIndustry]:
        return [CarbonIndustry.of(i) for i in industrial.INDUSTRIES]

    @strawberry.field(description="Project types with an environmental-benefit model.")
    def carbon_project_types(self) -> list[CarbonProjectType]:
        return [CarbonProjectType.of(t) for t in benefits.PROJECT_TYPES]

    @strawberry.field(description="The 11 environmental-benefit indicators (4 not confirmed).")
    def environmental_indicators(self) -> list[EnvironmentalIndicator]:
        return [EnvironmentalIndicator.of(i) for i in benefits.INDICATORS]

    @strawberry.field(description="A stored calculation with its breakdown.")
    async def carbon_calculation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")],
    ) -> CarbonCalculation:
        pk = expect_global_id(id, "CarbonCalculation")
        async with reading(info) as session:
            check = await service.recheck(session, id=pk)
        return CarbonCalculation.of(check.calculation)

    @strawberry.field(description="Re-run a stored calculation and compare its result.")
    async def carbon_recheck(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")],
        factor_version: Annotated[
            str | None,
            strawberry.argument(description="Another factor set (default: the one it used)."),
        ] = None,
    ) -> CarbonRecheck:
        pk = expect_global_id(id, "CarbonCalculation")
        async with reading(info) as session:
            return CarbonRecheck.of(
                await service.recheck(session, id=pk, factor_version=factor_version)
            )

    @strawberry.field(
        description="An enterprise's carbon account: the enterprise itself, or an institution "
        "with its valid CARBON_LEDGER consent."
    )
    async def carbon_account(
        self,
        info: Info,
        enterprise_id: Annotated[
            strawberry.ID, strawberry.argument(description="The enterprise's global id.")
        ],
    ) -> CarbonAccount:
        pk = expect_global_id(enterprise_id, "Enterprise", field="enterpriseId")
        async with reading(info) as session:
            entries = await service.ledger(session, enterprise_id=pk)
        return CarbonAccount(
            enterprise_id=enterprise_id,
            years=[CarbonAccountYear.of(y) for y in service.account_years(entries)],
            entries=[CarbonLedgerEntry.of(e) for e in entries],
        )

    @strawberry.field(
        description="The carbon report of one enterprise-year: the breakdown, totals by source "
        "and by year, the ledger, and the URL of its page (the same rules as `carbonAccount`)."
    )
    async def carbon_report(
        self,
        info: Info,
        enterprise_id: Annotated[
            strawberry.ID, strawberry.argument(description="The enterprise's global id.")
        ],
        year: Annotated[int, strawberry.argument(description="The reporting year.")],
    ) -> CarbonReport:
        pk = expect_global_id(enterprise_id, "Enterprise", field="enterpriseId")
        async with reading(info) as session:
            report = await carbon_report(session, enterprise_id=pk, year=year)
        return CarbonReport.of(report, page_path(pk, year))


@strawberry.type(description="Run calculations and record the carbon account.")
class CarbonMutation:
    @strawberry.mutation(description="Run a calculation and store it with its breakdown.")
    async def run_carbon_calculation(
        self,
        info: Info,
        input: Annotated[RunCarbonCalculationInput, _INPUT],
    ) -> RunCarbonCalculationPayload:
        enterprise = _optional_id(input.enterprise_id, "Enterprise", "enterpriseId")
        project = _optional_id(input.project_id, "Project", "projectId")
        request = _request(input)
        return await mutate(
            info,
            lambda s: service.store_calculation(
                s, request=request, year=input.year, enterprise_id=enterprise, project_id=project
            ),
            lambda row: CarbonCalculationSuccess(calculation=CarbonCalculation.of(row)),
        )

    @strawberry.mutation(description="As the enterprise, open your carbon account (经企业授权).")
    async def open_carbon_account(
        self,
        info: Info,
        input: Annotated[CarbonAccountInput, _INPUT],
    ) -> OpenCarbonAccountPayload:
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.open_account(s, enterprise_id=pk),
            _account,
        )

    @strawberry.mutation(
        description="As the enterprise, close your account: nothing more is recorded."
    )
    async def close_carbon_account(
        self,
        info: Info,
        input: Annotated[CarbonAccountInput, _INPUT],
    ) -> CloseCarbonAccountPayload:
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.close_account(s, enterprise_id=pk),
            _account,
        )

    @strawberry.mutation(description="Record an emission report from a stored calculation.")
    async def record_carbon_emission(
        self,
        info: Info,
        input: Annotated[RecordCarbonEmissionInput, _INPUT],
    ) -> RecordCarbonEmissionPayload:
        calc = expect_global_id(input.calculation_id, "CarbonCalculation", field="calculationId")
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.record_emission(
                s,
                enterprise_id=pk,
                calculation_id=calc,
                revenue_10k_cny=input.revenue_10k_cny,
                output=input.output,
                output_unit=input.output_unit,
                note=input.note,
            ),
            _entry,
        )

    @strawberry.mutation(description="Record a project's emission reduction.")
    async def record_carbon_reduction(
        self,
        info: Info,
        input: Annotated[RecordCarbonReductionInput, _INPUT],
    ) -> RecordCarbonReductionPayload:
        project = expect_global_id(input.project_id, "Project", field="projectId")
        calc = _optional_id(input.calculation_id, "CarbonCalculation", "calculationId")
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.record_reduction(
                s,
                enterprise_id=pk,
                year=input.year,
                amount=input.amount,
                project_id=project,
                calculation_id=calc,
                note=input.note,
            ),
            _entry,
        )

    @strawberry.mutation(description="Retire a CCER or forestry credit; each serial once only.")
    async def retire_carbon_credit(
        self,
        info: Info,
        input: Annotated[RetireCarbonCreditInput, _INPUT],
    ) -> RetireCarbonCreditPayload:
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.retire_credit(
                s,
                enterprise_id=pk,
                year=input.year,
                standard=input.standard,
                serial=input.serial,
                amount=input.amount,
                note=input.note,
            ),
            _entry,
        )

    @strawberry.mutation(description="Record a third-party verification mark for a year.")
    async def record_carbon_verification(
        self,
        info: Info,
        input: Annotated[RecordCarbonVerificationInput, _INPUT],
    ) -> RecordCarbonVerificationPayload:
        return await _for_enterprise(
            info,
            input.enterprise_id,
            lambda s, pk: service.record_verification(
                s, enterprise_id=pk, year=input.year, verifier=input.verifier, note=input.note
            ),
            _entry,
        )

    @strawberry.mutation(description="Correct an entry with a reversing entry.")
    async def reverse_carbon_ledger_entry(
        self,
        info: Info,
        input: Annotated[ReverseCarbonLedgerEntryInput, _INPUT],
    ) -> ReverseCarbonLedgerEntryPayload:
        pk = expect_global_id(input.id, "CarbonLedgerEntry")
        return await mutate(
            info, lambda s: service.reverse_entry(s, id=pk, note=input.note), _entry
        )

    @strawberry.mutation(
        description="Fill a disclosure's scope 1, scope 2 and reduction metrics from the "
        "disclosing enterprise's stored calculations, linking each metric to its lines."
    )
    async def fill_disclosure_from_calculations(
        self,
        info: Info,
        input: Annotated[FillDisclosureFromCalculationsInput, _INPUT],
    ) -> FillDisclosureFromCalculationsPayload:
        pk = expect_global_id(input.disclosure_id, "Disclosure", field="disclosureId")
        calcs = [
            expect_global_id(c, "CarbonCalculation", field="calculationIds")
            for c in input.calculation_ids
        ]
        return await mutate(
            info,
            lambda s: disclosures.fill_from_calculations(
                s,
                disclosure_id=pk,
                version=input.version,
                calculation_ids=calcs,
                metrics=input.metrics,
            ),
            lambda row: DisclosureSuccess(disclosure=Disclosure.from_row(row)),
        )
