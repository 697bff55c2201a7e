"""Schema pieces shared by every context: nodes, connections, filters, errors, enums."""
