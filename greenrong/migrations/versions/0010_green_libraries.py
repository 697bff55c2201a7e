"""green libraries (入库)

``library_membership`` (one subject, an enterprise or a project, in one of the six libraries
for one period; ended, never deleted) and ``cultivation_recommendation`` (a department's
recommendation for the cultivation library and the platform's review).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_membership",
        sa.Column(
            "library",
            sa.Enum(
                "GREEN_ENTERPRISE",
                "GREEN_PROJECT",
                "CULTIVATION",
                "CLIMATE_INVESTMENT",
                "CLIMATE_FRIENDLY",
                "PBOC_CARBON_REDUCTION",
                name="library",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "CERTIFICATION",
                "RECOMMENDATION",
                "SCREENING",
                name="membership_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.Column("certification_id", sa.Uuid(), nullable=True),
        sa.Column(
            "climate_type",
            sa.Enum(
                "MITIGATION",
                "ADAPTATION",
                "BOTH",
                "NONE",
                name="membership_climate_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("climate_scope", sa.JSON(), nullable=True),
        sa.Column(
            "pboc_area",
            sa.Enum(
                "CLEAN_ENERGY",
                "ENERGY_SAVING",
                "CARBON_REDUCTION_TECH",
                name="pboc_area",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("pboc_sub_area", sa.String(length=40), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(subject_type = 'Enterprise' AND enterprise_id IS NOT NULL AND project_id IS NULL) OR (subject_type = 'Project' AND project_id IS NOT NULL AND enterprise_id IS NULL)",
            name=op.f("ck_library_membership_one_subject"),
        ),
        sa.CheckConstraint(
            "until IS NULL OR until >= since", name=op.f("ck_library_membership_until_after_since")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_library_membership_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_library_membership_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_membership")),
    )
    op.create_index(
        op.f("ix_library_membership_certification_id"),
        "library_membership",
        ["certification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_library_membership_enterprise_id"),
        "library_membership",
        ["enterprise_id"],
        unique=False,
    )
    op.create_index(
        "ix_library_membership_library_since_id",
        "library_membership",
        ["library", "since", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_library_membership_project_id"), "library_membership", ["project_id"], unique=False
    )
    op.create_table(
        "cultivation_recommendation",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("recommended_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "RECOMMENDED",
                "ACCEPTED",
                "REJECTED",
                name="recommendation_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column(
            "reviewed_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("membership_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'ACCEPTED') = (membership_id IS NOT NULL)",
            name=op.f("ck_cultivation_recommendation_membership_when_accepted"),
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["library_membership.id"],
            name=op.f("fk_cultivation_recommendation_membership_id_library_membership"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_cultivation_recommendation_project_id_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_recommendation")),
    )
    op.create_index(
        op.f("ix_cultivation_recommendation_membership_id"),
        "cultivation_recommendation",
        ["membership_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cultivation_recommendation_project_id"),
        "cultivation_recommendation",
        ["project_id"],
        unique=False,
    )
    op.create_index(
        "ix_cultivation_recommendation_status_created_at",
        "cultivation_recommendation",
        ["status", "created_at", "id"],
        unique=False,
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_index(
        "ix_cultivation_recommendation_status_created_at", table_name="cultivation_recommendation"
    )
    op.drop_index(
        op.f("ix_cultivation_recommendation_project_id"), table_name="cultivation_recommendation"
    )
    op.drop_index(
        op.f("ix_cultivation_recommendation_membership_id"), table_name="cultivation_recommendation"
    )
    op.drop_table("cultivation_recommendation")
    op.drop_index(op.f("ix_library_membership_project_id"), table_name="library_membership")
    op.drop_index("ix_library_membership_library_since_id", table_name="library_membership")
    op.drop_index(op.f("ix_library_membership_enterprise_id"), table_name="library_membership")
    op.drop_index(op.f("ix_library_membership_certification_id"), table_name="library_membership")
    op.drop_table("library_membership")
    # ### end Alembic commands ###
