"""partners saved searches and alerts

``saved_search`` (a listing search saved for alerts, with its owner), ``saved_search_match``
(the listings each saved search matched when last checked: entering this set alerts, staying
in it does not) and ``listing_alert`` (the alerts, numbered per saved search). A webhook
delivery now carries either a change event or an alert (``alert_id``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=True),
        sa.Column("filter_input", sa.JSON(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "PAUSED",
                name="saved_search_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("last_alert_seq", sa.BigInteger(), nullable=False),
        _utc("created_at", nullable=False),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index("ix_saved_search_owner", ["owner", "created_at"], unique=False)
    op.create_table(
        "saved_search_match",
        sa.Column("saved_search_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        _utc("matched_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["technology_listing.id"],
            name=op.f("fk_saved_search_match_listing_id_technology_listing"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_search.id"],
            name=op.f("fk_saved_search_match_saved_search_id_saved_search"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "saved_search_id", "listing_id", name=op.f("pk_saved_search_match")
        ),
    )
    op.create_table(
        "listing_alert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("saved_search_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("listing_version", sa.Integer(), nullable=False),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["technology_listing.id"],
            name=op.f("fk_listing_alert_listing_id_technology_listing"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_search.id"],
            name=op.f("fk_listing_alert_saved_search_id_saved_search"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_alert")),
        sa.UniqueConstraint(
            "saved_search_id", "seq", name=op.f("uq_listing_alert_saved_search_id")
        ),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("event_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_delivery_alert_id_listing_alert"),
            "listing_alert",
            ["alert_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM webhook_delivery WHERE event_id IS NULL")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_delivery_alert_id_listing_alert"), type_="foreignkey"
        )
        batch_op.alter_column("event_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("alert_id")
    op.drop_table("listing_alert")
    op.drop_table("saved_search_match")
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_search_owner")
    op.drop_table("saved_search")
