"""The green-projects index."""
