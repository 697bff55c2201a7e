"""feed consumers

``feed_consumer``: the feed position (and a lease) of each consumer of the change feed besides
indexing: saved-search alerts and identification suggestions, each with its own actor. Both
start at the current head: what was published before was handled by the indexing handler.
``dead_letter`` gets the consumer it belongs to (indexing is ``search``) and ``requeued_at``.

Revision ID: 0015
Revises: 0014 (on merge with main: 0014, whose 0013 and 0014 were written meanwhile)
Create Date: 2026-12-07 09:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0015"
#: main has 0013 (webhook token owner) and 0014 (periodic runs) since this branch began: this
#: revision follows 0014 once merged there
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSUMERS = ("alerts", "identification")


def upgrade() -> None:
    op.create_table(
        "feed_consumer",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column(
            "leased_until", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_consumer")),
    )
    for name in CONSUMERS:
        op.execute(
            "INSERT INTO feed_consumer (name, position) "
            f"SELECT '{name}', last_position FROM feed_counter WHERE id = 1"
        )
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consumer", sa.String(length=40), server_default="search", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "requeued_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.drop_constraint("uq_dead_letter_entity_type", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_dead_letter_consumer"), ["consumer", "entity_type", "entity_id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM dead_letter WHERE consumer <> 'search'")
    with op.batch_alter_table("dead_letter", schema=None) as batch_op:
        batch_op.drop_constraint("uq_dead_letter_consumer", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_dead_letter_entity_type"), ["entity_type", "entity_id"]
        )
        batch_op.drop_column("requeued_at")
        batch_op.drop_column("consumer")
    op.drop_table("feed_consumer")
