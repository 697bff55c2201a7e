"""The assembled schema."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Read the greenrong graph.")
class Query:
    @strawberry.field(description="Liveness of the GraphQL layer.")
    def ping(self) -> str:
        return "pong"


schema = strawberry.Schema(query=Query)
