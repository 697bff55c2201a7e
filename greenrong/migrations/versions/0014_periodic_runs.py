"""periodic runs

``periodic_run``: one lease row per periodic pass (certificate expiry, the libraries refresh),
so that each runs once per period for the whole deployment however many processes compete
(``workers/schedule.py``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "last_started_at",
            greenrong.domain.kit.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "lease_until", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_run")),
    )


def downgrade() -> None:
    op.drop_table("periodic_run")
