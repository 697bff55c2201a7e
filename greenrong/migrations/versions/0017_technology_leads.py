"""technology leads

``technology_lead``: per technology domain and enterprise, the evidence that makes the
enterprise a buyer lead (its score, reasons and region), precomputed so that
``TechnologyListing.buyerMatches`` reads a few indexed ranges instead of scanning disclosures
(``domain/matching/lead_repository.py``). It is created empty: fill it with ``greenrong leads
rebuild`` after upgrading (the enterprise and disclosure writes keep it current from then on).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOMAINS = (
    "WATER",
    "SOIL",
    "AIR",
    "SOLID_WASTE",
    "ENERGY_SAVING",
    "CLEAN_ENERGY",
    "CARBON_REDUCTION",
    "MONITORING",
    "OTHER",
)


def upgrade() -> None:
    op.create_table(
        "technology_lead",
        sa.Column(
            "domain",
            sa.Enum(*DOMAINS, name="technology_domain", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("prefecture_code", sa.String(length=6), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_technology_lead_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", "enterprise_id", name=op.f("pk_technology_lead")),
    )
    op.create_index(
        "ix_technology_lead_best",
        "technology_lead",
        ["domain", sa.text("score DESC"), "enterprise_id"],
    )
    op.create_index(
        "ix_technology_lead_prefecture",
        "technology_lead",
        ["domain", "prefecture_code", sa.text("score DESC"), "enterprise_id"],
    )
    op.create_index(
        "ix_technology_lead_county",
        "technology_lead",
        ["domain", "region_code", sa.text("score DESC"), "enterprise_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_technology_lead_county", table_name="technology_lead")
    op.drop_index("ix_technology_lead_prefecture", table_name="technology_lead")
    op.drop_index("ix_technology_lead_best", table_name="technology_lead")
    op.drop_table("technology_lead")
