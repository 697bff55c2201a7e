"""The access context's enums as GraphQL enums (imported by every module that uses them, so
they are registered before any annotation is resolved)."""

from __future__ import annotations

from enum import StrEnum

from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.principal import Role
from greenrong.domain.outbox.models import Operation
from greenrong.schema.kit.enums import register

register(
    Role,
    "A caller's role (docs/SECURITY.md).",
    notes={
        "PUBLIC": "no credential: published records only, no contact details",
        "ENTERPRISE": "acts for one enterprise: its own records, consent grants",
        "INSTITUTION": "acts for one financial institution: its products; consented data",
        "EXPERT": "acts for one expert: the projects assigned to it for review",
        "REGULATOR": "reads everything; writes certifications and library membership",
        "PARTNER": "a partner system: what the public sees, plus the change feed",
        "ADMIN": "everything; every write is audited",
    },
)
register(
    ConsentScope,
    "What an enterprise lets an institution see (经企业授权).",
    notes={
        "CARBON_LEDGER": "the carbon ledger",
        "DISCLOSURE_DRAFTS": "disclosures before publication",
        "FINANCING_DEMANDS": "private fields of its financing demands",
        "CONTACT_DETAILS": "its contact person and phone",
    },
)
#: the outbox's Operation, under its own GraphQL name (the change feed registers Operation)
AuditOperation = StrEnum("AuditOperation", {m.name: m.value for m in Operation})  # type: ignore[misc]
register(
    AuditOperation,
    "What a write did.",
    {"CREATE": "Created the record.", "UPDATE": "Changed it.", "DELETE": "Deleted it."},
)

__all__ = ["AuditOperation", "ConsentScope", "Role"]
