"""Full-text search over the OpenSearch indices: results, facets, suggestions, filters."""
