"""platform figures

``platform_figure``: the platform statistics kept per scope, figure and key, changed in the
transactions that change the rows they count (``domain/statistics/upkeep.py``). The table starts
empty, without a scope's ``built`` marker, so the figures are recomputed until
``greenrong migrate`` (``migrations/runner.py``, after upgrading to head) builds them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_figure",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column(
            "amount",
            greenrong.domain.kit.types.ScaledDecimal(precision=30, scale=2),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("scope", "figure", "key", name=op.f("pk_platform_figure")),
    )


def downgrade() -> None:
    op.drop_table("platform_figure")
