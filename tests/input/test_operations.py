"""The edge sits in the execution context's ``build``: subscriptions are checked like queries
and mutations, before their source stream starts."""

from __future__ import annotations

from types import SimpleNamespace

from greenrong.core.config import Settings
from greenrong.domain.access.principal import ANONYMOUS
from greenrong.schema.kit.limits import QueryLimits
from greenrong.schema.root import schema

#: what the schema's extensions read of a context (this is not a request's: default limits)
CONTEXT = SimpleNamespace(
    limits=QueryLimits.from_settings(Settings()),
    principal=ANONYMOUS,
    request=None,
    response=None,
    credential=None,
)


async def test_a_subscription_argument_is_refused_before_the_stream_starts():
    stream = await schema.subscribe(
        'subscription { changes(after: "a\\u0000b") { cursor } }', context_value=CONTEXT
    )
    results = [result async for result in stream]  # type: ignore[union-attr]

    assert len(results) == 1
    assert results[0].data is None
    assert [(e.message, e.extensions) for e in results[0].errors] == [
        (
            "after: contains a control character (U+0000)",
            {"code": "INVALID_FORMAT", "field": "after"},
        )
    ]
