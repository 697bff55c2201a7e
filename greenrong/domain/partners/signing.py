"""Standard Webhooks signatures (https://www.standardwebhooks.com), via the reference
``standardwebhooks`` package: ``webhook-signature: v1,<base64 HMAC-SHA256 of
"<webhook-id>.<webhook-timestamp>.<body>">``, one ``v1,…`` per secret, space-separated."""

from __future__ import annotations

import base64
import secrets as random
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh 32-byte secret in the spec's ``whsec_<base64>`` form."""
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(32)).decode()


def signature_header(secrets: Sequence[str], *, msg_id: str, timestamp: datetime, body: str) -> str:
    """The ``webhook-signature`` value: one signature per secret, newest secret first."""
    return " ".join(
        Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body) for secret in secrets
    )


def headers(
    secrets: Sequence[str], *, msg_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The three Standard Webhooks headers of one request."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(
            secrets, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
