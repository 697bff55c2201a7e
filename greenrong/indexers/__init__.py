"""Search indexing (documents, mappings, queries, rebuild). Built by the search issue."""
