"""The technology-listings index: the reference index (see docs/ARCHITECTURE.md)."""
