"""The registry of instruments: add a module, then a line here. Nothing else changes."""

from assessments.instruments.acute2007 import Acute2007
from assessments.instruments.base import Instrument
from assessments.instruments.hcr20v3 import HCR20V3
from assessments.instruments.stable2007 import Stable2007
from assessments.instruments.static99r import Static99R
from assessments.instruments.svr20 import SVR20

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (Static99R(), Stable2007(), Acute2007(), SVR20(), HCR20V3())
}


def get(code: str) -> Instrument:
    return INSTRUMENTS[code]


__all__ = ["INSTRUMENTS", "Instrument", "get"]
