"""Shared building blocks of every context: base model, column types, listing, outbox writes."""
