"""What a person types into staff search reaches SQLite's FTS5 query parser: any text at
all must give a list of registrations (maybe empty), never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.store import LocalStore


def test_a_nul_character_is_a_search_like_any_other(store: LocalStore) -> None:
    assert store.search("\x00") == []
    assert {r.id for r in store.search("a\x00")} == {r.id for r in store.search("a")}
    assert [r.id for r in store.search("\x00helene\x00")] == ["R1"]
    assert [r.id for r in store.search('hel\x00"ene')] == []  # the quote stays literal


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_searches_without_raising(store: LocalStore, text: str) -> None:
    found = store.search(text)
    assert isinstance(found, list) and len(found) <= 20


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(["\x00", "\x01", "\x7f", "\t", "\r", '"', "*", "^", "(", ":"]))
def test_control_and_query_syntax_around_a_name_still_finds_it(
    store: LocalStore, noise: str
) -> None:
    assert "R1" in [r.id for r in store.search(f"{noise}dupont{noise}")]
