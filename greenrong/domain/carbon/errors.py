"""The carbon context's expected failures: each a ``DomainError`` with its own code."""

from __future__ import annotations

from collections.abc import Sequence

from greenrong.core.errors import DomainError, ErrorCode


class UnitMismatch(DomainError):
    """A quantity came in a unit of another dimension (t where 10⁴ Nm³ or kWh is expected).

    Nothing is converted across dimensions: no density, no heating value, no guess.
    """

    code = ErrorCode.UNIT_MISMATCH

    def __init__(self, what: str, given: str, expected: str) -> None:
        super().__init__(f"{what}: unit {given!r} does not fit {expected!r}")
        self.what = what
        self.given = given
        self.expected = expected


class UnknownUnit(UnitMismatch):
    """The unit string is not a unit we know."""

    def __init__(self, what: str, given: str) -> None:
        DomainError.__init__(self, f"{what}: unknown unit {given!r}")
        self.what = what
        self.given = given
        self.expected = ""


class FactorNotFound(DomainError):
    code = ErrorCode.FACTOR_NOT_FOUND

    def __init__(self, key: str, version: str) -> None:
        super().__init__(f"factor {key!r} is not in factor set {version}")
        self.key = key
        self.version = version


class UnknownFactorSet(FactorNotFound):
    """A factor set (version) that the package does not hold."""

    def __init__(self, version: str, known: Sequence[str]) -> None:
        DomainError.__init__(
            self, f"there is no factor set {version!r}; the known ones: {', '.join(known)}"
        )
        self.key = "*"
        self.version = version


class LowConfidenceFactor(DomainError):
    """A default factor tagged low confidence was needed and the caller did not accept it."""

    code = ErrorCode.LOW_CONFIDENCE_FACTOR

    def __init__(self, keys: list[str]) -> None:
        super().__init__(
            "low-confidence factors need explicit acceptance or a measured value: "
            + ", ".join(keys)
        )
        self.keys = keys


class NotSupported(DomainError):
    """An industry, model or indicator we list but do not calculate."""

    code = ErrorCode.NOT_SUPPORTED


class CreditAlreadyRetired(DomainError):
    code = ErrorCode.ALREADY_RETIRED

    def __init__(self, registry: str, serial: str) -> None:
        super().__init__(f"credit {registry} {serial} has already been retired")
        self.registry = registry
        self.serial = serial
