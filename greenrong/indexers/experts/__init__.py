"""The experts index."""
