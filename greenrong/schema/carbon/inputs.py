"""Inputs of the carbon mutations."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from greenrong.domain.carbon.factors import DEFAULT_VERSION
from greenrong.domain.disclosure.models import DisclosureMetric
from greenrong.schema.carbon.enums import CreditStandard


@strawberry.input(description="One activity datum: what, how much, in which unit.")
class CarbonActivityInput:
    source: str = strawberry.field(
        description="What it is: `fuel:天然气`, `electricity:purchased`, `clinker`… "
        "(docs/CARBON.md lists each model's inputs)."
    )
    value: Decimal = strawberry.field(description="The amount (not negative).")
    unit: str = strawberry.field(
        description="Its unit: t, kg, tenk_Nm3 (10⁴ Nm³), Nm3, MWh, kWh, GJ, percent, pkm…"
    )


@strawberry.input(description="A factor the reporting entity measured, replacing the default.")
class MeasuredFactorInput:
    key: str = strawberry.field(description="The factor's key, e.g. `fuel.烟煤.ncv`.")
    value: Decimal = strawberry.field(description="The measured value.")
    unit: str = strawberry.field(description="Its unit (same dimension as the default).")
    note: str = strawberry.field(default="", description="How it was measured.")


@strawberry.input(description="A model parameter.")
class CarbonParameterInput:
    name: str = strawberry.field(description="`grid` (e.g. `2022.四川`), `gwp` (SAR/AR5), `fuel`.")
    value: str = strawberry.field(description="Its value.")


@strawberry.input(description="Run a calculation and store it.")
class RunCarbonCalculationInput:
    model: str = strawberry.field(
        description="`industrial.<industry>`, `non_industrial`, `financial_institution` or "
        "`benefit.<project type>`."
    )
    year: int = strawberry.field(description="The reporting year.")
    activities: list[CarbonActivityInput] = strawberry.field(description="The activity data.")
    enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="The enterprise it is for (its account must be open)."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project it is for (benefit models)."
    )
    factor_version: str = strawberry.field(
        default=DEFAULT_VERSION, description="The factor set to use."
    )
    parameters: list[CarbonParameterInput] = strawberry.field(
        default_factory=list, description="Model parameters."
    )
    measured_factors: list[MeasuredFactorInput] = strawberry.field(
        default_factory=list, description="Measured factors replacing defaults."
    )
    accept_low_confidence: list[str] = strawberry.field(
        default_factory=list,
        description="Keys of low-confidence default factors you accept (`*` for all).",
    )


@strawberry.input(description="The enterprise whose carbon account opens or closes.")
class CarbonAccountInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")


@strawberry.input(description="Record an emission report from a stored calculation.")
class RecordCarbonEmissionInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    calculation_id: strawberry.ID = strawberry.field(description="The stored calculation.")
    revenue_10k_cny: Decimal | None = strawberry.field(default=None, description="Revenue, 万元.")
    output: Decimal | None = strawberry.field(default=None, description="Output, for intensity.")
    output_unit: str | None = strawberry.field(default=None, description="Unit of `output`.")
    note: str | None = strawberry.field(default=None, description="Note.")


@strawberry.input(description="Record a project's emission reduction.")
class RecordCarbonReductionInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    project_id: strawberry.ID = strawberry.field(description="Its project.")
    year: int = strawberry.field(description="The year.")
    amount: Decimal = strawberry.field(description="tCO2e, positive.")
    calculation_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project's stored benefit calculation."
    )
    note: str | None = strawberry.field(default=None, description="Note.")


@strawberry.input(description="Retire a credit to neutralise emissions; a serial retires once.")
class RetireCarbonCreditInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    year: int = strawberry.field(description="The year it offsets.")
    standard: CreditStandard = strawberry.field(description="CCER or forestry sink.")
    serial: str = strawberry.field(description="The credit's serial number.")
    amount: Decimal = strawberry.field(description="tCO2e, positive.")
    note: str | None = strawberry.field(default=None, description="Note.")


@strawberry.input(description="Record a third-party verification mark.")
class RecordCarbonVerificationInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    year: int = strawberry.field(description="The verified year.")
    verifier: str = strawberry.field(description="The verification body.")
    note: str | None = strawberry.field(default=None, description="Note.")


@strawberry.input(description="Correct an entry with a reversing entry (never an edit).")
class ReverseCarbonLedgerEntryInput:
    id: strawberry.ID = strawberry.field(description="The entry to reverse.")
    note: str = strawberry.field(description="Why.")


@strawberry.input(description="Fill a disclosure's metrics from stored calculations.")
class FillDisclosureFromCalculationsInput:
    disclosure_id: strawberry.ID = strawberry.field(description="The disclosure to fill.")
    version: int = strawberry.field(description="The disclosure's version you read.")
    calculation_ids: list[strawberry.ID] = strawberry.field(
        description="The disclosing enterprise's stored calculations for the disclosure's year."
    )
    metrics: list[DisclosureMetric] | None = strawberry.field(
        default=None,
        description="Only these metrics (default: every metric the calculations supply).",
    )
