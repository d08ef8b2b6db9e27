"""Series and episodes on SQLite: rows, the series' terms (tags and title words), and lists.

Every statement is scoped by studio. A series' terms are rewritten with it in the same
transaction, so a catalogue search never sees a half-saved series. The list statements are
built by functions a query-plan test explains (migration 0005 has one index per list).
"""

import sqlite3
from dataclasses import replace
from datetime import datetime
from functools import partial

import msgspec

from adapters.persistence.sqlite.channels import Channel
from adapters.persistence.sqlite.listing import (
    Filter,
    ListSpec,
    ListStatements,
    Many,
    Statement,
    TermSearch,
    fetch_page,
    list_statements,
)
from adapters.persistence.sqlite.rows import Row, from_ms, from_ms_or_none, to_ms, to_ms_or_none
from adapters.persistence.sqlite.writes import Conflicts, compare_and_set, execute_checked
from application.content.ports import (
    EpisodeQuery,
    OwnSeriesQuery,
    PendingQuery,
    PublishedSeriesQuery,
)
from domain.content.errors import EpisodeNotFoundError, EpisodeNumberTakenError, SeriesNotFoundError
from domain.content.model import (
    Episode,
    EpisodeId,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesId,
    SeriesStatus,
)
from domain.content.values import title_key, title_words
from domain.shared.ids import StudioId
from domain.shared.paging import Direction, Page, SortSpec, Window

SERIES_COLUMNS = (
    "id, studio_id, owner_id, title, title_key, synopsis, tags, status, published_by_hand,"
    " published_episodes, popularity, rejection_reason, rejection_note, submitted_at,"
    " published_at, created_at, updated_at, revision"
)
_SERIES_NAMES = [column.strip() for column in SERIES_COLUMNS.split(",")]
_SERIES_ALIASED = ", ".join(f"s.{column}" for column in _SERIES_NAMES)
INSERT_SERIES_SQL = (
    f"INSERT INTO series ({SERIES_COLUMNS}) VALUES ({', '.join('?' * len(_SERIES_NAMES))})"
)
# Every column but the key and ``popularity``: plays are added by ADD_PLAYS_SQL alone, so a
# save from an older read never takes back the plays counted since.
_SAVED_SERIES_NAMES = [name for name in _SERIES_NAMES[2:] if name != "popularity"]
_POPULARITY_IN_SAVED = _SERIES_NAMES[2:].index("popularity")
UPDATE_SERIES_SQL = (
    "UPDATE series SET "
    + ", ".join(f"{column} = ?" for column in _SAVED_SERIES_NAMES)
    + " WHERE studio_id = ? AND id = ? AND revision = ?"
)
ADD_PLAYS_SQL = "UPDATE series SET popularity = popularity + ? WHERE studio_id = ? AND id = ?"
SERIES_BY_ID_SQL = f"SELECT {SERIES_COLUMNS} FROM series WHERE studio_id = ? AND id = ?"
SERIES_EXISTS_SQL = "SELECT 1 FROM series WHERE studio_id = ? AND id = ?"
DELETE_TERMS_SQL = "DELETE FROM series_terms WHERE studio_id = ? AND series_id = ?"
INSERT_TERM_SQL = "INSERT INTO series_terms (studio_id, kind, term, series_id) VALUES (?, ?, ?, ?)"

EPISODE_COLUMNS = (
    "id, studio_id, series_id, owner_id, number, title, video_id, status, rejection_reason,"
    " rejection_note, submitted_at, published_at, created_at, updated_at, revision"
)
_EPISODE_NAMES = [column.strip() for column in EPISODE_COLUMNS.split(",")]
INSERT_EPISODE_SQL = (
    f"INSERT INTO episodes ({EPISODE_COLUMNS}) VALUES ({', '.join('?' * len(_EPISODE_NAMES))})"
)
UPDATE_EPISODE_SQL = (
    "UPDATE episodes SET "
    + ", ".join(f"{column} = ?" for column in _EPISODE_NAMES[2:])
    + " WHERE studio_id = ? AND id = ? AND revision = ?"
)
EPISODE_BY_ID_SQL = f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE studio_id = ? AND id = ?"
EPISODE_EXISTS_SQL = "SELECT 1 FROM episodes WHERE studio_id = ? AND id = ?"
MOVE_TO_DRAFT_SQL = (
    "UPDATE episodes SET status = 'draft', published_at = NULL, updated_at = ?,"
    " revision = revision + 1 WHERE studio_id = ? AND series_id = ? AND status IN ({statuses})"
)

# The API's sort names and the columns behind them; each column's place in a row and the type
# of its keyset value.
SERIES_SORT_COLUMNS = {
    "createdAt": "s.created_at",
    "updatedAt": "s.updated_at",
    "title": "s.title_key",
    "publishedAt": "s.published_at",
    "popularity": "s.popularity",
    "submittedAt": "s.submitted_at",
}
SERIES_LIST = ListSpec(
    table="series s",
    columns=_SERIES_ALIASED,
    sort_columns={
        "s.title_key": (4, str),
        "s.popularity": (10, int),
        "s.submitted_at": (13, int),
        "s.published_at": (14, int),
        "s.created_at": (15, int),
        "s.updated_at": (16, int),
    },
)
EPISODE_SORT_COLUMNS = {"number": "number", "submittedAt": "submitted_at"}
EPISODE_LIST = ListSpec(
    table="episodes",
    columns=EPISODE_COLUMNS,
    sort_columns={"number": (4, int), "submitted_at": (10, int)},
)
# Visible series: the condition of the catalogue's partial indexes, word for word.
VISIBLE = ("s.status = 'published' AND s.published_episodes > 0", Many())

_SERIES_CONFLICTS: Conflicts = {}
_EPISODE_CONFLICTS: Conflicts = {("studio_id", "series_id", "number"): EpisodeNumberTakenError}
_SERIES_STATUSES = {member.value: member for member in SeriesStatus}
_EPISODE_STATUSES = {member.value: member for member in EpisodeStatus}
_REASONS = {member.value: member for member in RejectionReason}
_TAG, _WORD = "tag", "word"
_decode_list = msgspec.json.Decoder(list[str]).decode
_encode = msgspec.json.encode


def _rejection_from(reason: str | None, note: str | None) -> Rejection | None:
    return None if reason is None else Rejection(reason=_REASONS[reason], note=note or "")


def series_to_row(series: Series) -> Row:
    rejection = series.rejection
    return (
        series.id,
        series.studio_id,
        series.owner_id,
        series.title,
        title_key(series.title),
        series.synopsis,
        _encode(list(series.tags)).decode(),
        series.status.value,
        int(series.published_by_hand),
        series.published_episodes,
        series.popularity,
        None if rejection is None else rejection.reason.value,
        None if rejection is None else rejection.note,
        to_ms_or_none(series.submitted_at),
        to_ms_or_none(series.published_at),
        to_ms(series.created_at),
        to_ms(series.updated_at),
        series.revision,
    )


def series_from_row(row: Row) -> Series:
    return Series(
        id=row[0],
        studio_id=row[1],
        owner_id=row[2],
        title=row[3],
        synopsis=row[5],
        tags=tuple(_decode_list(row[6])),
        status=_SERIES_STATUSES[row[7]],
        published_by_hand=row[8] == 1,
        published_episodes=row[9],
        popularity=row[10],
        rejection=_rejection_from(row[11], row[12]),
        submitted_at=from_ms_or_none(row[13]),
        published_at=from_ms_or_none(row[14]),
        created_at=from_ms(row[15]),
        updated_at=from_ms(row[16]),
        revision=row[17],
    )


def episode_to_row(episode: Episode) -> Row:
    rejection = episode.rejection
    return (
        episode.id,
        episode.studio_id,
        episode.series_id,
        episode.owner_id,
        episode.number,
        episode.title,
        episode.video_id,
        episode.status.value,
        None if rejection is None else rejection.reason.value,
        None if rejection is None else rejection.note,
        to_ms_or_none(episode.submitted_at),
        to_ms_or_none(episode.published_at),
        to_ms(episode.created_at),
        to_ms(episode.updated_at),
        episode.revision,
    )


def episode_from_row(row: Row) -> Episode:
    return Episode(
        id=row[0],
        studio_id=row[1],
        series_id=row[2],
        owner_id=row[3],
        number=row[4],
        title=row[5],
        video_id=row[6],
        status=_EPISODE_STATUSES[row[7]],
        rejection=_rejection_from(row[8], row[9]),
        submitted_at=from_ms_or_none(row[10]),
        published_at=from_ms_or_none(row[11]),
        created_at=from_ms(row[12]),
        updated_at=from_ms(row[13]),
        revision=row[14],
    )


def _series_list(
    filters: list[Filter], sort: SortSpec, window: Window, source: Statement | None = None
) -> ListStatements:
    return list_statements(
        SERIES_LIST,
        filters,
        sort_column=SERIES_SORT_COLUMNS[sort.field],
        descending=sort.direction is Direction.DESC,
        window=window,
        source=source,
    )


def own_series_statements(studio_id: StudioId, query: OwnSeriesQuery) -> ListStatements:
    filters: list[Filter] = [("s.studio_id = ?", studio_id), ("s.owner_id = ?", query.owner_id)]
    if query.status is not None:
        filters.append(("s.status = ?", query.status.value))
    return _series_list(filters, query.sort, query.window)


def pending_series_statements(studio_id: StudioId, query: PendingQuery) -> ListStatements:
    filters: list[Filter] = [("s.studio_id = ?", studio_id), ("s.status = 'pending'", Many())]
    return _series_list(filters, query.sort, query.window)


SERIES_TERMS = TermSearch(terms="series_terms", key="series_id", table="series", alias="s")


def published_series_statements(studio_id: StudioId, query: PublishedSeriesQuery) -> ListStatements:
    source, word_filters = SERIES_TERMS.filters(studio_id, query.tag, query.words)
    filters: list[Filter] = [("s.studio_id = ?", studio_id), VISIBLE, *word_filters]
    return _series_list(filters, query.sort, query.window, source)


def _episode_list(filters: list[Filter], sort: SortSpec, window: Window) -> ListStatements:
    return list_statements(
        EPISODE_LIST,
        filters,
        sort_column=EPISODE_SORT_COLUMNS[sort.field],
        descending=sort.direction is Direction.DESC,
        window=window,
    )


def series_episodes_statements(
    studio_id: StudioId, series_id: SeriesId, query: EpisodeQuery
) -> ListStatements:
    filters: list[Filter] = [("studio_id = ?", studio_id), ("series_id = ?", series_id)]
    if query.published_only:
        filters.append(("status = 'published'", Many()))
    return _episode_list(filters, query.sort, query.window)


def pending_episodes_statements(studio_id: StudioId, query: PendingQuery) -> ListStatements:
    filters: list[Filter] = [("studio_id = ?", studio_id), ("status = 'pending'", Many())]
    return _episode_list(filters, query.sort, query.window)


class SqliteSeriesRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, series: Series) -> None:
        await self._channel.write(partial(_add_series, series))

    async def get(self, studio_id: StudioId, series_id: SeriesId) -> Series:
        row = await self._channel.read_now(
            partial(_fetch_one, SERIES_BY_ID_SQL, (studio_id, series_id))
        )
        if row is None:
            raise SeriesNotFoundError()
        return series_from_row(row)

    async def save(self, series: Series, *, expected_revision: int) -> Series:
        saved = replace(series, revision=expected_revision + 1)
        await self._channel.write(partial(_save_series, saved, expected_revision))
        return saved

    async def add_plays(self, studio_id: StudioId, series_id: SeriesId, plays: int) -> None:
        await self._channel.write(partial(_add_plays, studio_id, series_id, plays))

    async def list_own(self, studio_id: StudioId, query: OwnSeriesQuery) -> Page[Series]:
        return await self._page(own_series_statements(studio_id, query))

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Series]:
        return await self._page(pending_series_statements(studio_id, query))

    async def list_published(
        self, studio_id: StudioId, query: PublishedSeriesQuery
    ) -> Page[Series]:
        return await self._page(published_series_statements(studio_id, query))

    async def _page(self, statements: ListStatements) -> Page[Series]:
        return await self._channel.read(
            partial(fetch_page, statements=statements, to_entity=series_from_row)
        )


class SqliteEpisodeRepository:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    async def add(self, episode: Episode) -> None:
        await self._channel.write(partial(_add_episode, episode_to_row(episode)))

    async def get(self, studio_id: StudioId, episode_id: EpisodeId) -> Episode:
        row = await self._channel.read_now(
            partial(_fetch_one, EPISODE_BY_ID_SQL, (studio_id, episode_id))
        )
        if row is None:
            raise EpisodeNotFoundError()
        return episode_from_row(row)

    async def save(self, episode: Episode, *, expected_revision: int) -> Episode:
        saved = replace(episode, revision=expected_revision + 1)
        await self._channel.write(partial(_save_episode, saved, expected_revision))
        return saved

    async def move_to_draft(
        self,
        studio_id: StudioId,
        series_id: SeriesId,
        statuses: frozenset[EpisodeStatus],
        *,
        at: datetime,
    ) -> int:
        if not statuses:
            return 0
        values = sorted(status.value for status in statuses)
        sql = MOVE_TO_DRAFT_SQL.format(statuses=", ".join("?" * len(values)))
        params = (to_ms(at), studio_id, series_id, *values)
        return await self._channel.write(partial(_changed, sql, params))

    async def list_in_series(
        self, studio_id: StudioId, series_id: SeriesId, query: EpisodeQuery
    ) -> Page[Episode]:
        return await self._page(series_episodes_statements(studio_id, series_id, query))

    async def list_pending(self, studio_id: StudioId, query: PendingQuery) -> Page[Episode]:
        return await self._page(pending_episodes_statements(studio_id, query))

    async def _page(self, statements: ListStatements) -> Page[Episode]:
        return await self._channel.read(
            partial(fetch_page, statements=statements, to_entity=episode_from_row)
        )


def _fetch_one(sql: str, params: Row, connection: sqlite3.Connection) -> Row | None:
    row: Row | None = connection.execute(sql, params).fetchone()
    return row


def _changed(sql: str, params: Row, connection: sqlite3.Connection) -> int:
    return connection.execute(sql, params).rowcount


def _write_terms(series: Series, connection: sqlite3.Connection) -> None:
    connection.execute(DELETE_TERMS_SQL, (series.studio_id, series.id))
    terms = [(series.studio_id, _TAG, tag, series.id) for tag in series.tags]
    terms += [(series.studio_id, _WORD, word, series.id) for word in title_words(series.title)]
    connection.executemany(INSERT_TERM_SQL, terms)


def _add_series(series: Series, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_SERIES_SQL, series_to_row(series), _SERIES_CONFLICTS)
    _write_terms(series, connection)


def _save_series(series: Series, expected_revision: int, connection: sqlite3.Connection) -> None:
    series_id, studio_id, *values = series_to_row(series)
    del values[_POPULARITY_IN_SAVED]
    compare_and_set(
        connection,
        UPDATE_SERIES_SQL,
        (*values, studio_id, series_id, expected_revision),
        exists_sql=SERIES_EXISTS_SQL,
        key=(studio_id, series_id),
        not_found=SeriesNotFoundError,
        conflicts=_SERIES_CONFLICTS,
    )
    _write_terms(series, connection)


def _add_plays(
    studio_id: StudioId, series_id: SeriesId, plays: int, connection: sqlite3.Connection
) -> None:
    if connection.execute(ADD_PLAYS_SQL, (plays, studio_id, series_id)).rowcount != 1:
        raise SeriesNotFoundError()


def _add_episode(row: Row, connection: sqlite3.Connection) -> None:
    execute_checked(connection, INSERT_EPISODE_SQL, row, _EPISODE_CONFLICTS)


def _save_episode(episode: Episode, expected_revision: int, connection: sqlite3.Connection) -> None:
    episode_id, studio_id, *values = episode_to_row(episode)
    compare_and_set(
        connection,
        UPDATE_EPISODE_SQL,
        (*values, studio_id, episode_id, expected_revision),
        exists_sql=EPISODE_EXISTS_SQL,
        key=(studio_id, episode_id),
        not_found=EpisodeNotFoundError,
        conflicts=_EPISODE_CONFLICTS,
    )
