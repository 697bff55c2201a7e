"""matching technology deals and reviews

Tracked matching services (``financing_match``, ``technology_deal``), review assignments
(``review_assignment``) and the lowest maturity a technology need accepts
(``technology_need.min_maturity``, 1–9 or none).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _status(name: str, *values: str) -> sa.Column[object]:
    return sa.Column(
        "status",
        sa.Enum(*values, name=name, native_enum=False, create_constraint=True),
        nullable=False,
    )


def _money(name: str) -> sa.Column[object]:
    return sa.Column(
        name, greenrong.domain.kit.types.ScaledDecimal(precision=18, scale=2), nullable=True
    )


def _time(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "review_assignment",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        _status("review_status", "OPEN", "DONE"),
        _time("assigned_at", nullable=False),
        _time("completed_at", nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_review_assignment_expert_id_expert")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_review_assignment_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignment")),
        sa.UniqueConstraint("project_id", "expert_id", name="uq_review_assignment_project_expert"),
    )
    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignment_expert_id"), ["expert_id"], unique=False
        )
        batch_op.create_index(
            "ix_review_assignment_expert_status", ["expert_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignment_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "technology_deal",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("need_id", sa.Uuid(), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        _status("deal_status", "CONTACTED", "NEGOTIATING", "TRADED", "DECLINED"),
        _money("amount"),
        _time("closed_at", nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "(status = 'TRADED') = (amount IS NOT NULL)",
            name=op.f("ck_technology_deal_amount_when_traded"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_technology_deal_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["technology_listing.id"],
            name=op.f("fk_technology_deal_listing_id_technology_listing"),
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["technology_need.id"],
            name=op.f("fk_technology_deal_need_id_technology_need"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technology_deal")),
        sa.UniqueConstraint("listing_id", "enterprise_id", name="uq_technology_deal_listing_buyer"),
    )
    with op.batch_alter_table("technology_deal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technology_deal_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technology_deal_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_technology_deal_need_id"), ["need_id"], unique=False)

    op.create_table(
        "financing_match",
        sa.Column("demand_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        _status("match_status", "CONTACTED", "NEGOTIATING", "FINANCED", "DECLINED"),
        _money("amount"),
        _time("closed_at", nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "(status = 'FINANCED') = (amount IS NOT NULL)",
            name=op.f("ck_financing_match_amount_when_financed"),
        ),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["financing_demand.id"],
            name=op.f("fk_financing_match_demand_id_financing_demand"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["financial_product.id"],
            name=op.f("fk_financing_match_product_id_financial_product"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_financing_match")),
        sa.UniqueConstraint("demand_id", "product_id", name="uq_financing_match_demand_product"),
    )
    with op.batch_alter_table("financing_match", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_financing_match_demand_id"), ["demand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_financing_match_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            "ix_financing_match_status_closed_at", ["status", "closed_at"], unique=False
        )

    with op.batch_alter_table("technology_need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_maturity", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("min_maturity_trl", "min_maturity BETWEEN 1 AND 9")


def downgrade() -> None:
    with op.batch_alter_table("technology_need", schema=None) as batch_op:
        batch_op.drop_constraint("min_maturity_trl", type_="check")
        batch_op.drop_column("min_maturity")

    with op.batch_alter_table("financing_match", schema=None) as batch_op:
        batch_op.drop_index("ix_financing_match_status_closed_at")
        batch_op.drop_index(batch_op.f("ix_financing_match_product_id"))
        batch_op.drop_index(batch_op.f("ix_financing_match_demand_id"))
    op.drop_table("financing_match")

    with op.batch_alter_table("technology_deal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technology_deal_need_id"))
        batch_op.drop_index(batch_op.f("ix_technology_deal_listing_id"))
        batch_op.drop_index(batch_op.f("ix_technology_deal_enterprise_id"))
    op.drop_table("technology_deal")

    with op.batch_alter_table("review_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignment_project_id"))
        batch_op.drop_index("ix_review_assignment_expert_status")
        batch_op.drop_index(batch_op.f("ix_review_assignment_expert_id"))
    op.drop_table("review_assignment")
