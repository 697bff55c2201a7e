"""Reference data (regions, industries, green catalogue) and the shared vocabulary."""
