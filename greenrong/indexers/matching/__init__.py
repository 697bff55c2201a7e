"""Matching queries over the search indices (financing demand → products)."""
