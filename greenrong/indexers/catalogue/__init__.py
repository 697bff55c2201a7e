"""The green bond catalogue index (reference data) and the identification query over it."""
