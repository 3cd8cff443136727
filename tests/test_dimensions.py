from datetime import UTC, datetime

from airlake.dimensions import as_of, merge

T0, T1, T2 = (datetime(2026, 11, d, 10, tzinfo=UTC) for d in (1, 2, 3))
ATTRS = ["name", "budget"]


def row(key: str, name: str, budget: int, at: datetime) -> dict:
    return {"id": key, "name": name, "budget": budget, "updated_at": at}


def test_insert_update_delete_and_rerun() -> None:
    v1, c1 = merge([], [row("a", "A", 10, T0), row("b", "B", 20, T0)], {"a", "b"}, "id", ATTRS, T0)
    assert (c1.inserted, c1.updated, c1.deleted) == (2, 0, 0)
    v2, c2 = merge(v1, [row("a", "A2", 10, T1)], {"a", "b"}, "id", ATTRS, T1)
    assert (c2.inserted, c2.updated, c2.deleted) == (0, 1, 0)
    v3, c3 = merge(v2, [], {"a"}, "id", ATTRS, T2)
    assert (c3.inserted, c3.updated, c3.deleted) == (0, 0, 1)
    assert [(v["id"], v["name"], v["valid_from"], v["valid_to"], v["is_current"]) for v in v3] == [
        ("a", "A", T0, T1, False),
        ("a", "A2", T1, None, True),
        ("b", "B", T0, T2, False),
    ]
    again, c4 = merge(v3, [row("a", "A2", 10, T1)], {"a"}, "id", ATTRS, T2)
    assert not c4.any and again == v3
    assert as_of(v3, "a", "id", T0)["name"] == "A"
    assert as_of(v3, "a", "id", T2)["name"] == "A2"
    assert as_of(v3, "b", "id", T2) is None


def test_a_deleted_key_that_comes_back_opens_a_new_version() -> None:
    v1, _ = merge([], [row("a", "A", 1, T0)], {"a"}, "id", ATTRS, T0)
    v2, _ = merge(v1, [], set(), "id", ATTRS, T1)
    v3, c = merge(v2, [row("a", "A", 1, T2)], {"a"}, "id", ATTRS, T2)
    assert c.inserted == 1
    assert [v["is_current"] for v in v3] == [False, True]
