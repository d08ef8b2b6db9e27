"""Asset values validate themselves: names, tags, metadata, dependencies."""

import pytest

from domain.assets.errors import InvalidAssetError
from domain.assets.model import (
    MAX_METADATA_ENTRIES,
    MAX_TAGS,
    check_metadata,
    check_name,
    check_tags,
)


def test_names_are_trimmed_and_bounded() -> None:
    assert check_name("  Hero   rig  ") == "Hero rig"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(InvalidAssetError):
            check_name(bad)


def test_tags_are_lowercased_deduplicated_and_bounded() -> None:
    assert check_tags(("Hero", "hero ", "Rig", "")) == ("hero", "rig")
    with pytest.raises(InvalidAssetError):
        check_tags(tuple(f"t{i}" for i in range(MAX_TAGS + 1)))
    with pytest.raises(InvalidAssetError):
        check_tags(("x" * 41,))


def test_metadata_is_a_bounded_string_map() -> None:
    assert check_metadata({"fps": "24"}) == {"fps": "24"}
    for bad in (
        {f"k{i}": "v" for i in range(MAX_METADATA_ENTRIES + 1)},
        {"": "empty key"},
        {"k": "v" * 1025},
    ):
        with pytest.raises(InvalidAssetError):
            check_metadata(bad)
