"""The environmental-disclosures index."""
