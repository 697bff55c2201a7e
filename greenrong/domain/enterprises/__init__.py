"""Enterprises: the reference context (see docs/ARCHITECTURE.md)."""
