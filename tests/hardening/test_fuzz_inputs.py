"""Fuzzing the inputs a person hands us: registration files and config.toml.

Whatever the bytes, the importer either returns registrations or raises
RegistrationImportError (with file/line), the store is unchanged after a refusal, and the
config loader either loads or raises ConfigError naming the file.
"""

from __future__ import annotations

import contextlib
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, load_config
from sync.importers import RegistrationImportError, load_registrations
from sync.store import LocalStore

HEADERS = ["id", "first_name", "last_name", "email", "role", "days", "status", "codes", "lang",
           "valid_from", "sessions", "Order code", "Position ID", "Status", "Attendee #"]  # fmt: skip
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "1;2", "9", "speaker", "paid", "x@y.z", "fr", "2026-12-08T09:00"]),
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(cell, min_size=0, max_size=9), max_size=6),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_csv_importer_never_crashes_and_refusals_change_nothing(
    tmp_path_factory, headers, rows, sep
):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "regs.csv"
    lines = [sep.join(headers)] + [sep.join(c.replace("\n", " ") for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with LocalStore(folder / "k.db") as store:
        try:
            regs = load_registrations(path)
        except RegistrationImportError as err:
            assert err.problems and all(p.file == str(path) for p in err.problems)
            assert store.count_registrations() == 0
            return
        store.upsert_registrations(regs)
        assert store.count_registrations() == len(regs)


@FUZZ
@given(st.binary(max_size=300))
def test_importer_on_arbitrary_bytes(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("r.csv", "r.json"):
        (folder / name).write_bytes(data)
        with contextlib.suppress(RegistrationImportError):
            load_registrations(folder / name)


toml_value = st.one_of(
    st.integers(-5, 100000), st.booleans(), st.text(max_size=10), st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=5), max_size=3),
)  # fmt: skip
sections = st.sampled_from(
    ["kiosk", "event", "door", "camera", "printer", "badge", "sync", "staff", "hub", "nope"]
)
keys = st.sampled_from(
    ["id", "mode", "width", "fps", "kind", "port", "source", "day", "registrations", "zzz", "url"]
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


@FUZZ
@given(st.dictionaries(sections, st.dictionaries(keys, toml_value, max_size=4), max_size=4))
def test_config_loader_loads_or_names_the_problem(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    text = "\n".join(
        f"[{s}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in body.items())
        for s, body in doc.items()
    )
    path.write_text(text, encoding="utf-8")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    try:
        load_config(path)
    except ConfigError as err:
        assert str(path) in str(err)
