"""The financial-products index (the institution name is denormalised into it)."""
