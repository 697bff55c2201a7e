"""The GraphQL schema: strawberry types, inputs and payloads (no SQL, no business rules)."""
