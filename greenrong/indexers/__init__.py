"""Search indexing: one index per searchable entity, rebuilt behind aliases.

``kit/`` holds what every index shares (analysis, the streaming source, bulk writes, the
zero-downtime rebuild); each ``<index>/document.py`` declares one mapping and ``from_row``.
"""
