"""tqdm progress bars, one per entity, on standard error."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from tqdm import tqdm


class ProgressBars:
    """One bar per key, all shown from the start; does nothing when disabled."""

    def __init__(self, totals: Mapping[str, int], *, enabled: bool) -> None:
        width = max((len(key) for key in totals), default=0)
        self._bars: dict[str, Any] = {
            key: tqdm(
                total=total,
                desc=key.ljust(width),
                unit=" rows",
                unit_scale=True,
                position=position,
                leave=True,
                file=sys.stderr,
                disable=not enabled,
                dynamic_ncols=True,
            )
            for position, (key, total) in enumerate(totals.items())
        }

    def advance(self, key: str, rows: int) -> None:
        self._bars[key].update(rows)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
