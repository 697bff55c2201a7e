"""Matching: financing demand ↔ products, technologies ↔ buyers, projects → reviewers."""
