"""GraphQL types, inputs and payloads of the green libraries (入库)."""
