"""The per-request context. Resolvers type their ``info`` as ``Info``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.domain.access.identity import Credential
from greenrong.domain.access.principal import ANONYMOUS, Principal
from greenrong.domain.kit.clock import CLOCK, Clock
from greenrong.resolvers.loaders import Loaders
from greenrong.schema.kit.limits import QueryLimits

if TYPE_CHECKING:
    from greenrong.resolvers.compiled.operations import CompiledRoots


@dataclass
class Context:
    request: Any
    response: Any
    settings: Settings
    sessionmaker: SessionMaker
    search: SearchEngine
    loaders: Loaders
    request_id: str
    #: the query limits of the app serving the request (``schema/kit/limits.py``)
    limits: QueryLimits
    #: the platform's clock (``domain/kit/clock.py``): resolvers ask it for today and now
    clock: Clock = CLOCK
    #: who is calling; the access layer sets it from the Authorization header or connection_init
    principal: Principal = field(default=ANONYMOUS)
    #: the caller's credential with its end (a token's ``exp``, a key's expiry); a WebSocket's
    #: is checked again for every operation and message (``schema/kit/sockets.py``)
    credential: Credential | None = None
    #: the WebSocket ``connection_init`` payload (strawberry sets it; None over HTTP)
    connection_params: dict[str, Any] | None = None
    #: the root fields the compiled path answered (``resolvers/compiled/operations.py``)
    compiled: CompiledRoots | None = None


Info = strawberry.Info[Context, None]
