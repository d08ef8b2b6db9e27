"""Checked values of series and episodes: titles, synopses, tags, numbers, title search."""

import re

from domain.content.errors import InvalidContentError

MAX_TITLE = 200
MAX_SYNOPSIS = 5_000
MAX_TAGS = 32
MAX_TAG = 40
MIN_EPISODE_NUMBER = 1
MAX_EPISODE_NUMBER = 100_000
MAX_QUERY_WORDS = 5

_WORD = re.compile(r"\w+")


def check_title(title: str) -> str:
    """Whitespace collapsed; 1 to ``MAX_TITLE`` characters."""
    cleaned = " ".join(title.split())
    if not 1 <= len(cleaned) <= MAX_TITLE:
        raise InvalidContentError(
            f"A title has 1 to {MAX_TITLE} characters.", details={"field": "title"}
        )
    return cleaned


def check_synopsis(synopsis: str) -> str:
    cleaned = synopsis.strip()
    if len(cleaned) > MAX_SYNOPSIS:
        raise InvalidContentError(
            f"A synopsis has at most {MAX_SYNOPSIS} characters.", details={"field": "synopsis"}
        )
    return cleaned


def check_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Tags are compared in lower case; duplicates collapse; order is kept (as assets' tags)."""
    cleaned = tuple(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    if len(cleaned) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in cleaned):
        raise InvalidContentError(
            f"At most {MAX_TAGS} tags of at most {MAX_TAG} characters.", details={"field": "tags"}
        )
    return cleaned


def check_tag(tag: str) -> str:
    """One tag to filter by, in its stored form."""
    cleaned = tag.strip().lower()
    if not 1 <= len(cleaned) <= MAX_TAG:
        raise InvalidContentError(f"A tag has 1 to {MAX_TAG} characters.", details={"field": "tag"})
    return cleaned


def check_number(number: int) -> int:
    if isinstance(number, bool) or not MIN_EPISODE_NUMBER <= number <= MAX_EPISODE_NUMBER:
        raise InvalidContentError(
            f"An episode number is between {MIN_EPISODE_NUMBER} and {MAX_EPISODE_NUMBER}.",
            details={"field": "number"},
        )
    return number


def title_key(title: str) -> str:
    """What titles sort by: case-folded."""
    return title.casefold()


def title_words(title: str) -> tuple[str, ...]:
    """The words of a title, case-folded, each once: what a ``q`` search matches against."""
    return tuple(dict.fromkeys(_WORD.findall(title.casefold())))


def query_words(q: str) -> tuple[str, ...]:
    """The words of a search: a series matches when each begins a word of its title."""
    words = title_words(q)
    if not 1 <= len(words) <= MAX_QUERY_WORDS:
        raise InvalidContentError(
            f"A search has 1 to {MAX_QUERY_WORDS} words of letters or digits.",
            details={"field": "q"},
        )
    return words


def matches_query(title: str, words: tuple[str, ...]) -> bool:
    """The meaning of a ``q`` search, for adapters' tests."""
    own = title_words(title)
    return all(any(word.startswith(w) for word in own) for w in words)
