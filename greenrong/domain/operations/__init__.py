"""Figures an operator watches: the outbox backlog, dead letters, the webhook queue."""
