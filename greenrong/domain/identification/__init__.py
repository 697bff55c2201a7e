"""The green identification engine's domain: the 2021 green bond catalogue, the statistics
mapping, the ranking rules and confidence, and suggestions stored on projects with their
review (accept or correct). docs/IDENTIFICATION.md explains it."""
