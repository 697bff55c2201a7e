"""The technology-needs index."""
