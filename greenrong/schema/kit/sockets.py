"""graphql-transport-ws connections that stay authorized: the credential of ``connection_init``
is checked again for as long as the socket is open, and each operation reads the access rules
(rows, consent) afresh.

- Before an operation runs (a ``subscribe`` message: queries and mutations too) and before any
  ``next`` message is sent (a result, a subscription event), the credential is checked again
  (``identity.recheck``: a key's revocation and expiry from the database, a token's ``exp``).
- A watcher task checks every ``socket_credential_check_seconds`` and at the credential's end,
  so a revoked key's idle socket closes too, in every API process (the database is shared).
- A refused credential closes the socket with 4403 at once: running operations are cancelled,
  nothing more is sent, and the operation that found it never runs. A check that cannot be
  made (the database is down) closes with 1011: fail closed, but without telling the client
  its credential is bad.
- Each operation gets its own ``Context`` with fresh ``Loaders``: a connection lives for hours,
  and loaders cache rows and consent (``Loaders.consented``). Subscriptions renew them for
  every event (``resolvers/partners.event_loaders``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation,
    _OperationStreamClosed,
)
from strawberry.utils.aio import aclosing

from greenrong.core import metrics
from greenrong.core.errors import Unauthenticated
from greenrong.domain.access.identity import Credential, recheck
from greenrong.domain.kit.types import utcnow
from greenrong.resolvers.loaders import Loaders
from greenrong.schema.kit.context import Context
from greenrong.schema.partners.keepalive import KeepAliveTransportWSHandler

log = logging.getLogger(__name__)

#: the close codes: the credential is refused (the protocol's "Forbidden"), or cannot be checked
REFUSED = 4403
UNCHECKED = 1011


class CheckedTransportWSHandler(KeepAliveTransportWSHandler):
    """graphql-transport-ws with the credential checked for the connection's whole life."""

    _watcher: asyncio.Task[None] | None = None
    _closed: bool = False

    # --- the credential ------------------------------------------------------------------

    def _credential(self) -> Credential | None:
        """What ``connection_init`` authenticated with; None when there is nothing to check
        again (anonymous, or no ``connection_init`` yet)."""
        context: Context = self.context
        credential = context.credential
        if credential is None or credential.principal.is_anonymous:
            return None
        return credential

    async def still_valid(self) -> bool:
        """Whether the connection's credential is still accepted; if not, the socket is closed
        (4403) before this returns."""
        if self._closed:
            return False
        credential = self._credential()
        if credential is None:
            return True
        try:
            await recheck(self.context.sessionmaker, credential, now=utcnow())
        except Unauthenticated as error:
            await self._close(REFUSED, error.message)
            return False
        except Exception:
            log.exception("could not check a WebSocket's credential; closing it")
            await self._close(UNCHECKED, "the credential could not be checked")
            return False
        return True

    async def _close(self, code: int, reason: str) -> None:
        """Stop sending first, then close, then cancel the running operations."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            # a close frame's reason is at most 123 bytes
            await self.websocket.close(
                code=code, reason=reason.encode()[:120].decode(errors="ignore")
            )
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)

    async def _watch(self, credential: Credential) -> None:
        """Check again every ``socket_credential_check_seconds`` and at the credential's end."""
        interval = float(self.view.settings.socket_credential_check_seconds)  # type: ignore[attr-defined]
        while not self._closed:
            wait = interval
            if credential.expires_at is not None:
                left = (credential.expires_at - utcnow()).total_seconds()
                wait = min(wait, max(left, 0.0))
            await asyncio.sleep(wait)
            await self.still_valid()

    # --- the protocol's moves ------------------------------------------------------------

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        credential = self._credential()
        if self.connection_acknowledged and credential is not None and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(credential))

    async def handle_subscribe(self, message: Any) -> None:
        """Every operation (query, mutation, subscription) is preceded by a check: after a
        revocation, nothing it asked runs."""
        if self.connection_acknowledged and not await self.still_valid():
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Any) -> None:
        if self._closed:
            return
        if message.get("type") == "next" and not await self.still_valid():
            return
        await super().send_message(message)

    def forget_id(self, id: str) -> None:
        # an operation closed by ``_close`` was already removed
        self.operations.pop(id, None)

    def operation_context(self) -> Context:
        """A context of its own for one operation: the connection's caller, fresh loaders."""
        context: Context = self.context
        loaders = Loaders(
            context.sessionmaker,
            max_page_size=context.settings.max_page_size,
            principal=context.principal,
        )
        return dataclasses.replace(context, loaders=loaders, compiled=None)

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        """strawberry 0.341.2's ``run_operation``, with the operation's own context instead of
        the connection's (``operation_context``)."""
        metrics.SUBSCRIPTIONS.inc()
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.operation_context(),
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:  # pragma: no cover  (strawberry's own handling)
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
        finally:
            metrics.SUBSCRIPTIONS.dec()

    async def shutdown(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await super().shutdown()
