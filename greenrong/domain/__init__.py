"""The domain: models, repositories, services and rules. Never imports GraphQL or HTTP."""
