"""partners feed webhooks saved searches

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feed_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_counter")),
    )
    op.create_table(
        "webhook_fanout",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_fanout")),
    )
    op.execute("INSERT INTO feed_counter (id, last_position) VALUES (1, 0)")
    op.execute("INSERT INTO webhook_fanout (id, last_position) VALUES (1, 0)")
    op.create_table(
        "feed_entry",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        _utc("published_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["change_event.id"],
            name=op.f("fk_feed_entry_event_id_change_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_feed_entry")),
        sa.UniqueConstraint("position", name=op.f("uq_feed_entry_position")),
    )
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_entry_type_position", ["entity_type", "position"], unique=False
        )
    # events written before this revision enter the feed too (numbered by the first publish)
    op.execute(
        "INSERT INTO feed_entry (event_id, entity_type) SELECT id, entity_type FROM change_event"
    )

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("entity_types", sa.JSON(), nullable=False),
        sa.Column("secrets", sa.JSON(), nullable=False),
        _utc("previous_secrets_until", nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ENABLED",
                "DISABLED",
                name="endpoint_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "SUCCEEDED",
                "FAILED",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _utc("next_attempt_at", nullable=True),
        _utc("created_at", nullable=False),
        _utc("finished_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoint.id"],
            name=op.f("fk_webhook_delivery_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["change_event.id"],
            name=op.f("fk_webhook_delivery_event_id_change_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_delivery_endpoint", ["endpoint_id", "created_at"], unique=False
        )
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        _utc("attempted_at", nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_delivery.id"],
            name=op.f("fk_webhook_attempt_delivery_id_webhook_delivery"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempt")),
    )
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempt_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempt_delivery_id"))
    op.drop_table("webhook_attempt")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_endpoint")
        batch_op.drop_index("ix_webhook_delivery_due")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_endpoint")
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_entry_type_position")
    op.drop_table("feed_entry")
    op.drop_table("webhook_fanout")
    op.drop_table("feed_counter")
