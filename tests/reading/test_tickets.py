"""Our own signed tickets, shown on a phone at kiosk distance, read back and verified."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.core import tickets
from kiosk.core.model import Role
from kiosk.reading.decoders import PipelineDecoder
from kiosk.reading.synthetic import busy_background, camera_effects, place, qr_version, render_code
from kiosk.signing import generate, load_signer, load_verifier


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    folder: Path = tmp_path_factory.mktemp("keys")
    generate(folder / "organiser.key", folder / "organiser.pub", seed=bytes(range(32)))
    return load_signer(folder / "organiser.key"), load_verifier(folder / "organiser.pub")


@pytest.mark.parametrize("dark_mode", [False, True], ids=["light", "dark-mode"])
@pytest.mark.parametrize("module_px", [3.0, 4.5])
def test_signed_ticket_on_a_phone_reads_and_verifies(
    keys, dark_mode: bool, module_px: float
) -> None:
    sign, verify = keys
    text = tickets.encode("R0042", Role.SPEAKER, frozenset({1, 2}), "smart-city-2026", sign)
    assert qr_version(text, "M") <= 5
    rng = np.random.default_rng(3)
    code = render_code(text, module_px, "M", dark_mode=dark_mode)
    scene, _ = place(code, busy_background(1280, 720, rng), (700, 330), tilt=0.2, rotate_deg=15)
    frame = camera_effects(scene, rng, blur=0.8, noise=6)
    read = [d.text for d in PipelineDecoder().decode(frame)]
    assert read == [text]
    ticket = tickets.decode(read[0], verify)
    assert (ticket.registration_id, ticket.role, ticket.days) == (
        "R0042",
        Role.SPEAKER,
        frozenset({1, 2}),
    )
