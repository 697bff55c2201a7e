"""Periodic passes that run once per period for the whole deployment (lease rows)."""
