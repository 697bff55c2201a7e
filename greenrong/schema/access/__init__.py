"""GraphQL of the access context: the caller, data consents, the audit log."""
