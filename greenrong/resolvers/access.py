"""Root fields of the access context: the caller, data consents, the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from greenrong.core.errors import ErrorCode, Forbidden, ValidationFailed
from greenrong.domain.access import audit, consent, policy
from greenrong.domain.access.models import AuditEntry as AuditRow
from greenrong.domain.access.principal import Role
from greenrong.resolvers.common import mutate
from greenrong.schema.access.enums import AuditOperation
from greenrong.schema.access.inputs import GrantDataConsentInput, RevokeDataConsentInput
from greenrong.schema.access.payloads import (
    DataConsentSuccess,
    GrantDataConsentPayload,
    RevokeDataConsentPayload,
)
from greenrong.schema.access.types import (
    AuditConnection,
    AuditEdge,
    AuditEntry,
    DataConsent,
    Viewer,
)
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.ids import expect_global_id, from_global_id, to_global_id
from greenrong.schema.kit.relay import After, First, PageInfo


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=strawberry.ID(str(row.id)),
        occurred_at=row.occurred_at,
        actor_role=row.actor_role,
        actor_key_id=None if row.actor_key_id is None else str(row.actor_key_id),
        actor_subject=row.actor_subject,
        entity_type=row.entity_type,
        entity_id=strawberry.ID(to_global_id(row.entity_type, row.entity_id)),
        operation=AuditOperation(row.operation.value),
        old_version=row.old_version,
        new_version=row.new_version,
        request_id=row.request_id,
    )


@strawberry.type(description="The caller and the audit log.")
class AccessQuery:
    @strawberry.field(description="Who is calling: the role and organisation the server resolved.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.of(info.context.principal)

    @strawberry.field(
        description="Every write of one record, oldest first (regulators and admins only)."
    )
    async def audit_log(
        self,
        info: Info,
        entity_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the record.")
        ],
        first: First = None,
        after: After = None,
    ) -> AuditConnection | None:
        if not policy.may_read_audit(info.context.principal):
            raise Forbidden("only regulators and admins read the audit log")
        _, pk = from_global_id(entity_id, field="entityId")
        settings = info.context.settings
        size = settings.default_page_size if first is None else first
        if not 0 <= size <= settings.max_page_size:
            raise ValidationFailed.one(
                "first",
                ErrorCode.OUT_OF_RANGE,
                f"first must be between 0 and {settings.max_page_size}",
            )
        async with info.context.sessionmaker() as session:
            page = await audit.entries_of(session, pk, first=size, after=after)
            total = await audit.count_of(session, pk)
        return AuditConnection(
            edges=[
                AuditEdge(cursor=c, node=_entry(r))
                for r, c in zip(page.entries, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=total,
        )


@strawberry.type(description="Grant and revoke data consent.")
class AccessMutation:
    @strawberry.mutation(
        description="As an enterprise, let one institution see scopes of your data until "
        "`expiresAt` (经企业授权)."
    )
    async def grant_data_consent(
        self,
        info: Info,
        input: Annotated[GrantDataConsentInput, strawberry.argument(description="The consent.")],
    ) -> GrantDataConsentPayload:
        principal = info.context.principal
        enterprise_id: uuid.UUID | None = None  # for admins: REQUIRED unless given
        if input.enterprise_id is not None:
            enterprise_id = expect_global_id(
                input.enterprise_id, "Enterprise", field="enterpriseId"
            )
        elif principal.role == Role.ENTERPRISE:
            enterprise_id = principal.org_id
        values = {
            "enterprise_id": enterprise_id,
            "institution_id": expect_global_id(
                input.institution_id, "FinancialInstitution", field="institutionId"
            ),
            "scopes": [s.value for s in input.scope],
            "expires_at": input.expires_at,
        }
        return await mutate(
            info,
            lambda session: consent.grant_consent(session, values=values),
            lambda row: DataConsentSuccess(data_consent=DataConsent.from_row(row)),
        )

    @strawberry.mutation(description="Revoke a consent; it stops counting at once.")
    async def revoke_data_consent(
        self,
        info: Info,
        input: Annotated[RevokeDataConsentInput, strawberry.argument(description="Which one.")],
    ) -> RevokeDataConsentPayload:
        id = expect_global_id(input.id, "DataConsent")
        return await mutate(
            info,
            lambda session: consent.revoke_consent(session, id=id, version=input.version),
            lambda row: DataConsentSuccess(data_consent=DataConsent.from_row(row)),
        )
