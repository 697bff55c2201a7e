"""Partners: the change feed, live subscriptions and signed webhooks, all fed by the outbox."""
