"""Alembic migrations. Run them with ``greenrong migrate``."""
