"""The transactional outbox: one ChangeEvent per changed entity, written in the same transaction."""
