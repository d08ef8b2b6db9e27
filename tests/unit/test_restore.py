"""``restore``: a stored entity rebuilt without its checks equals the one the constructor made."""

from dataclasses import astuple, dataclass, fields

import pytest

from domain.assets.model import Asset
from domain.shared.restore import restore
from tests.support import builders as make


def test_a_restored_asset_equals_the_constructed_one_field_for_field() -> None:
    built = make.asset(make.user(make.studio()), tags=("hero", "rig"), metadata={"dcc": "maya"})
    values = tuple(getattr(built, field.name) for field in fields(Asset))
    restored = restore(Asset, *values)
    assert restored == built
    assert type(restored) is Asset
    assert restored.etag == built.etag


def test_every_field_must_be_given_in_order() -> None:
    built = make.asset(make.user(make.studio()))
    values = tuple(getattr(built, field.name) for field in fields(Asset))
    with pytest.raises(TypeError, match="16 fields, got 15"):
        restore(Asset, *values[:-1])


def test_only_slotted_dataclasses_are_restored() -> None:
    @dataclass(frozen=True)
    class Loose:
        value: int

    with pytest.raises(TypeError, match="not a slotted dataclass"):
        restore(Loose, 1)
    assert astuple(Loose(1)) == (1,)
