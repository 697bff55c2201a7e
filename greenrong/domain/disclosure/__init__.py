"""ESG and environmental disclosures by enterprises and institutions."""
