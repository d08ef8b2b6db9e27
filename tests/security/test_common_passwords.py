"""The bundled common-password list: big enough, case-insensitive, read once."""

from pathlib import Path

import pytest

from adapters.security.common_passwords import BundledCommonPasswords, bundled_list


@pytest.fixture(scope="module")
def common() -> BundledCommonPasswords:
    return BundledCommonPasswords()


def test_the_list_is_large(common: BundledCommonPasswords) -> None:
    assert len(common) >= 10_000


@pytest.mark.parametrize(
    "password",
    [
        "123456",
        "password",
        "qwertyuiop",
        "iloveyou",
        "password1234",
        "1q2w3e4r5t6y",
        "123456654321",
    ],
)
def test_common_passwords_are_in_it(common: BundledCommonPasswords, password: str) -> None:
    assert password in common


def test_membership_ignores_case(common: BundledCommonPasswords) -> None:
    assert "PassWord" in common
    assert "QWERTYUIOP" in common


@pytest.mark.parametrize(
    "candidate",
    ["correct horse battery staple unique 93", "Vq7#pL2!rT9x", "", 123456, None],
)
def test_uncommon_text_and_non_text_are_not_in_it(
    common: BundledCommonPasswords, candidate: object
) -> None:
    assert candidate not in common


def test_the_header_is_not_read_as_passwords(common: BundledCommonPasswords) -> None:
    assert not any(entry.startswith("#") for entry in common.load())
    header = bundled_list().read_text(encoding="utf-8").splitlines()[:40]
    assert any("zxcvbn" in line for line in header)
    assert any("MIT" in line for line in header)


def test_entries_are_case_folded_and_unique() -> None:
    lines = [
        line
        for line in bundled_list().read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert all(line == line.casefold() and line.strip() == line and line for line in lines)
    assert len(lines) == len(set(lines))


def test_the_file_is_read_once(tmp_path: Path) -> None:
    source = tmp_path / "list.txt"
    source.write_text("# a header\nHunter2\nletmein\n", encoding="utf-8")
    common = BundledCommonPasswords(source)
    assert "hunter2" in common
    source.write_text("changed\n", encoding="utf-8")
    assert "letmein" in common
    assert common.load() is common.load()
    assert len(common) == 2
