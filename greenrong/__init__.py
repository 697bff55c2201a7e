"""greenrong: a GraphQL data platform for green finance."""

__version__ = "0.1.0"
