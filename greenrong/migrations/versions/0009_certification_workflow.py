"""certification workflow and rubrics

Green certification (绿色认定): one ``certification`` row per cycle (self-assessment, pre-score,
review rounds, consolidated score, decision, certificate number and validity, its end), the
reviewers' scores per round (``certification_review``), the append-only history
(``certification_event``), and the current level of a project (``project.green_level``,
``project.green_level_valid_until``), as enterprises already have.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certification",
        sa.Column(
            "subject_type",
            sa.Enum(
                "ENTERPRISE",
                "PROJECT",
                name="certification_subject",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("rubric_version", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "PRE_SCORED",
                "SUBMITTED",
                "UNDER_REVIEW",
                "REVIEWED",
                "SECOND_ROUND",
                "CONSOLIDATED",
                "ISSUED",
                "REJECTED",
                "EXPIRED",
                "REVOKED",
                "RENEWED",
                name="certification_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "green_category",
            sa.Enum(
                "ENERGY_SAVING_ENVIRONMENTAL",
                "CLEAN_PRODUCTION",
                "CLEAN_ENERGY",
                "ECOLOGICAL_ENVIRONMENT",
                "GREEN_INFRASTRUCTURE",
                "GREEN_SERVICES",
                name="green_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("pre_score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("pre_scores", sa.JSON(), nullable=False),
        sa.Column(
            "submitted_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column(
            "consolidation_rule",
            sa.Enum(
                "MEAN",
                "MEDIAN",
                name="consolidation_rule",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("spread", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("second_round_flagged", sa.Boolean(), nullable=False),
        sa.Column(
            "decided_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("rejection_reasons", sa.JSON(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "NONE",
                "GREEN",
                "DEEP_GREEN",
                "EXCELLENT_GREEN",
                name="green_level",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("certificate_number", sa.String(length=32), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("renews_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(subject_type = 'PROJECT') = (project_id IS NOT NULL)",
            name=op.f("ck_certification_project_when_project"),
        ),
        sa.CheckConstraint(
            "status <> 'ISSUED' OR certificate_number IS NOT NULL",
            name=op.f("ck_certification_number_when_issued"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_certification_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_certification_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["renews_id"],
            ["certification.id"],
            name=op.f("fk_certification_renews_id_certification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
        sa.UniqueConstraint("certificate_number", name=op.f("uq_certification_certificate_number")),
    )
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.create_index("ix_certification_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certification_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certification_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certification_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certification_valid_until"), ["valid_until"], unique=False
        )
    op.create_table(
        "certification_event",
        sa.Column("certification_id", sa.Uuid(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "START",
                "UPDATE_SELF_ASSESSMENT",
                "SUBMIT",
                "ASSIGN_REVIEWERS",
                "SCORE",
                "CONSOLIDATE",
                "DECIDE",
                "EXPIRE",
                "REVOKE",
                "RENEW",
                name="certification_action",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "DRAFT",
                "PRE_SCORED",
                "SUBMITTED",
                "UNDER_REVIEW",
                "REVIEWED",
                "SECOND_ROUND",
                "CONSOLIDATED",
                "ISSUED",
                "REJECTED",
                "EXPIRED",
                "REVOKED",
                "RENEWED",
                name="certification_from_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "DRAFT",
                "PRE_SCORED",
                "SUBMITTED",
                "UNDER_REVIEW",
                "REVIEWED",
                "SECOND_ROUND",
                "CONSOLIDATED",
                "ISSUED",
                "REJECTED",
                "EXPIRED",
                "REVOKED",
                "RENEWED",
                name="certification_to_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "actor_role",
            sa.Enum(
                "PUBLIC",
                "ENTERPRISE",
                "INSTITUTION",
                "EXPERT",
                "REGULATOR",
                "PARTNER",
                "ADMIN",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("actor_org_id", sa.Uuid(), nullable=True),
        sa.Column("at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certification_id"],
            ["certification.id"],
            name=op.f("fk_certification_event_certification_id_certification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_event")),
    )
    with op.batch_alter_table("certification_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certification_event_cert_at", ["certification_id", "at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certification_event_certification_id"),
            ["certification_id"],
            unique=False,
        )
    op.create_table(
        "certification_review",
        sa.Column("certification_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "SUBMITTED",
                "SUPERSEDED",
                name="certification_review_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("total", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column(
            "assigned_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "submitted_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", greenrong.domain.kit.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certification_id"],
            ["certification.id"],
            name=op.f("fk_certification_review_certification_id_certification"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["expert.id"], name=op.f("fk_certification_review_expert_id_expert")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_review")),
    )
    with op.batch_alter_table("certification_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certification_review_certification_id"),
            ["certification_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_certification_review_expert_id"), ["expert_id"], unique=False
        )
        batch_op.create_index(
            "ix_certification_review_expert_status", ["expert_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_certification_review_round_expert",
            ["certification_id", "round", "expert_id"],
            unique=True,
        )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "green_level",
                sa.Enum(
                    "NONE",
                    "GREEN",
                    "DEEP_GREEN",
                    "EXCELLENT_GREEN",
                    name="green_level",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=False,
                server_default="NONE",
            )
        )
        batch_op.add_column(sa.Column("green_level_valid_until", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_project_green_level"), ["green_level"], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_green_level"))
        batch_op.drop_constraint("green_level", type_="check")
        batch_op.drop_column("green_level_valid_until")
        batch_op.drop_column("green_level")
    with op.batch_alter_table("certification_review", schema=None) as batch_op:
        batch_op.drop_index("uq_certification_review_round_expert")
        batch_op.drop_index("ix_certification_review_expert_status")
        batch_op.drop_index(batch_op.f("ix_certification_review_expert_id"))
        batch_op.drop_index(batch_op.f("ix_certification_review_certification_id"))
    op.drop_table("certification_review")
    with op.batch_alter_table("certification_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_event_certification_id"))
        batch_op.drop_index("ix_certification_event_cert_at")
    op.drop_table("certification_event")
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_valid_until"))
        batch_op.drop_index(batch_op.f("ix_certification_status"))
        batch_op.drop_index(batch_op.f("ix_certification_project_id"))
        batch_op.drop_index(batch_op.f("ix_certification_enterprise_id"))
        batch_op.drop_index("ix_certification_created_at_id")
    op.drop_table("certification")
    # ### end Alembic commands ###
