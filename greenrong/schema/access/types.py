from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

import strawberry

from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.principal import Principal, Role
from greenrong.schema.access.enums import AuditOperation
from greenrong.schema.kit.ids import to_global_id
from greenrong.schema.kit.relay import Node, PageInfo, RowBacked


@strawberry.type(description="Who is calling, as the server authenticated it.")
class Viewer:
    role: Role = strawberry.field(description="The caller's role.")
    org_id: strawberry.ID | None = strawberry.field(
        description="Global id of the enterprise, institution or expert it acts for."
    )
    key_id: str | None = strawberry.field(description="The API key's id, when called with one.")
    subject: str | None = strawberry.field(description="The token's subject, when called with one.")

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        org_type = {
            Role.ENTERPRISE: "Enterprise",
            Role.INSTITUTION: "FinancialInstitution",
            Role.EXPERT: "Expert",
        }.get(principal.role)
        org_id = principal.org_id
        return cls(
            role=principal.role,
            org_id=None
            if org_type is None or org_id is None
            else strawberry.ID(to_global_id(org_type, org_id)),
            key_id=None if principal.key_id is None else str(principal.key_id),
            subject=principal.subject,
        )


@strawberry.type(description="An enterprise's consent that one institution sees some of its data.")
class DataConsent(Node, RowBacked):
    entity_type = "DataConsent"
    renamed: ClassVar[dict[str, str]] = {
        "enterprise_gid": "enterprise_id",
        "institution_gid": "institution_id",
    }

    enterprise_gid: strawberry.Private[uuid.UUID]
    institution_gid: strawberry.Private[uuid.UUID]
    scopes: list[ConsentScope] = strawberry.field(description="What the institution may see.")
    expires_at: datetime.datetime = strawberry.field(description="When the consent ends (UTC).")
    revoked_at: datetime.datetime | None = strawberry.field(
        description="When the enterprise revoked it (UTC); null while in force."
    )
    created_at: datetime.datetime = strawberry.field(description="When it was granted (UTC).")
    version: int = strawberry.field(description="Edit version; pass it back when revoking.")

    @strawberry.field(description="Global id of the enterprise that granted it.")
    def enterprise_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Enterprise", self.enterprise_gid))

    @strawberry.field(description="Global id of the institution it was granted to.")
    def institution_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("FinancialInstitution", self.institution_gid))


@strawberry.type(description="One write, as the append-only audit log recorded it.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    occurred_at: datetime.datetime = strawberry.field(description="When (UTC).")
    actor_role: Role = strawberry.field(description="The writer's role.")
    actor_key_id: str | None = strawberry.field(description="The writer's API key id, if any.")
    actor_subject: str | None = strawberry.field(
        description="The writer's token subject, if any (`system` for the CLI and workers)."
    )
    entity_type: str = strawberry.field(description="Type of the record written.")
    entity_id: strawberry.ID = strawberry.field(description="Global id of the record written.")
    operation: AuditOperation = strawberry.field(description="What the write did.")
    old_version: int | None = strawberry.field(description="Version before; null for a create.")
    new_version: int = strawberry.field(description="Version after.")
    request_id: str | None = strawberry.field(description="The request that made the write.")


@strawberry.type(description="One audit entry with its cursor.")
class AuditEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the audit log, oldest first.")
class AuditConnection:
    edges: list[AuditEdge] = strawberry.field(description="The entries of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="How many entries the record has.")
