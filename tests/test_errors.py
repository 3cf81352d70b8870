"""One error tree: each adapter's failures arrive as the right AccueilError, with its data.

Real parts: a loopback HTTP server answering any status, the real hub, real files.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import errors
from kiosk.config import load_config
from sync.hub_client import HubSource
from sync.remote import SourceRejected, SourceUnavailable, send
from tests.sync.servers import HubThread, free_port


class _Answer(BaseHTTPRequestHandler):
    """Answers /<status>/<reason> with that status and a pretix-like JSON error body."""

    def _reply(self) -> None:
        parts = self.path.strip("/").split("/")
        status = int(parts[0]) if parts[0].isdigit() else 404
        reason = parts[1] if len(parts) > 1 else ""
        body = json.dumps({"status": "error", "reason": reason, "detail": "said the server"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def answering() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(status=st.integers(200, 599), reason=st.sampled_from(["", "already_redeemed", "unpaid"]))
def test_every_status_is_sorted_by_its_fields(answering, status, reason):
    with httpx.Client(base_url=answering, timeout=5) as client:
        try:
            response = send(client, "pretix", "GET", f"/{status}/{reason}", token_hint="fix it")
        except errors.SourceError as exc:
            assert isinstance(exc, errors.AccueilError)
            assert (exc.source, exc.status, exc.reason) == ("pretix", status, reason)
            assert exc.detail == "said the server"
            if status in (401, 403):
                assert isinstance(exc, errors.SourceAuthError)
                assert isinstance(exc, errors.AuthError) and isinstance(exc, SourceRejected)
                assert not exc.temporary
            else:
                assert status == 429 or status >= 500
                assert isinstance(exc, SourceUnavailable) and exc.temporary
        else:
            assert response.status_code == status
            assert status not in (401, 403, 429) and status < 500


def test_an_unreachable_source_is_temporary_with_no_status():
    port = free_port()  # nothing listens there
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2)
    with client, pytest.raises(SourceUnavailable) as caught:
        send(client, "hub", "GET", "/v1/changes", token_hint="")
    assert caught.value.temporary and caught.value.status is None
    assert caught.value.source == "hub"


def test_the_hub_refusing_a_token_is_an_auth_error(tmp_path):
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", "organiser")
    try:
        source = HubSource(hub.url, "not-a-token", "k1", timeout=3)
        with pytest.raises(errors.SourceAuthError) as caught:
            source.pull(None)
        assert (caught.value.source, caught.value.status) == ("hub", 401)
        source.close()
        # A real token, of another kiosk: refused before any scan goes up
        other = HubSource(hub.url, hub.db.create_token("k2"), "k1", timeout=3)
        with pytest.raises(errors.SourceAuthError) as caught:
            other.pull(None)
        assert caught.value.reason == "token_of_another_kiosk"
        other.close()
    finally:
        hub.stop()


def test_a_hub_without_heartbeat_is_told_by_the_status_not_the_text(answering):
    # /v1/heartbeat answers 404 here: the heartbeat is a courtesy and stays silent…
    source = HubSource(answering, "token", "k1", timeout=3)
    source.heartbeat({"pending_uploads": 0})
    # …while other refusals still arrive with their status.
    with pytest.raises(SourceRejected) as caught:
        source._call("GET", "/409/conflict")
    assert (caught.value.status, caught.value.reason) == (409, "conflict")
    source.close()


def test_a_bad_config_value_names_file_section_key_and_expectation(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[sync]\ninterval_seconds = "soon"\n')
    with pytest.raises(errors.ConfigError) as caught:
        load_config(path)
    exc = caught.value
    assert (exc.file, exc.section, exc.key) == (str(path), "sync", "interval_seconds")
    assert exc.expected and "number" in exc.expected and exc.exit_status == 2
    path.write_text("[sync]\nsurce = 'hub'\n")
    with pytest.raises(errors.ConfigError) as caught:
        load_config(path)
    assert (caught.value.section, caught.value.key) == ("sync", "surce")


def test_file_errors_are_input_file_errors(tmp_path):
    from kiosk.signing import KeyFileError, load_verifier
    from sync.importers import EventFileError, load_event

    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    with pytest.raises(EventFileError) as caught:
        load_event(bad)
    assert isinstance(caught.value, errors.InputFileError) and isinstance(caught.value, ValueError)
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(bad), 1, 2)
    bad.write_text('{"timezone": "Mars/Olympus"}')
    with pytest.raises(EventFileError) as caught:
        load_event(bad)
    assert caught.value.file == str(bad) and caught.value.line is None
    key = tmp_path / "organiser.pub"
    key.write_text("not a key\n")
    with pytest.raises(KeyFileError) as key_error:
        load_verifier(key)
    assert isinstance(key_error.value, errors.InputFileError)
    assert key_error.value.file == str(key)


def test_a_printer_that_is_not_there_is_a_printer_error(tmp_path):
    from printers.devices import NetworkPrinter, PrinterOffline
    from printers.encode import load_profile

    port = free_port()
    printer = NetworkPrinter("main", load_profile("TM-T88V", 0), "127.0.0.1", port, 1.0)
    with pytest.raises(PrinterOffline) as caught:
        printer.send(b"\x1b@", "R1")
    assert isinstance(caught.value, errors.PrinterError) and caught.value.temporary


def test_a_stored_pin_hash_that_cannot_be_read_names_its_key(tmp_path):
    from kiosk.staff_auth import PinFormatError, StaffAuth

    with pytest.raises(PinFormatError) as caught:
        StaffAuth("scrypt$broken", "", tmp_path / "lockout.json")
    assert caught.value.key == "pin_hash" and isinstance(caught.value, errors.AuthError)


def test_store_and_hub_errors_belong_to_the_tree():
    from sync.store import StoreError

    assert issubclass(StoreError, errors.StorageError) and issubclass(StoreError, RuntimeError)
    hub_db = pytest.importorskip("sync.hub.db")
    assert issubclass(hub_db.HubError, errors.AccueilError)


def test_the_error_module_is_pure():
    source = Path(errors.__file__).read_text()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["from __future__ import annotations", "from typing import Any, ClassVar"]


@pytest.mark.parametrize("language", ["escpos", "ql", "zpl"])
def test_paper_out_is_the_same_refusal_in_every_printer_language(tmp_path, language):
    """One status-confirmed send (printers.devices.StatusConfirmed) for ESC/POS, Brother QL
    and ZPL: paper out before the job stops it before a byte is sent, as a PaperOut that
    names the printer."""
    from printers.devices import NetworkPrinter, PaperOut, StatusConfirmed
    from printers.encode import load_profile
    from printers.labels import label_profile
    from printers.ql import BrotherQLPrinter
    from printers.zpl import ZplNetworkPrinter
    from tests.printers import fakeprinter
    from tests.printers.labelprinter import LabelPrinterSim

    if language == "escpos":
        sim = fakeprinter.FakePrinter()
        sim.paper = fakeprinter.PAPER_OUT
        printer: StatusConfirmed = NetworkPrinter(
            "desk", load_profile("TM-T88V", 0), "127.0.0.1", sim.port, 2.0
        )
    else:
        sim = LabelPrinterSim(language)
        sim.no_media = True
        if language == "ql":
            profile = label_profile("brother_ql", "", "62x100", 0)
            printer = BrotherQLPrinter("desk", profile, "network", f"127.0.0.1:{sim.port}", 2.0)
        else:
            profile = label_profile("zpl", "", "2.25x4in", 203)
            printer = ZplNetworkPrinter("desk", profile, "127.0.0.1", sim.port, 2.0)
    try:
        assert isinstance(printer, StatusConfirmed)
        with pytest.raises(PaperOut) as caught:
            printer.send(b"^XA^XZ" if language == "zpl" else b"\x1b@", "R1")
        assert isinstance(caught.value, errors.PrinterError)
        assert caught.value.printer == "desk" and caught.value.temporary
    finally:
        sim.close()
    jobs = sim.jobs() if language == "escpos" else sim.labels()
    assert jobs in ([], [b""])  # nothing of the badge was sent


def test_an_unreachable_label_printer_names_itself(tmp_path):
    from printers.devices import PrinterOffline
    from printers.labels import label_profile
    from printers.zpl import ZplNetworkPrinter

    profile = label_profile("zpl", "", "2.25x4in", 203)
    printer = ZplNetworkPrinter("badges-2", profile, "127.0.0.1", free_port(), 1.0)
    for attempt in (printer.probe, lambda: printer.send(b"^XA^XZ", "R1")):
        with pytest.raises(PrinterOffline) as caught:
            attempt()
        assert caught.value.printer == "badges-2"
