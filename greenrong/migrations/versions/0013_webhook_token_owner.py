"""webhook endpoints remember a token owner's role, organisation and expiry

An endpoint created with a bearer token (not an API key) now stores the token's role and
organisation, and when the token expires (``owner_until``): deliveries see what that role may
see, and the endpoint is disabled once the token has expired, as one created with a key is when
the key is revoked or expires. Endpoints created before this revision have NULL there and keep
receiving (their token's expiry was never recorded).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import greenrong.domain.kit.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.add_column(sa.Column("owner_role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("owner_org_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column(
                "owner_until",
                greenrong.domain.kit.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoint") as batch:
        batch.drop_column("owner_until")
        batch.drop_column("owner_org_id")
        batch.drop_column("owner_role")
