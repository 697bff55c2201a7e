"""access keys consent and audit

``api_key`` (hashed API keys), ``data_consent`` (an enterprise's consent to one institution) and
``audit_entry`` (one row per write). On PostgreSQL a trigger makes ``audit_entry`` append-only:
UPDATE, DELETE and TRUNCATE raise.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("PUBLIC", "ENTERPRISE", "INSTITUTION", "EXPERT", "REGULATOR", "PARTNER", "ADMIN")


def _time(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=nullable)


def _role(name: str) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True),
        nullable=False,
    )


#: one statement each: asyncpg prepares statements, and a prepared statement holds one command
APPEND_ONLY = (
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
)


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _role("role"),
        sa.Column("org_id", sa.Uuid(), nullable=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        _time("created_at", nullable=False),
        _time("expires_at", nullable=True),
        _time("revoked_at", nullable=True),
        _time("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_key_secret_hash")),
    )
    op.create_table(
        "data_consent",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        _time("expires_at", nullable=False),
        _time("revoked_at", nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _time("created_at", nullable=False),
        _time("updated_at", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_data_consent_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["financial_institution.id"],
            name=op.f("fk_data_consent_institution_id_financial_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_consent")),
    )
    with op.batch_alter_table("data_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_consent_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_consent_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            "ix_data_consent_pair", ["institution_id", "enterprise_id"], unique=False
        )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        _time("occurred_at", nullable=False),
        _role("actor_role"),
        sa.Column("actor_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor_subject", sa.String(length=200), nullable=True),
        sa.Column("actor_org_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column(
            "operation",
            sa.Enum(
                "CREATE",
                "UPDATE",
                "DELETE",
                name="operation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("old_version", sa.Integer(), nullable=True),
        sa.Column("new_version", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entry_entity", ["entity_id", "occurred_at", "id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.drop_table("audit_entry")
    with op.batch_alter_table("data_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_data_consent_pair")
        batch_op.drop_index(batch_op.f("ix_data_consent_institution_id"))
        batch_op.drop_index(batch_op.f("ix_data_consent_enterprise_id"))
    op.drop_table("data_consent")
    op.drop_table("api_key")
