"""Logging set-up, with the request id on every record."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


#: loggers held at WARNING whatever the root level (their INFO is noise to an operator)
NOISY_LOGGERS = ("opensearch", "fontTools")


def configure_logging(level: str = "INFO", *, as_json: bool = False) -> None:
    """Configure the root logger once; safe to call again."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdFilter())
    if as_json:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # libraries that log routine work at INFO: opensearch-py every request, fontTools (the
    # carbon report's PDF font subsetting) about sixty lines a report; warnings still show
    for chatty in NOISY_LOGGERS:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
