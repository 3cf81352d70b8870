"""Label printers: Brother QL raster and Zebra ZPL, read back by independent readers.

QL raster is read by brother_ql's own instruction reader, ZPL graphic fields by zebrafy's
^GF decoder; the QR code in the image must decode (zxing-cpp) to the attendee's code and
the name must be the tallest text. Faults go through label printers on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from brother_ql.reader import BrotherQLReader
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps
from zebrafy import ZebrafyZPL

from kiosk.commands import badge as badge_command
from kiosk.config import ConfigError, PrinterSection, load_config
from kiosk.core.model import Lang, Registration, Role
from kiosk.core.ports import PrinterState, PrintReason, PrintRequest
from main import Runtime
from printers.badges import BadgeMaker
from printers.devices import PreviewPrinter, PrinterError
from printers.factory import build_printer
from printers.label_layout import render_label
from printers.labels import LabelProfile, label_profile
from printers.layout import BadgeOptions, Template, badge_content
from printers.ql import STATUS_HEADER, BrotherQLPrinter, parse_ql_status, take_frame
from printers.queue import PrintQueue
from printers.zpl import ZplNetworkPrinter, field_data, graphic_field, parse_host_status
from printers.zpl_reader import _unescape, read_zpl
from sync.store import LocalStore
from tests.conftest import EVENT, SESSIONS, people
from tests.printers.conftest import ARABIC, FRENCH, LATIN, LONG, SystemClock
from tests.printers.labelprinter import LabelPrinterSim

MIXED = Registration(
    "S0040", "Karim كريم", "Benjelloun بنجلون", ("CODE-40",), organisation="Casa Smart City",
    role=Role.ORGANISER,
)  # fmt: skip
PEOPLE = [LATIN, FRENCH, ARABIC, MIXED, LONG]
# (language, label size, dpi): every label the badge layout must fit
LABELS = [
    ("brother_ql", "62x100", 300),
    ("brother_ql", "62", 300),
    ("zpl", "2.25x4in", 203),
    ("zpl", "2.25x4in", 300),
    ("zpl", "4x3in", 203),
    ("zpl", "4x3in", 300),
    ("zpl", "62x100mm", 203),  # the Brother sizes on a Zebra
    ("zpl", "62mm", 300),
]
MIN_NAME_MM = 3.0  # a name line at least 3 mm tall is legible at arm's length


def profile_of(language: str, size: str, dpi: int) -> LabelProfile:
    return label_profile(language, "", size, dpi)


# -- independent readers ------------------------------------------------------------------


def read_ql_independently(data: bytes, tmp: Path) -> list[Image.Image]:
    reader = BrotherQLReader(io.BufferedReader(io.BytesIO(data)))
    reader.filename_fmt = str(tmp / "page{counter:04d}.png")
    with contextlib.redirect_stdout(io.StringIO()):
        reader.analyse()
    pages = []
    for path in sorted(tmp.glob("page*.png")):
        with Image.open(path) as img:
            pages.append(img.convert("L"))
    return pages


def read_zpl_graphic(data: bytes) -> list[Image.Image]:
    return [img.convert("L") for img in ZebrafyZPL(data.decode("ascii")).to_images()]


def qr_codes(image: Image.Image) -> list[tuple[str, int]]:
    """(text, top y) of each QR code zxing-cpp finds."""
    framed = ImageOps.expand(image.convert("L"), 20, fill=255)
    out = []
    for r in zxingcpp.read_barcodes(np.asarray(framed)):
        top = min(r.position.top_left.y, r.position.top_right.y) - 20
        out.append((r.text, top))
    return out


def segments(image: Image.Image, bottom: int) -> list[tuple[int, int, bool]]:
    """(top, height, box) of each band of inked rows above `bottom`; box: a rule or band."""
    ink = np.asarray(image.convert("L"))[:bottom] < 128
    cols = np.where(ink.any(axis=0))[0]
    span = (cols[-1] - cols[0] + 1) if len(cols) else 1
    rows = ink.any(axis=1)
    out = []
    y = 0
    while y < len(rows):
        if not rows[y]:
            y += 1
            continue
        top = y
        while y < len(rows) and rows[y]:
            y += 1
        fill = ink[top:y].sum(axis=1).max() / span
        out.append((top, y - top, bool(fill > 0.7)))
    return out


def name_height(image: Image.Image, qr_top: int, name_lines: int) -> tuple[int, int]:
    """(height of the name's first line, tallest other text line) above the QR code."""
    segs = segments(image, qr_top)
    rule = next(i for i, s in enumerate(segs) if s[2])
    name = segs[rule + 1 : rule + 1 + name_lines]
    others = [h for i, (_, h, box) in enumerate(segs) if not box and segs[i] not in name]
    return name[0][1], max(others, default=0)


# -- the bytes, read back -----------------------------------------------------------------


@pytest.mark.parametrize("reg", PEOPLE, ids=lambda r: r.id)
@pytest.mark.parametrize("label", LABELS, ids=lambda x: f"{x[0]}-{x[1]}-{x[2]}")
def test_label_badge_read_back_scans_and_shows_the_name_largest(
    label: tuple[str, str, int], reg: Registration, tmp_path: Path
) -> None:
    profile = profile_of(*label)
    maker = BadgeMaker(EVENT, BadgeOptions(language=Lang.FR), "raster")
    encoded = maker.encode(reg, profile)
    if profile.language == "brother_ql":
        pages = read_ql_independently(encoded.data, tmp_path)
        page = pages[0]  # the whole 720-dot head, the badge where the label passes
    else:
        pages = read_zpl_graphic(encoded.data)
        page = pages[0]
    assert len(pages) == 1
    if profile.length:
        assert page.height == profile.length
    codes = qr_codes(page)
    assert [c for c, _ in codes] == [reg.codes[0]]
    layout = render_label(badge_content(reg, EVENT, BadgeOptions(language=Lang.FR)),
                          profile.width, profile.length)  # fmt: skip
    assert layout.qr_module >= 4
    lines = next(len(f.lines) for f in layout.fields if f.kind == "text" and f.bold and f.y > 0
                 and f.size == layout.name_size)  # fmt: skip
    name, tallest_other = name_height(page, codes[0][1], lines)
    assert name >= tallest_other, "another line is taller than the name"
    assert name >= MIN_NAME_MM * profile.dpi / 25.4


@pytest.mark.parametrize("label", LABELS, ids=lambda x: f"{x[0]}-{x[1]}-{x[2]}")
def test_read_back_is_exactly_the_drawn_badge(label: tuple[str, str, int], tmp_path) -> None:
    profile = profile_of(*label)
    content = badge_content(ARABIC, EVENT, BadgeOptions(language=Lang.AR))
    drawn = render_label(content, profile.width, profile.length).image.convert("L")
    encoded = BadgeMaker(EVENT, BadgeOptions(language=Lang.AR), "raster").encode(ARABIC, profile)
    if profile.language == "brother_ql":
        page = read_ql_independently(encoded.data, tmp_path)[0]
        # brother_ql places the printable width at the label's right offset on the head
        left = next(x for x in range(page.width - drawn.width + 1)
                    if np.array_equal(np.asarray(page)[:, x : x + drawn.width] < 128,
                                      np.asarray(drawn) < 128))  # fmt: skip
        assert left >= 0
    else:
        page = read_zpl_graphic(encoded.data)[0]
        assert np.array_equal(np.asarray(page) < 128, np.asarray(drawn) < 128)


@pytest.mark.parametrize("reg", [LATIN, FRENCH, LONG], ids=lambda r: r.id)
@pytest.mark.parametrize("size,dpi", [("2.25x4in", 203), ("4x3in", 300)])
def test_latin_zpl_badge_uses_printer_font_and_native_qr(reg, size, dpi) -> None:
    profile = profile_of("zpl", size, dpi)
    encoded = BadgeMaker(EVENT, BadgeOptions(language=Lang.FR)).encode(reg, profile)
    text = encoded.data.decode("utf-8")
    assert encoded.method == "text" and "^GF" not in text
    assert f"^FDMA,{reg.codes[0]}^FS" in text and "^BQN,2," in text
    mag, level = text.split("^BQN,2,")[1].split("^")[0].split(",")
    assert 4 <= int(mag) <= 10 and level == "M"
    sizes = [int(part.split(",")[0]) for part in text.split("^A0N,")[1:]]
    name_fields = [p for p in text.split("^FO") if "^A0N," in p and reg.first_name[:3] in p]
    name_size = int(name_fields[0].split("^A0N,")[1].split(",")[0])
    assert name_size == max(sizes)
    page = read_zpl(encoded.data)[0]
    assert [c for c, _ in qr_codes(page)] == [reg.codes[0]]
    assert len(encoded.data) < 1200  # a few hundred bytes instead of a graphic


def test_arabic_and_mixed_zpl_badges_are_drawn() -> None:
    profile = profile_of("zpl", "4x3in", 203)
    for reg in (ARABIC, MIXED):
        encoded = BadgeMaker(EVENT, BadgeOptions()).encode(reg, profile)
        assert encoded.method == "raster" and b"^A0" not in encoded.data


@given(st.text(max_size=40))
def test_zpl_field_data_cannot_end_a_field_or_start_a_command(text: str) -> None:
    data = field_data(text)
    body = data.removeprefix("^FH_^FD")
    assert "^" not in body and "~" not in body
    printable = "".join(ch if ord(ch) >= 0x20 else " " for ch in text)
    assert _unescape(body, "_") == printable


def test_a_name_with_zpl_commands_prints_one_label_with_that_name() -> None:
    reg = Registration("P0300", "Zoé ^XZ", "~JA Caret_", ("CODE-300",))
    profile = profile_of("zpl", "2.25x4in", 203)
    encoded = BadgeMaker(EVENT, BadgeOptions()).encode(reg, profile)
    assert encoded.method == "text"
    assert encoded.data.count(b"^XZ") == 1 and b"~JA" not in encoded.data
    assert len(read_zpl(encoded.data)) == 1


@pytest.mark.parametrize(
    "first,last,organisation",
    [("Anne", "Dupont\\Martin", ""), ("Sam", "Lee", "R\\&D Lab"), ("A\\(x)", "B", "")],
)
def test_a_backslash_in_a_printed_line_is_drawn_not_left_to_field_blocks(
    first: str, last: str, organisation: str
) -> None:
    """In a ^FB block \\& breaks the line, \\(x) is a soft hyphen and \\\\ prints one
    backslash (ZPL II programming guide, ^FB): such a line would misprint as printer text."""
    reg = Registration("P0301", first, last, ("CODE-301",), organisation=organisation)
    profile = profile_of("zpl", "2.25x4in", 203)
    encoded = BadgeMaker(EVENT, BadgeOptions()).encode(reg, profile)
    assert encoded.method == "raster" and b"^FB" not in encoded.data
    assert [c for c, _ in qr_codes(read_zpl_graphic(encoded.data)[0])] == ["CODE-301"]


# -- configuration --------------------------------------------------------------------------


def build(tmp_path: Path, **keys) -> object:
    return build_printer(PrinterSection(**keys), lambda p: tmp_path / p, tmp_path, "printer")


def test_config_builds_each_label_printer_from_the_libraries_tables(tmp_path) -> None:
    ql = build(tmp_path, kind="brother_ql", label_model="QL-1100", label_size="102x152")
    assert isinstance(ql, BrotherQLPrinter) and ql.profile.width == 1164
    assert ql.profile.length == 1660
    # brother_ql names only the QL-1100 family on 102 mm labels; its twin the QL-1110NWB
    # (same head and limits in brother_ql's model table) prints them too
    twin = build(tmp_path, kind="brother_ql", label_model="QL-1110NWB", label_size="102x152")
    assert twin.profile.width == 1164
    with pytest.raises(ConfigError, match="QL-1100"):
        build(tmp_path, kind="brother_ql", label_model="QL-1050", label_size="103x164")
    zebra = build(tmp_path, kind="zpl", label_size="4x3in", dpi=300, port=9101)
    assert isinstance(zebra, ZplNetworkPrinter) and zebra.profile.width == 1200
    preview = build(tmp_path, kind="preview", preview_as="brother_ql", label_size="62")
    assert isinstance(preview, PreviewPrinter) and preview.profile.continuous


@pytest.mark.parametrize(
    "keys,words",
    [
        ({"kind": "brother_ql", "label_model": "QL-9"}, "QL-820NWB"),
        ({"kind": "brother_ql", "label_size": "62x200"}, "62x100"),
        ({"kind": "brother_ql", "label_size": "102x51"}, "QL-1050"),
        ({"kind": "brother_ql", "label_size": "d24"}, "rectangular"),
        ({"kind": "brother_ql", "dpi": 203}, "300 dpi"),
        ({"kind": "brother_ql", "label_size": "29x90"}, "38 mm or wider"),
        ({"kind": "brother_ql", "connection": "usb"}, "usb_product_id"),
        ({"kind": "zpl", "label_size": "4 by 3"}, "2.25x4in"),
        ({"kind": "zpl", "dpi": 150}, "203"),
        ({"kind": "zpl", "connection": "usb"}, "connection = 'file'"),
        ({"kind": "zpl", "connection": "file"}, "/dev/usb/lp0"),
        # values found by trying: each was accepted and failed later, or printed wrong
        ({"kind": "zpl", "label_size": "4x1000in"}, "at most 32000 dots"),  # ^LL 1-32000
        ({"kind": "zpl", "label_size": "4x0in"}, "width alone (4in)"),
        ({"kind": "zpl", "label_size": "62x0mm"}, "width alone (62mm)"),
        ({"kind": "zpl", "label_model": "QL-820NWB"}, "kind = 'brother_ql'"),
        ({"kind": "network", "label_size": "4x3in"}, "for label printers"),
        ({"kind": "usb", "label_model": "QL-820NWB"}, "for label printers"),
        ({"kind": "preview", "dpi": 300}, "preview_as"),
        ({"kind": "zpl", "port": 70000}, "1 to 65535"),
        ({"kind": "brother_ql", "port": 0}, "1 to 65535"),
        ({"kind": "zpl", "timeout_seconds": -1.0}, "more than 0"),
        ({"kind": "network", "timeout_seconds": 0.0}, "more than 0"),
        ({"kind": "zpl", "status_seconds": -5.0}, "0 (never)"),
        ({"kind": "brother_ql", "host": "192.168.1.70:9100"}, "the port goes in port"),
    ],
)
def test_bad_label_settings_say_what_to_write(tmp_path, keys, words) -> None:
    with pytest.raises(ConfigError, match=r"\[printer\]") as err:
        build(tmp_path, **keys)
    assert words in str(err.value)


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_preview_printer_shows_what_each_kind_prints(tmp_path, kind) -> None:
    printer = build(tmp_path, kind="preview", preview_as=kind)
    maker = BadgeMaker(EVENT, BadgeOptions())
    printer.send(maker.encode(LATIN, printer.profile).data, "000001-S0002")
    with Image.open(tmp_path / "badges" / "000001-S0002.png") as img:
        assert img.height == printer.profile.length
        assert [c for c, _ in qr_codes(img)] == [LATIN.codes[0]]


# -- status -----------------------------------------------------------------------------------


def test_ql_status_bytes_map_onto_queue_states() -> None:
    profile = profile_of("brother_ql", "62x100", 300)
    sim = LabelPrinterSim("ql", media=(62, 100))
    try:
        assert parse_ql_status(sim.ql_status(0), profile)[0].state is PrinterState.OK
        sim.no_media = True
        assert parse_ql_status(sim.ql_status(0), profile)[0].state is PrinterState.PAPER_OUT
        sim.no_media, sim.cover_open = False, True
        cover = parse_ql_status(sim.ql_status(0), profile)[0]
        assert cover.state is PrinterState.OFFLINE and "cover" in cover.detail
        sim.cover_open, sim.media = False, (62, 0)
        wrong = parse_ql_status(sim.ql_status(0), profile)[0]
        assert wrong.state is PrinterState.OFFLINE
        assert "62 mm continuous" in wrong.detail and "62 × 100 mm" in wrong.detail
        assert parse_ql_status(b"", profile)[0].state is PrinterState.UNKNOWN
        assert parse_ql_status(b"\x12" * 40, profile)[0].state is PrinterState.UNKNOWN
    finally:
        sim.close()


def test_zpl_host_status_maps_onto_queue_states() -> None:
    sim = LabelPrinterSim("zpl")
    try:
        assert parse_host_status(sim.host_status()).state is PrinterState.OK
        sim.no_media = True
        assert parse_host_status(sim.host_status()).state is PrinterState.PAPER_OUT
        sim.no_media, sim.cover_open = False, True
        assert parse_host_status(sim.host_status()).state is PrinterState.OFFLINE
        assert parse_host_status(b"garbage").state is PrinterState.UNKNOWN
        assert parse_host_status(b"\x02030\x03\x02001\x03").state is PrinterState.UNKNOWN
    finally:
        sim.close()


# -- faults through loopback: each badge printed once after recovery -------------------------


def wait_until(condition, seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def printed_codes(sim: LabelPrinterSim, profile: LabelProfile, tmp: Path) -> list[str]:
    out = []
    for i, job in enumerate(sim.labels()):
        if profile.language == "brother_ql":
            folder = tmp / f"job{i}"
            folder.mkdir()
            page = read_ql_independently(job, folder)[0]
        else:
            page = read_zpl_graphic(job)[0] if b"^GF" in job else read_zpl(job)[0]
        out += [c for c, _ in qr_codes(page)]
    return out


def label_printer(kind: str, sim: LabelPrinterSim) -> BrotherQLPrinter | ZplNetworkPrinter:
    if kind == "brother_ql":
        profile = profile_of("brother_ql", "62x100", 300)
        printer = BrotherQLPrinter("main", profile, "network", f"127.0.0.1:{sim.port}", 2.0)
    else:
        printer = ZplNetworkPrinter("main", profile_of("zpl", "2.25x4in", 203), "127.0.0.1",
                                    sim.port, 2.0)  # fmt: skip
    printer.status_timeout = 0.3
    return printer


FAULTS = [
    ("brother_ql", "no_media", PrinterState.PAPER_OUT),
    ("brother_ql", "cover_open", PrinterState.OFFLINE),
    ("brother_ql", "wrong_media", PrinterState.OFFLINE),
    ("brother_ql", "off", PrinterState.OFFLINE),
    ("zpl", "no_media", PrinterState.PAPER_OUT),
    ("zpl", "cover_open", PrinterState.OFFLINE),
    ("zpl", "off", PrinterState.OFFLINE),
]


@pytest.mark.parametrize("kind,fault,state", FAULTS, ids=lambda x: getattr(x, "value", x))
def test_faults_hold_badges_then_each_prints_once(
    store: LocalStore, tmp_path: Path, kind: str, fault: str, state: PrinterState
) -> None:
    sim = LabelPrinterSim("ql" if kind == "brother_ql" else "zpl")
    printer = label_printer(kind, sim)
    if fault == "off":
        sim.close()
    elif fault == "wrong_media":
        sim.media = (29, 0)
    else:
        setattr(sim, fault, True)
    ids = [store.queue_print(PrintRequest(r, PrintReason.CHECKIN)) for r in ("R1", "R2", "R6")]
    q = PrintQueue(store, [printer], BadgeMaker(EVENT, BadgeOptions()), SystemClock(),
                   backoff=(0.05, 0.1, 0.2), poll_seconds=0.05, probe_seconds=0)  # fmt: skip
    try:
        q.start()
        assert wait_until(lambda: q.state().state is state)
        time.sleep(0.3)  # several retries while the fault lasts
        assert sim.labels() == []
        # waiting (or being tried again right now), never done
        assert all(store.print_job(i).status in ("pending", "printing") for i in ids)
        message = q.state().message
        assert "badges waiting" in message
        if fault == "no_media":
            assert "Out of paper" in message
        if fault == "off":
            sim.open()
        elif fault == "wrong_media":
            assert "wrong labels" in q.state().last_error
            sim.media = (62, 100)
        else:
            setattr(sim, fault, False)
        assert wait_until(lambda: all(store.print_job(i).status == "done" for i in ids))
        time.sleep(0.2)  # nothing more arrives afterwards
        assert printed_codes(sim, printer.profile, tmp_path) == ["CODE-1", "CODE-2", "CODE-6"]
        assert [store.get(r).print_count for r in ("R1", "R2", "R6")] == [1, 1, 1]
        assert q.state().state is PrinterState.OK and q.state().last_error == ""
    finally:
        q.stop()
        sim.close()


def test_a_printer_that_never_answers_status_prints_but_reports_unknown(tmp_path) -> None:
    sim = LabelPrinterSim("ql")
    sim.answer = False
    try:
        printer = label_printer("brother_ql", sim)
        data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
        status = printer.send(data, "1")
        assert status.state is PrinterState.UNKNOWN
        assert len(sim.wait_for_labels(1, 5)) == 1
    finally:
        sim.close()


# -- `accueil badge ID --print` and --preview, unchanged on every kind ------------------------


def label_site(tmp_path: Path, printer: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[kiosk]\nlanguage = "en"\n[printer]\n{printer}\ntimeout_seconds = 2.0\n'
        '[badge]\nevent_name = "SCC 2026"\n',
        encoding="utf-8",
    )
    with LocalStore(load_config(config).store_path) as store:
        store.save_event(EVENT, SESSIONS)
        store.upsert_registrations(people())
    return config


def run_badge(config: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    badge_command.register(parser.add_subparsers())
    runtime = Runtime(load_config(config))
    try:
        return badge_command.run(parser.parse_args(["badge", *argv, "--lang", "en"]), runtime)
    finally:
        runtime.close()


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_badge_command_prints_and_previews_on_a_label_printer(tmp_path, capsys, kind) -> None:
    sim = LabelPrinterSim("ql" if kind == "brother_ql" else "zpl")
    try:
        site = label_site(tmp_path, f'kind = "{kind}"\nport = {sim.port}')
        assert run_badge(site, "R1", "--print") == 0
        assert "printed (job 1) on main" in capsys.readouterr().out
        profile = label_profile(kind)
        assert printed_codes(sim, profile, tmp_path) == ["CODE-1"]
        preview = tmp_path / "r2.png"
        raw = tmp_path / "r2.bin"
        assert run_badge(site, "R2", "--preview", str(preview), "--escpos", str(raw)) == 0
        kind_words = {"brother_ql": "QL raster", "zpl": "ZPL"}[kind]
        assert f"{kind_words} bytes written" in capsys.readouterr().out
        assert raw.read_bytes().endswith(b"\x1a" if kind == "brother_ql" else b"^XZ\n")
        with Image.open(preview) as img:
            assert [c for c, _ in qr_codes(img)] == ["CODE-2"]
        with LocalStore(load_config(site).store_path) as store:
            assert store.get("R1").print_count == 1
    finally:
        sim.close()


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_badge_command_on_the_preview_of_a_label_printer(tmp_path, capsys, kind) -> None:
    site = label_site(tmp_path, f'kind = "preview"\npreview_as = "{kind}"\nlabel_size = ""')
    assert run_badge(site, "R2", "--print") == 0
    assert "printed (job 1) on main" in capsys.readouterr().out
    with Image.open(tmp_path / "data" / "badges" / "000001-R2.png") as img:
        assert img.height == label_profile(kind).length
        assert [c for c, _ in qr_codes(img)] == ["CODE-2"]


# -- the layout, for any name on any label ------------------------------------------------------

WORDS = st.text(
    alphabet=st.sampled_from("abcdeéèçïôxyzABCDÉLMNOPQ-'محمدبنعليفاطمةالعلوي"),
    min_size=1,
    max_size=14,
)


@settings(max_examples=25, deadline=None)
@given(
    first=st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
    last=st.lists(WORDS, min_size=1, max_size=4).map(" ".join),
    organisation=st.lists(WORDS, max_size=6).map(" ".join),
    label=st.sampled_from(LABELS),
)
def test_any_badge_fits_its_label_with_the_name_largest_and_a_readable_qr(
    first: str, last: str, organisation: str, label: tuple[str, str, int]
) -> None:
    profile = profile_of(*label)
    reg = Registration("P9", first, last, ("CODE-9",), organisation=organisation)
    badge = render_label(badge_content(reg, EVENT, BadgeOptions()), profile.width, profile.length)
    assert badge.image.width == profile.width
    assert badge.image.height == profile.length or profile.continuous
    assert 4 <= badge.qr_module <= 10  # ZPL ^BQ magnification 1-10
    texts = [f for f in badge.fields if f.kind == "text"]
    assert max(f.size for f in texts) == badge.name_size
    assert all(f.x >= 0 and f.x + f.width <= profile.width for f in badge.fields)
    assert all(f.y >= 0 and f.y + f.height <= badge.image.height for f in badge.fields)


def test_a_label_too_small_for_any_badge_is_refused_with_the_reason() -> None:
    content = badge_content(LONG, EVENT, BadgeOptions())
    with pytest.raises(ValueError, match="larger label_size"):
        render_label(content, 456, 120)


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_file_connection_writes_the_job_and_reports_unknown(tmp_path, kind) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")  # a device node stands here on a kiosk
    printer = build(tmp_path, kind=kind, connection="file", file=str(device))
    data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
    status = printer.send(data, "000001-S0002")
    assert status.state is PrinterState.UNKNOWN
    assert device.read_bytes() == data
    missing = build(tmp_path, kind=kind, connection="file", file=str(tmp_path / "no" / "lp0"))
    with pytest.raises(PrinterError):
        missing.send(data, "000002-S0002")


def test_a_ql_that_answers_status_but_sends_no_notification_is_asked_again() -> None:
    sim = LabelPrinterSim("ql")
    sim.notify = False
    try:
        printer = label_printer("brother_ql", sim)
        printer.quiet_seconds = 0.5
        printer.status_timeout = 3.0  # bounded, generous: the job is parsed first
        data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
        start = time.monotonic()
        status = printer.send(data, "1")
        assert status.state is PrinterState.OK  # the answer after the job confirms it
        assert time.monotonic() - start < printer.print_seconds / 2
        # before the job, in the job (brother_ql asks), after the job
        assert sim.status_requests == 3 and len(sim.labels()) == 1
    finally:
        sim.close()


@settings(max_examples=200, deadline=None)
@given(
    err1=st.integers(0, 255),
    err2=st.integers(0, 255),
    width=st.sampled_from([0, 29, 62, 102]),
    length=st.sampled_from([0, 29, 100]),
    media=st.sampled_from([0x00, 0x0A, 0x0B, 0x4A]),
    kind=st.integers(0, 7),
    junk=st.binary(max_size=8),
)
# junk that is itself a status header: the frame after it is the answer
@example(err1=1, err2=0, width=0, length=0, media=0, kind=0, junk=b"\x80\x20\x42")
def test_any_ql_status_answer_maps_to_a_state_and_errors_never_read_as_ok(
    err1, err2, width, length, media, kind, junk
) -> None:
    profile = profile_of("brother_ql", "62x100", 300)
    answer = bytearray(32)
    answer[0:8] = b"\x80\x20\x42\x34\x41\x30\x30\x00"
    answer[8], answer[9], answer[10], answer[11] = err1, err2, width, media
    answer[17], answer[18] = length, kind
    status, _ = parse_ql_status(junk + bytes(answer), profile)
    assert status.state in set(PrinterState)
    if err1 or err2 or media == 0 or (width, length) != (62, 100):
        assert status.state is not PrinterState.OK and status.detail
    if err1 & 0x01 or media == 0:
        assert status.state is PrinterState.PAPER_OUT


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120) | st.text(max_size=120).map(str.encode))
def test_any_host_status_answer_maps_to_a_state(answer: bytes) -> None:
    assert parse_host_status(answer).state in set(PrinterState)


@settings(max_examples=30, deadline=None)
@given(width=st.integers(1, 64), height=st.integers(1, 12), seed=st.integers(0, 2**16))
def test_graphic_field_holds_exactly_the_image_at_any_width(width, height, seed) -> None:
    rng = np.random.default_rng(seed)
    image = Image.fromarray((rng.random((height, width)) > 0.5).astype(np.uint8) * 255)
    zpl = f"^XA^FO0,0{graphic_field(image)}^FS^XZ"
    back = np.asarray(ZebrafyZPL(zpl).to_images()[0].convert("L")) < 128
    assert np.array_equal(back[:, :width], np.asarray(image) < 128)
    assert not back[:, width:].any(), "padding prints"


def test_an_ipv6_printer_address_is_not_taken_for_host_and_port(tmp_path) -> None:
    printer = build(tmp_path, kind="zpl", host="fe80::1")
    assert isinstance(printer, ZplNetworkPrinter) and printer.host == "fe80::1"


def test_a_bad_label_setting_names_the_file_the_table_and_the_key(tmp_path) -> None:
    site = label_site(tmp_path, 'kind = "zpl"\nlabel_size = "4 by 3"')
    runtime = Runtime(load_config(site))
    try:
        with pytest.raises(ConfigError) as err:
            runtime.print_queue  # noqa: B018
    finally:
        runtime.close()
    assert str(err.value).startswith(f"{site}: [printer] label_size = '4 by 3': expected")
    assert err.value.exit_status == 2


@pytest.mark.parametrize("label", [("zpl", "2.25x4in", 203), ("zpl", "4x3in", 300)])
def test_a_logo_goes_as_a_graphic_field_beside_printer_text(tmp_path, label) -> None:
    logo = tmp_path / "logo.png"
    Image.new("L", (300, 120), 0).save(logo)
    options = BadgeOptions(language=Lang.FR, default=Template(logo=str(logo)))
    profile = profile_of(*label)
    encoded = BadgeMaker(EVENT, options).encode(LATIN, profile)
    assert encoded.method == "text" and encoded.data.count(b"^GFA") == 1
    page = read_zpl(encoded.data)[0]
    top = np.asarray(page)[: page.height // 3] < 128
    assert top.sum() > 0.5 * top.shape[1] * 10  # a solid logo at the top
    assert [c for c, _ in qr_codes(page)] == [LATIN.codes[0]]


# -- a network printer that drops the connection around a badge: exactly once ------------------
# Public reports (a p910nd print server: "read: Connection reset by peer" after the whole job
# reached the printer, then the same job "printing over and over"; CUPS repeating a job a
# network print server had printed) are this fault: the job is in, the confirmation is not.


def run_queue(store: LocalStore, printer, regs: tuple[str, ...]) -> tuple[PrintQueue, list[int]]:
    ids = [store.queue_print(PrintRequest(r, PrintReason.CHECKIN)) for r in regs]
    q = PrintQueue(store, [printer], BadgeMaker(EVENT, BadgeOptions()), SystemClock(),
                   backoff=(0.05, 0.1, 0.2), poll_seconds=0.05, probe_seconds=0)  # fmt: skip
    q.start()
    return q, ids


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_a_printer_that_drops_the_connection_after_taking_a_badge_prints_it_once(
    store: LocalStore, tmp_path: Path, kind: str
) -> None:
    sim = LabelPrinterSim("ql" if kind == "brother_ql" else "zpl")
    sim.reset_after_labels = 1  # the first badge comes out, then the connection is reset
    printer = label_printer(kind, sim)
    q, ids = run_queue(store, printer, ("R1", "R2"))
    # A QL's acknowledged bytes prove the badge arrived; a Zebra lost after the recall
    # command leaves the job uncertain (staff check the tray), never printed again by itself.
    first = "done" if kind == "brother_ql" else "uncertain"
    try:
        assert wait_until(
            lambda: (
                store.print_job(ids[0]).status == first and store.print_job(ids[1]).status == "done"
            )
        )
        time.sleep(0.5)  # nothing more arrives afterwards
        assert printed_codes(sim, printer.profile, tmp_path) == ["CODE-1", "CODE-2"]
        assert store.get("R2").print_count == 1
    finally:
        q.stop()
        sim.close()


@pytest.mark.parametrize("kind", ["brother_ql", "zpl"])
def test_a_connection_reset_mid_badge_prints_that_badge_whole_once(
    store: LocalStore, tmp_path: Path, kind: str
) -> None:
    sim = LabelPrinterSim("ql" if kind == "brother_ql" else "zpl")
    printer = label_printer(kind, sim)
    size = len(BadgeMaker(EVENT, BadgeOptions()).encode(people()[0], printer.profile).data)
    sim.reset_after = size // 2
    q, ids = run_queue(store, printer, ("R1", "R2"))
    try:
        assert wait_until(lambda: all(store.print_job(i).status == "done" for i in ids))
        time.sleep(0.5)
        assert printed_codes(sim, printer.profile, tmp_path) == ["CODE-1", "CODE-2"]
        assert store.print_job(ids[0]).attempts >= 2  # the first try was cut off
    finally:
        q.stop()
        sim.close()


@pytest.mark.parametrize("noise", [b"\x00\x12\x34", b"\x80\x20", b"\xff" * 31, b"\x80\x20\x42"])
def test_a_ql_status_after_garbage_is_still_read(store: LocalStore, tmp_path, noise) -> None:
    """Stray bytes before an answer (a late message, line noise) must not hide "no labels":
    a badge sent to a printer without labels would be counted printed and lost."""
    sim = LabelPrinterSim("ql")
    sim.noise = noise
    sim.no_media = True
    printer = label_printer("brother_ql", sim)
    printer.status_timeout = 1.0
    q, ids = run_queue(store, printer, ("R1",))
    try:
        assert wait_until(lambda: q.state().state is PrinterState.PAPER_OUT)
        assert store.print_job(ids[0]).status in ("pending", "printing")
        sim.no_media = False
        assert wait_until(lambda: store.print_job(ids[0]).status == "done")
        time.sleep(0.3)
        assert printed_codes(sim, printer.profile, tmp_path) == ["CODE-1"]
        assert q.state().state is PrinterState.OK
    finally:
        q.stop()
        sim.close()


def test_a_ql_that_reports_its_phases_confirms_each_badge(tmp_path) -> None:
    sim = LabelPrinterSim("ql")
    sim.phases = True  # "phase change" before and after "printing completed"
    try:
        printer = label_printer("brother_ql", sim)
        data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
        for _ in range(2):
            assert printer.send(data, "000001-S0002").state is PrinterState.OK
        assert len(sim.labels()) == 2
    finally:
        sim.close()


NO_MARK = st.binary(max_size=40).filter(lambda b: 0x80 not in b)  # no header can start here


@settings(max_examples=200, deadline=None)
@given(
    noise=NO_MARK,
    bodies=st.lists(st.binary(min_size=29, max_size=29).filter(lambda b: 0x80 not in b),
                    min_size=1, max_size=3),
    cut=st.lists(st.integers(1, 40), max_size=8),
)  # fmt: skip
def test_status_frames_come_out_whole_whatever_the_noise_and_the_chunks(noise, bodies, cut):
    frames = [STATUS_HEADER + body for body in bodies]
    stream = noise + b"".join(frames)
    got, kept, pos = [], b"", 0
    for size in [*cut, len(stream)]:  # the bytes as they might arrive, in pieces
        kept += stream[pos : pos + size]
        pos += size
        for _ in range(len(frames) + 1):
            frame, kept = take_frame(kept)
            if not frame:
                break
            got.append(frame)
    assert got == frames
    assert len(kept) < len(STATUS_HEADER)


@pytest.mark.parametrize("configured,head", [(203, 12), (300, 8)])
def test_a_zebra_with_another_head_than_dpi_says_so_and_prints_nothing(
    store: LocalStore, tmp_path, configured, head
) -> None:
    """dpi = 300 on a 203 dpi head prints a badge larger than the label (cut off); 203 on
    300 prints it at two thirds. ~HI tells the head's dots per mm: nothing prints, the
    state says what to set."""
    sim = LabelPrinterSim("zpl")
    sim.dots_per_mm = head
    printer = ZplNetworkPrinter("main", profile_of("zpl", "2.25x4in", configured), "127.0.0.1",
                                sim.port, 2.0)  # fmt: skip
    printer.status_timeout = 0.5
    q, ids = run_queue(store, printer, ("R1",))
    try:
        assert wait_until(lambda: "dpi" in q.state().last_error)
        error = q.state().last_error
        right = {8: 203, 12: 300}[head]
        assert f"dpi = {right}" in error and q.state().state is PrinterState.OFFLINE
        time.sleep(0.3)
        assert sim.labels() == [] and store.print_job(ids[0]).status in ("pending", "printing")
    finally:
        q.stop()
        sim.close()


@pytest.mark.parametrize("answer", [b"", b"\x02garbage\x03", b"\x02ZD421,V1,x,1KB\x03"])
def test_a_zebra_that_does_not_tell_its_head_still_prints(tmp_path, answer) -> None:
    from printers.zpl import head_dpi

    assert head_dpi(answer) is None
    assert head_dpi(b"\x02ZD421-300dpi,V84.20.18Z,12,8176KB\x03\r\n") == 300


ANSWERS = st.builds(
    lambda paper, head, pause: (
        f"\x02030,{paper},{pause},1218,000,0,0,0,000,0,0,0\x03\r\n"
        f"\x02001,0,{head},0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
    ).encode("ascii"),
    st.sampled_from("01"),
    st.sampled_from("01"),
    st.sampled_from("01"),
)


@settings(max_examples=200, deadline=None)
@given(stale=ANSWERS, cut=st.integers(0, 120), answer=ANSWERS)
def test_a_host_status_read_after_the_tail_of_a_late_answer_is_the_fresh_one(stale, cut, answer):
    """An answer that came after its time out leaves its tail before the next one."""
    assert parse_host_status(stale[cut:] + answer) == parse_host_status(answer)


@pytest.mark.parametrize(
    "code,state",
    [(0x43, PrinterState.OFFLINE), (0x35, PrinterState.OK), (0x39, PrinterState.OK)],
)  # QL-1100: a 1296-dot head; QL-700 and QL-810W: the QL-820NWB's 720 dots
def test_a_ql_of_another_head_than_label_model_says_so_before_printing(code, state) -> None:
    sim = LabelPrinterSim("ql")
    sim.model_code = code
    try:
        printer = label_printer("brother_ql", sim)  # label_model QL-820NWB
        status = printer.probe()
        assert status.state is state
        if state is PrinterState.OFFLINE:
            assert "label_model = 'QL-1100'" in status.detail
            data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
            with pytest.raises(PrinterError, match="QL-1100"):
                printer.send(data, "000001-S0002")
            assert sim.labels() == []
    finally:
        sim.close()


def test_a_ql_that_sends_half_a_status_prints_once_and_is_not_called_fine() -> None:
    sim = LabelPrinterSim("ql")
    sim.half = True
    try:
        printer = label_printer("brother_ql", sim)
        data = BadgeMaker(EVENT, BadgeOptions()).encode(LATIN, printer.profile).data
        status = printer.send(data, "000001-S0002")
        assert status.state is PrinterState.UNKNOWN
        assert len(sim.wait_for_labels(1, 5)) == 1
        time.sleep(0.3)
        assert len(sim.labels()) == 1
    finally:
        sim.close()


HOSTILE = [
    ("Zoé ^XZ^XA^FO0,0^GB800,800,800^FS", "~JR~JA"),  # end the label, reset the printer
    ("_5E_7E", "__"),  # the ^FH escape itself
    ("\u202eJohn", "Smith\u202c"),  # right-to-left override
    ("Ana 🎉", "Li"),  # no font has it
    ("Zoe\u0301", "Ngu\u0303yen"),  # combining marks
    ("A" * 300, "B" * 300),  # past a ^FD's 3 KB with the escapes
    ("A\x00\x1b\n\rB", "C\x7f"),  # control characters
]


@pytest.mark.parametrize("first,last", HOSTILE)
@pytest.mark.parametrize("label", [("zpl", "2.25x4in", 203), ("brother_ql", "62x100", 300)])
def test_a_name_built_to_break_the_printer_prints_one_label_that_scans(
    first, last, label, tmp_path
) -> None:
    profile = profile_of(*label)
    reg = Registration("P0302", first, last, ("CODE-302",))
    encoded = BadgeMaker(EVENT, BadgeOptions()).encode(reg, profile)
    if profile.language == "zpl":
        assert encoded.data.count(b"^XA") == 1 and encoded.data.count(b"^XZ") == 1
        assert b"~" not in encoded.data
        pages = read_zpl(encoded.data)
    else:
        pages = read_ql_independently(encoded.data, tmp_path)
    assert len(pages) == 1
    assert [c for c, _ in qr_codes(pages[0])] == ["CODE-302"]
