"""Carbon accounting: the calculation engine, factor sets, industry and project models, and the
enterprise carbon account (docs/CARBON.md)."""
