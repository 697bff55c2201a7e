"""data revisions

``data_revision``: one counter per named body of kept data (``domain/kit/revision_repository.py``), moved
in the transaction that changes it. The platform figures' upkeep moves ``platform_figures``;
the shared answers of ``platformStatistics`` are used again only while it is unchanged
(docs/PERFORMANCE.md). The table starts empty: a name never moved reads 0.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_revision",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_revision")),
    )


def downgrade() -> None:
    op.drop_table("data_revision")
