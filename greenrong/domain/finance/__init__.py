"""Financial institutions, their products, and enterprises' financing demands."""
