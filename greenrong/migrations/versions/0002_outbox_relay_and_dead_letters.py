"""outbox relay and dead letters

The relay's lease (``claimed_until``) and hand-over count (``attempts``) on ``change_event``,
and ``dead_letter``: entities whose indexing failed for good.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:18:26.292889
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("event_ids", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "first_failed_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_failed_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter")),
        sa.UniqueConstraint("entity_type", "entity_id", name=op.f("uq_dead_letter_entity_type")),
    )
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "claimed_until",
                greenrong.domain.kit.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("change_event", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("claimed_until")
    op.drop_table("dead_letter")
