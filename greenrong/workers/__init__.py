"""Dramatiq actors. Built by the search issue; the outbox they consume exists already."""
