"""GraphQL types of the partners context: the change feed, subscriptions and webhooks."""
