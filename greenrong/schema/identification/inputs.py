"""Inputs of the identification fields."""

from __future__ import annotations

from decimal import Decimal

import strawberry


@strawberry.input(description="A project description to identify against the 2021 catalogue.")
class IdentifyGreenInput:
    text: str = strawberry.field(
        description="The project's description (title and text), at most 5,000 characters."
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description="The loan or investment amount in CNY, not negative. It does not change the "
        "ranking; it gives `pbocTool.refinanceableAmount`.",
    )
    region_code: str | None = strawberry.field(
        default=None,
        description="A Sichuan GB/T 2260 region code. It is checked, and does not change the "
        "ranking or the statistics (the catalogue and the tool apply nationwide).",
    )


@strawberry.input(description="Accept the engine's current suggestion for a project.")
class AcceptGreenIdentificationInput:
    project_id: strawberry.ID = strawberry.field(description="The project's global id.")


@strawberry.input(description="Set a project's identification to another level-4 code.")
class CorrectGreenIdentificationInput:
    project_id: strawberry.ID = strawberry.field(description="The project's global id.")
    code: str = strawberry.field(description="A level-4 code of the 2021 catalogue, e.g. 5.3.1.1.")
    reason: str = strawberry.field(description="Why the suggestion is wrong (kept with it).")
