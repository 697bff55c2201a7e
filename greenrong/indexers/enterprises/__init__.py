"""The enterprises index."""
