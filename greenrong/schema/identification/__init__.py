"""GraphQL types of the green identification engine."""
