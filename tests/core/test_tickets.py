"""Signed tickets: genuine ones pass; forged, altered, truncated, foreign ones do not."""

from __future__ import annotations

import contextlib

import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import tickets
from kiosk.core.model import Role
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from tests.conftest import EVENT

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def verify_with(key):
    def verify(message: bytes, signature: bytes) -> bool:
        try:
            key.public_key().verify(signature, message)
        except Exception:
            return False
        return True

    return verify


VERIFY = verify_with(KEY)


def ticket(reg_id="R1", role=Role.SPEAKER, days=frozenset({1}), slug=EVENT.slug, key=KEY):
    return tickets.encode(reg_id, role, days, slug, key.sign)


def test_round_trip_keeps_id_role_and_days():
    parsed = tickets.decode(ticket(), VERIFY)
    assert (parsed.registration_id, parsed.role, parsed.days) == (
        "R1",
        Role.SPEAKER,
        frozenset({1}),
    )


def test_payload_is_qr_alphanumeric_and_small():
    text = ticket("S0001")
    assert set(text) <= set(tickets._ALPHABET)
    assert len(text) == 113
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text, optimize=0)
    qr.make(fit=True)
    assert qr.version == 5


def test_base45_round_trip_on_every_length():
    for n in range(0, 70):
        data = bytes((i * 37 + n) % 256 for i in range(n))
        assert tickets.b45decode(tickets.b45encode(data)) == data


def service_with(store, clock):
    return CheckinService(store, store, clock, EVENT, KioskIdentity("k", "K"), VERIFY)


def test_valid_ticket_for_registration_not_yet_synced_is_accepted_provisionally(store, clock):
    result = service_with(store, clock).check(ticket("NEW-99"))
    assert result.verdict.ok and result.verdict.provisional
    assert result.scan.registration_id == "NEW-99"
    again = service_with(store, clock).check(ticket("NEW-99"))
    assert again.verdict.reason is Reason.ALREADY_CHECKED_IN


def test_valid_ticket_of_known_registration_uses_its_status(store, clock):
    assert service_with(store, clock).check(ticket("R3")).verdict.reason is Reason.SUPERSEDED
    store.add_codes("R3", [ticket("R3")])
    assert service_with(store, clock).check(ticket("R3")).verdict.reason is Reason.CANCELLED


def test_forged_altered_truncated_and_foreign_are_refused(store, clock):
    svc = service_with(store, clock)
    genuine = ticket()
    altered = genuine[:20] + ("A" if genuine[20] != "A" else "B") + genuine[21:]
    truncated = genuine[:-7]
    foreign = ticket(key=OTHER)
    forged = tickets.PREFIX + tickets.b45encode(bytes([0x10, 0, 0, 1]) + b"R1" + bytes(64))
    for code in (altered, truncated, foreign, forged, "A1:", "A1:%%%"):
        assert svc.check(code).verdict.reason is Reason.INVALID_SIGNATURE, code


def test_ticket_of_another_event_is_wrong_event(store, clock):
    other_event = ticket(slug="another-event")
    assert service_with(store, clock).check(other_event).verdict.reason is Reason.WRONG_EVENT


def test_kiosk_without_public_key_refuses_signed_tickets(service):
    assert service.check(ticket()).verdict.reason is Reason.INVALID_SIGNATURE


def test_opaque_codes_from_other_systems_are_accepted_by_lookup(service):
    assert service.check("CODE-1").verdict.ok


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_parser(data):
    for text in (tickets.PREFIX + tickets.b45encode(data), data.decode("latin-1")):
        with contextlib.suppress(tickets.TicketError):
            tickets.decode(text, VERIFY)


@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_parser(text):
    for candidate in (text, tickets.PREFIX + text):
        with contextlib.suppress(tickets.TicketError):
            tickets.decode(candidate, VERIFY)
