from __future__ import annotations

import datetime

import strawberry

from greenrong.schema.access.enums import ConsentScope


@strawberry.input(description="Consent that one institution sees some of an enterprise's data.")
class GrantDataConsentInput:
    institution_id: strawberry.ID = strawberry.field(description="The institution's id.")
    scope: list[ConsentScope] = strawberry.field(description="What it may see.")
    expires_at: datetime.datetime = strawberry.field(
        description="When the consent ends (with a time zone; in the future)."
    )
    enterprise_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The granting enterprise: defaults to the caller's; admins must give it.",
    )


@strawberry.input(description="Revoke a consent; it stops counting at once.")
class RevokeDataConsentInput:
    id: strawberry.ID = strawberry.field(description="The consent's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
