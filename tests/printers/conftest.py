"""Badges for real people, the real store, printers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from kiosk.core.model import Lang, Registration, Role
from printers.encode import PrinterProfile, load_profile
from printers.escpos_env import import_escpos
from printers.layout import BadgeOptions
from tests.conftest import EVENT
from tests.printers.fakeprinter import FakePrinter

# A signed ticket as the demo prints them: 113 characters, a version 4-5 QR code.
TICKET = (
    "A1:HC2W$7BNA6469C6+$SXAD9/LDB5IQPLH5Y2MMMSL*0ME4ZLT:N8I94UDK5W6JV6 UQSNH3-3CH6V%SX54"
    "//F5M443Q%%2V1VDMNJKP9O52SCC0"
)
LATIN = Registration(
    "S0002", "Loïc", "Bonnet", (TICKET,), organisation="CDG Invest", role=Role.SPEAKER
)
FRENCH = Registration(
    "P0101", "Hélène", "Lefèvre-Çelik", ("CODE-101",), organisation="Société Générale Maroc",
    days=frozenset({2}),
)  # fmt: skip
ARABIC = Registration(
    "S0011", "محمد", "بنعلي", (TICKET,), organisation="المكتب الوطني للكهرباء", role=Role.PRESS
)
LONG_NAME = "Anne-Sophie Maximilienne de La Rochefoucauld-Montmorency Ali"  # 60 characters
LONG = Registration("P0202", "Anne-Sophie Maximilienne", "de La Rochefoucauld-Montmorency Ali",
                    ("CODE-202",), organisation="Université Hassan II de Casablanca")  # fmt: skip

PROFILES = {"TM-T88V": 512, "TM-T20II": 576, "POS-5890": 384}


@pytest.fixture(scope="session", autouse=True)
def _escpos_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    import_escpos(tmp_path_factory.mktemp("escpos-cache"))


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> PrinterProfile:
    return load_profile(request.param)


@pytest.fixture
def options() -> BadgeOptions:
    return BadgeOptions(language=Lang.FR)


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


def decode_qr(image: Image.Image) -> list[str]:
    """Decode with both pyzbar and zxing-cpp; both must agree for the code to count."""
    gray = image.convert("L")
    framed = Image.new("L", (gray.width + 40, gray.height + 40), 255)
    framed.paste(gray, (20, 20))
    zbar = sorted(r.data.decode() for r in pyzbar.decode(framed))
    zx = sorted(r.text for r in zxingcpp.read_barcodes(np.asarray(framed)))
    assert zbar == zx, f"pyzbar read {zbar}, zxing-cpp read {zx}"
    return zbar


def ink_columns(image: Image.Image) -> tuple[int, int]:
    """Leftmost and rightmost columns with a black dot."""
    arr = np.asarray(image.convert("L")) < 128
    cols = np.where(arr.any(axis=0))[0]
    return int(cols[0]), int(cols[-1])


class SystemClock:
    """Real time: the queue's workers compare it with retry times they set."""

    def now(self) -> datetime:
        return datetime.now(ZoneInfo(EVENT.timezone))


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
