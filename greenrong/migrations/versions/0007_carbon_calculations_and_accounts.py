"""carbon calculations and accounts

``carbon_calculation`` (a calculation as it ran: inputs, factor version, breakdown, result),
``carbon_account`` (an enterprise's own grant to record) and ``carbon_ledger_entry`` (the
append-only ledger; ``(credit_standard, credit_serial)`` unique, so a credit is retired once).
Triggers make ``carbon_calculation`` and ``carbon_ledger_entry`` append-only on both databases:
UPDATE and DELETE raise.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("PUBLIC", "ENTERPRISE", "INSTITUTION", "EXPERT", "REGULATOR", "PARTNER", "ADMIN")
APPEND_ONLY_TABLES = ("carbon_calculation", "carbon_ledger_entry")


def _time(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=nullable)


def _scaled(name: str, precision: int, scale: int, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(
        name, greenrong.domain.kit.types.ScaledDecimal(precision, scale), nullable=nullable
    )


def _append_only_up(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _append_only_down(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


def upgrade() -> None:
    op.create_table(
        "carbon_calculation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("factor_version", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        _scaled("total", 20, 3, nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        _time("created_at", nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_carbon_calculation_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_carbon_calculation_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_calculation")),
    )
    op.create_index(
        op.f("ix_carbon_calculation_enterprise_id"),
        "carbon_calculation",
        ["enterprise_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_carbon_calculation_project_id"), "carbon_calculation", ["project_id"], unique=False
    )
    op.create_table(
        "carbon_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        _time("opened_at", nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=True),
        _time("closed_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_carbon_account_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_account")),
        sa.UniqueConstraint("enterprise_id", name=op.f("uq_carbon_account_enterprise_id")),
    )
    op.create_table(
        "carbon_ledger_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "EMISSION",
                "REDUCTION",
                "OFFSET",
                "VERIFICATION",
                name="ledger_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        _scaled("amount", 20, 3, nullable=False),
        sa.Column("calculation_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column(
            "credit_standard",
            sa.Enum(
                "CCER",
                "FORESTRY",
                name="credit_standard",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("credit_serial", sa.String(length=100), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        _scaled("revenue_10k_cny", 20, 2, nullable=True),
        _scaled("output", 20, 3, nullable=True),
        sa.Column("output_unit", sa.String(length=20), nullable=True),
        sa.Column("verifier", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        _time("recorded_at", nullable=False),
        sa.Column(
            "recorded_by_role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["calculation_id"],
            ["carbon_calculation.id"],
            name=op.f("fk_carbon_ledger_entry_calculation_id_carbon_calculation"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_carbon_ledger_entry_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_carbon_ledger_entry_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["carbon_ledger_entry.id"],
            name=op.f("fk_carbon_ledger_entry_reverses_id_carbon_ledger_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_ledger_entry")),
        sa.UniqueConstraint(
            "credit_standard", "credit_serial", name=op.f("uq_carbon_ledger_entry_credit_standard")
        ),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_carbon_ledger_entry_reverses_id")),
    )
    op.create_index(
        "ix_carbon_ledger_entry_account",
        "carbon_ledger_entry",
        ["enterprise_id", "year", "recorded_at"],
        unique=False,
    )
    for table in APPEND_ONLY_TABLES:
        _append_only_up(table)


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        _append_only_down(table)
    op.drop_index("ix_carbon_ledger_entry_account", table_name="carbon_ledger_entry")
    op.drop_table("carbon_ledger_entry")
    op.drop_table("carbon_account")
    op.drop_index(op.f("ix_carbon_calculation_project_id"), table_name="carbon_calculation")
    op.drop_index(op.f("ix_carbon_calculation_enterprise_id"), table_name="carbon_calculation")
    op.drop_table("carbon_calculation")
