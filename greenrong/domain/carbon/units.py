"""One pint registry for the carbon context, with exact ``Decimal`` magnitudes.

Four dimensions of our own keep accounting units apart from physics: ``[normal_volume]``
(Nm³ and 10⁴ Nm³ of gas at standard conditions), ``[emission]`` (tCO2e; tCO2 is the same unit),
``[carbon]`` (tC: turned into CO2 only by the explicit 44/12 factor)
and ``[standard_coal]`` (tce: a statistical unit, never converted to joules). A tonne of fuel,
10⁴ Nm³ of gas and a kWh therefore never convert into one another; scaling within one dimension
(kg → t, MWh → kWh) is exact and shown in the breakdown.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

import pint

from greenrong.domain.carbon.errors import UnitMismatch, UnknownUnit

UNITS: Any = pint.UnitRegistry(non_int_type=Decimal, autoconvert_offset_to_baseunit=False)
for _definition in (
    "normal_cubic_meter = [normal_volume] = Nm3",
    "ten_thousand_normal_cubic_meter = 10000 * normal_cubic_meter = tenk_Nm3",
    "tonne_co2e = [emission] = tCO2e = tCO2",
    "kilogram_co2e = 0.001 * tonne_co2e = kgCO2e = kgCO2",
    "tonne_carbon = [carbon] = tC",
    "tonne_standard_coal = [standard_coal] = tce",
    "kilogram_standard_coal = 0.001 * tonne_standard_coal = kgce",
    "gram_standard_coal = 0.000001 * tonne_standard_coal = gce",
    "passenger_kilometer = [passenger_distance] = pkm",
    "cubic_metre = meter ** 3 = m3",
    "litre_per_100_km = 0.01 * liter / kilometer = L_per_100km",
):
    UNITS.define(_definition)
Quantity = Any  # pint's Quantity is generic over its magnitude; we only use Decimal magnitudes


@lru_cache(maxsize=1024)
def _parse(unit: str) -> Any:
    """Parsing dominates the engine's time: each distinct unit string is parsed once."""
    return UNITS.parse_units(unit)


def quantity(value: Decimal, unit: str, *, what: str) -> Quantity:
    try:
        return UNITS.Quantity(Decimal(value), _parse(unit))
    except (pint.UndefinedUnitError, AttributeError, ValueError, TypeError) as e:
        raise UnknownUnit(what, unit) from e


def check_unit(unit: str, *, what: str) -> None:
    quantity(Decimal(1), unit, what=what)


def convert(q: Quantity, unit: str, *, what: str) -> Decimal:
    """``q`` in ``unit``: exact within one dimension, ``UnitMismatch`` across dimensions."""
    try:
        value: Decimal = q.to(_parse(unit)).magnitude
    except pint.DimensionalityError as e:
        raise UnitMismatch(what, f"{q.units:~}", unit) from e
    return Decimal(value)
