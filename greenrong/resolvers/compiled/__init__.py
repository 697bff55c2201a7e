"""The compiled path for flexible views: a root field as one SQL statement, JSON from PostgreSQL.

graphql-core completes every field of a result one by one (about 12 µs a field), which caps a
nested view of a few thousand fields at a few dozen requests a second whatever the resolvers
do. For a root field whose selection is made only of row columns and relations, this package
builds the whole answer in PostgreSQL instead (``json_build_object``, ``json_agg``, one
correlated ``LIMIT`` subquery per nesting level) and hands graphql-core the finished value.

- ``plan.py``: the GraphQL selection as a plan, or ``None`` when any part of it is not
  something the plan can express exactly (a computed field, a guarded field, cursors,
  backwards paging, a directive, ...). ``None`` means the normal path runs.
- ``sql.py``: a plan as one SQLAlchemy statement. Filters, ordering, keyset windows and the
  caller's row scope come from the same functions the normal path uses
  (``domain/kit/listing.py``, ``Loaders.scope``), so both paths select the same rows.
- ``execution.py``: the graphql-core execution context that routes a compilable root field
  through the compiled path and every other field through the normal one.

docs/PERFORMANCE.md explains the design and what it falls back on.
"""
