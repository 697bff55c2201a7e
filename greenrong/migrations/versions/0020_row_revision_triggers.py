"""row revision triggers

Every committed write to the rows the API keeps between requests (``domain/kit/row_cache.py``:
enterprises, projects, financial products, financing demands) moves the ``rows`` revision of
``data_revision``, in the database itself: a write from any process, the CLI, a worker, a
migration or ``psql`` by hand moves it, and a transaction that rolls back moves nothing.

- PostgreSQL: a deferred constraint trigger per table, fired at COMMIT, once per transaction
  (a transaction-local setting remembers that it moved the counter). The counter's row lock is
  then the transaction's last lock, taken when it holds all its others: two transactions
  cannot wait for each other through it. One counter for the four tables, not one each: two
  counters taken at COMMIT in the order the rows changed could deadlock two transactions
  that wrote the tables in opposite orders. TRUNCATE moves it too (a statement trigger).
- SQLite: a trigger per table and kind of write (SQLite has row triggers only). Writers take
  the database lock one at a time, so there is nothing to deadlock.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: as of this revision (the list in ``row_cache.py`` may only grow by a later migration)
TABLES = ("enterprise", "project", "financial_product", "financing_demand")
NAME = "rows"
BUMP = (
    f"INSERT INTO data_revision (name, value) VALUES ('{NAME}', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = data_revision.value + 1"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION greenrong_bump_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_LEVEL = 'STATEMENT'
                   OR current_setting('greenrong.rows_moved', true) IS DISTINCT FROM 'yes' THEN
                    {BUMP};
                    PERFORM set_config('greenrong.rows_moved', 'yes', true);
                END IF;
                RETURN NULL;
            END $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_rows_revision "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION greenrong_bump_rows()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_rows_truncated AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION greenrong_bump_rows()"
            )
        return
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_rows_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_rows_revision ON {table}")
            op.execute(f"DROP TRIGGER {table}_rows_truncated ON {table}")
        op.execute("DROP FUNCTION greenrong_bump_rows()")
        return
    for table in TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_rows_{event}")
