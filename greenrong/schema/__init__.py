"""The GraphQL schema: strawberry types, inputs and payloads (no SQL, no business rules)."""

# The domain enums must be registered (with descriptions) before any type uses them.
from greenrong.schema.kit import enums as _enums  # noqa: F401
