"""Sources are plug-ins: one registered in a test is configured, built and synced through
exactly like the hub or pretix, with no change to main.py, config.py or the engine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pytest

import main
from kiosk.config import ConfigError, Range, load_config
from kiosk.core.model import Registration
from kiosk.core.ports import OutboxItem
from kiosk.registry import (
    SourceContext,
    SourceKind,
    describe_options,
    register_source,
    source_kind,
    source_kinds,
    unregister_source,
)
from sync.engine import SyncEngine
from sync.remote import PullResult, PushResult
from tests.conftest import demo_config


@dataclass
class TinyOptions:
    prefix: str = field(default="T", metadata={"help": "ids and codes start with this"})
    people: Annotated[int, Range(ge=1, le=100)] = field(
        default=3, metadata={"help": "how many registrations the source holds"}
    )
    refuse: list[str] = field(default_factory=list, metadata={"help": "kinds it refuses"})


class TinySource:
    """A registration source in memory: a few people; takes every outbox item but the
    kinds it is told to refuse, and says why."""

    name = "tiny"

    def __init__(self, options: TinyOptions) -> None:
        self.options = options
        self.received: list[OutboxItem] = []
        self.rejected: dict[int, str] = {}
        self.closed = False

    def pull(self, cursor: str | None) -> PullResult:
        p = self.options.prefix
        people = [
            Registration(f"{p}-{n}", "Tiny", f"Person {n}", (f"{p}-CODE-{n}",))
            for n in range(1, self.options.people + 1)
        ]
        return PullResult(registrations=people if cursor is None else [], cursor="all")

    def push(self, items: Sequence[OutboxItem]) -> PushResult:
        self.rejected = {
            i.seq: "tiny refuses " + i.kind for i in items if i.kind in self.options.refuse
        }
        taken = [i for i in items if i.seq not in self.rejected]
        self.received.extend(taken)
        return PushResult(acknowledged=[i.seq for i in taken])

    def close(self) -> None:
        self.closed = True


def build_tiny(ctx: SourceContext) -> TinySource:
    return TinySource(ctx.options)


TINY = SourceKind(
    name="tiny",
    help="a source in memory, for this test",
    options=TinyOptions,
    build=build_tiny,
    abilities=frozenset(("rejected", "close")),
)


@pytest.fixture
def tiny() -> Iterator[SourceKind]:
    register_source(TINY)
    yield TINY
    unregister_source("tiny")


def _kiosk(tmp_path: Path, tables: str) -> main.Runtime:
    config = demo_config(tmp_path, "k1", "Entrance 1", tables)
    assert main.main(["--config", str(config), "setup"]) == 0
    return main.Runtime(load_config(config))


def test_a_source_registered_in_a_test_syncs_through_the_kiosk(tiny, tmp_path):
    rt = _kiosk(tmp_path, '[sync]\nsource = "tiny"\n[tiny]\nprefix = "X"\npeople = 2\n')
    try:
        engine = rt.sync_engine
        assert isinstance(engine, SyncEngine) and isinstance(engine.source, TinySource)
        assert engine.abilities == TINY.abilities
        report = engine.sync_once()
        assert report.registrations == 2
        result = rt.checkin.check("X-CODE-2")
        assert result.scan.registration_id == "X-2" and result.scan.accepted
        assert rt.store.count_pending() == 1
        report = engine.sync_once()
        assert report.uploaded == 1 and rt.store.count_pending() == 0
        assert [item.kind for item in engine.source.received] == ["scan"]
    finally:
        rt.close()


def test_a_refusal_is_kept_with_the_reason_the_source_gave(tiny, tmp_path):
    rt = _kiosk(tmp_path, '[sync]\nsource = "tiny"\n[tiny]\nrefuse = ["scan"]\n')
    try:
        engine = rt.sync_engine
        engine.sync_once()
        rt.checkin.check("T-CODE-1")
        engine.sync_once()
        assert rt.store.count_pending() == 1  # nothing lost: it waits in the outbox
        assert "tiny refuses scan" in engine.status().last_error
        assert rt.store.outbox_failures()[-1]["last_error"] == "tiny refuses scan"
    finally:
        rt.close()


def test_the_source_options_are_checked_like_every_key(tiny, tmp_path):
    config = demo_config(tmp_path, extra='[sync]\nsource = "tiny"\n[tiny]\npeople = 0\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert (caught.value.section, caught.value.key) == ("tiny", "people")
    assert "[tiny] people = 0: expected an integer at least 1" in str(caught.value)
    config.write_text(config.read_text().replace("people = 0", "peeple = 2"))
    with pytest.raises(ConfigError, match=r"unknown key 'peeple' in \[tiny\]"):
        load_config(config)


def test_an_unknown_source_names_the_registered_ones(tiny, tmp_path):
    config = demo_config(tmp_path, extra='[sync]\nsource = "tinny"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert (caught.value.section, caught.value.key) == ("sync", "source")
    assert all(repr(name) in str(caught.value) for name in ("none", "hub", "pretix", "tiny"))
    assert main.main(["--config", str(config), "sync", "status", "--lang", "en"]) == 2


def test_without_the_plug_in_its_table_is_unknown(tmp_path):
    assert "tiny" not in source_kinds()
    config = demo_config(tmp_path, extra="[tiny]\npeople = 2\n")
    with pytest.raises(ConfigError, match=r"unknown section \[tiny\]"):
        load_config(config)


def test_the_built_in_sources_declare_options_and_abilities():
    hub, pretix = source_kind("hub"), source_kind("pretix")
    assert {"heartbeat", "confirm", "close"} <= hub.abilities
    assert "lists" in pretix.abilities and "heartbeat" not in pretix.abilities
    assert source_kind("none").build is None
    for kind in (hub, pretix):
        options = describe_options(kind.options)
        assert {"url", "token"} <= {name for name, *_ in options}
        assert all(help_text for *_, help_text in options), kind.name
    with pytest.raises(ValueError, match="already registered"):
        register_source(SourceKind("hub", "another hub", None, None))
    with pytest.raises(ValueError, match="unknown abilities"):
        SourceKind("odd", "", None, None, abilities=frozenset({"teleport"}))
