"""Payloads of the carbon mutations: the saved row, or why nothing changed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.carbon.types import CarbonCalculation, CarbonLedgerEntry
from greenrong.schema.disclosure.payloads import DisclosureSuccess
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The stored calculation.")
class CarbonCalculationSuccess:
    calculation: CarbonCalculation = strawberry.field(description="As stored, with its breakdown.")


@strawberry.type(description="The carbon account's state after the change.")
class CarbonAccountSuccess:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    open: bool = strawberry.field(description="Whether entries can be recorded.")


@strawberry.type(description="The recorded entry.")
class CarbonLedgerEntrySuccess:
    entry: CarbonLedgerEntry = strawberry.field(description="As recorded.")


RunCarbonCalculationPayload = Annotated[
    CarbonCalculationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RunCarbonCalculationPayload", description="The stored calculation, or why not."
    ),
]
OpenCarbonAccountPayload = Annotated[
    CarbonAccountSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("OpenCarbonAccountPayload", description="The opened account, or why not."),
]
CloseCarbonAccountPayload = Annotated[
    CarbonAccountSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("CloseCarbonAccountPayload", description="The closed account, or why not."),
]
RecordCarbonEmissionPayload = Annotated[
    CarbonLedgerEntrySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("RecordCarbonEmissionPayload", description="The entry, or why not."),
]
RecordCarbonReductionPayload = Annotated[
    CarbonLedgerEntrySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("RecordCarbonReductionPayload", description="The entry, or why not."),
]
RetireCarbonCreditPayload = Annotated[
    CarbonLedgerEntrySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RetireCarbonCreditPayload",
        description="The entry, or why not (ALREADY_RETIRED: the serial was retired before).",
    ),
]
RecordCarbonVerificationPayload = Annotated[
    CarbonLedgerEntrySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("RecordCarbonVerificationPayload", description="The entry, or why not."),
]
ReverseCarbonLedgerEntryPayload = Annotated[
    CarbonLedgerEntrySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "ReverseCarbonLedgerEntryPayload", description="The reversing entry, or why not."
    ),
]
FillDisclosureFromCalculationsPayload = Annotated[
    DisclosureSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "FillDisclosureFromCalculationsPayload",
        description="The disclosure with its filled metrics, or why nothing changed.",
    ),
]
