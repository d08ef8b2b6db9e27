-- Content: series and their episodes, the micro-drama catalogue. Same conventions as 0001: TEXT
-- ids, INTEGER epoch-millisecond instants, STRICT tables, every index led by studio_id.
--
-- One index per list, each ending with the list's sort column and the id, so a page is read in
-- index order and a cursor page is a seek:
--   a creator's own series, by createdAt, updatedAt or title (a status filter is checked on the
--     rows the owner's index yields, still in order);
--   the moderation queues: pending series and pending episodes by submission time (partial);
--   the catalogue: visible series (published with a published episode) by publishedAt, title or
--     popularity (partial: drafts and empty series cost it nothing); tag and q searches start
--     from series_terms, then sort their matches;
--   a series' episodes by number: the unique (studio_id, series_id, number) index itself.
-- The partial indexes' conditions are written as literals in the queries too (SQLite uses a
-- partial index only when the query's WHERE clause implies the index's).

CREATE TABLE series (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,  -- the case-folded title: what title sorts use
    synopsis TEXT NOT NULL,
    tags TEXT NOT NULL,  -- JSON array, in the order given; series_terms indexes them
    status TEXT NOT NULL,
    published_by_hand INTEGER NOT NULL,  -- 0 or 1
    published_episodes INTEGER NOT NULL,
    popularity INTEGER NOT NULL,
    rejection_reason TEXT,
    rejection_note TEXT,
    submitted_at INTEGER,
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL
) STRICT;
CREATE INDEX series_owner_by_created ON series (studio_id, owner_id, created_at, id);
CREATE INDEX series_owner_by_updated ON series (studio_id, owner_id, updated_at, id);
CREATE INDEX series_owner_by_title ON series (studio_id, owner_id, title_key, id);
CREATE INDEX series_pending_by_submitted ON series (studio_id, submitted_at, id)
    WHERE status = 'pending';
CREATE INDEX series_visible_by_published ON series (studio_id, published_at, id)
    WHERE status = 'published' AND published_episodes > 0;
CREATE INDEX series_visible_by_title ON series (studio_id, title_key, id)
    WHERE status = 'published' AND published_episodes > 0;
CREATE INDEX series_visible_by_popularity ON series (studio_id, popularity, id)
    WHERE status = 'published' AND published_episodes > 0;

-- Tags and title words, for the catalogue's tag and q filters: one row per (series, term). A tag
-- is matched whole, a q word as a prefix of a title word (a range on term).
CREATE TABLE series_terms (
    studio_id TEXT NOT NULL,
    kind TEXT NOT NULL,  -- 'tag' or 'word'
    term TEXT NOT NULL,
    series_id TEXT NOT NULL,
    PRIMARY KEY (studio_id, kind, term, series_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX series_terms_by_series ON series_terms (studio_id, series_id);

CREATE TABLE episodes (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    series_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    video_id TEXT NOT NULL,
    status TEXT NOT NULL,
    rejection_reason TEXT,
    rejection_note TEXT,
    submitted_at INTEGER,
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL
) STRICT;
-- Numbers are unique in a series; the same index lists a series' episodes by number.
CREATE UNIQUE INDEX episodes_number_unique ON episodes (studio_id, series_id, number);
CREATE INDEX episodes_pending_by_submitted ON episodes (studio_id, submitted_at, id)
    WHERE status = 'pending';
