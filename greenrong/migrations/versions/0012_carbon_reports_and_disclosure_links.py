"""carbon reports and disclosure links

``disclosure_metric_source``: which line of which stored calculation (and factor version) a
disclosure metric was filled from. ``carbon_recalc_run`` / ``carbon_recalc_result``: what a
``greenrong carbon recalc`` run found, written by the ``carbon.recalculate`` handler (in the
worker, or in the CLI's own process without a broker).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carbon_recalc_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("factor_version", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_recalc_run")),
    )
    op.create_table(
        "carbon_recalc_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("calculation_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("old_version", sa.String(length=20), nullable=False),
        sa.Column(
            "old_total",
            greenrong.domain.kit.types.ScaledDecimal(precision=20, scale=3),
            nullable=False,
        ),
        sa.Column(
            "new_total",
            greenrong.domain.kit.types.ScaledDecimal(precision=20, scale=3),
            nullable=True,
        ),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["calculation_id"],
            ["carbon_calculation.id"],
            name=op.f("fk_carbon_recalc_result_calculation_id_carbon_calculation"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["carbon_recalc_run.id"],
            name=op.f("fk_carbon_recalc_result_run_id_carbon_recalc_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carbon_recalc_result")),
        sa.UniqueConstraint(
            "run_id", "calculation_id", name=op.f("uq_carbon_recalc_result_run_id")
        ),
    )
    op.create_table(
        "disclosure_metric_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("calculation_id", sa.Uuid(), nullable=False),
        sa.Column("line_index", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "value", greenrong.domain.kit.types.ScaledDecimal(precision=20, scale=3), nullable=False
        ),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("factor_version", sa.String(length=20), nullable=False),
        sa.Column("factor_keys", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["calculation_id"],
            ["carbon_calculation.id"],
            name=op.f("fk_disclosure_metric_source_calculation_id_carbon_calculation"),
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosure.id"],
            name=op.f("fk_disclosure_metric_source_disclosure_id_disclosure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_metric_source")),
        sa.UniqueConstraint(
            "disclosure_id",
            "metric",
            "calculation_id",
            "line_index",
            name=op.f("uq_disclosure_metric_source_disclosure_id"),
        ),
    )
    with op.batch_alter_table("disclosure_metric_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_metric_source_calculation_id"),
            ["calculation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_metric_source_disclosure_id"), ["disclosure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_metric_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_metric_source_disclosure_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_metric_source_calculation_id"))

    op.drop_table("disclosure_metric_source")
    op.drop_table("carbon_recalc_result")
    op.drop_table("carbon_recalc_run")
