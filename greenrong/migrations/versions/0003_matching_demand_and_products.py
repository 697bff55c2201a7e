"""matching demand and products

``financing_demand.accepted_product_kinds``: the ProductKind values a demand accepts (a JSON
list; empty means any kind of financing, which excludes insurance). Existing rows get ``[]``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the server default fills existing rows, then goes: the model sets the value on insert
    with op.batch_alter_table("financing_demand", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accepted_product_kinds", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )
    with op.batch_alter_table("financing_demand", schema=None) as batch_op:
        batch_op.alter_column("accepted_product_kinds", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("financing_demand", schema=None) as batch_op:
        batch_op.drop_column("accepted_product_kinds")
