-- Media: uploads (the server's promise of one key, until it expires or is used) and the videos
-- registered from them. Same conventions as 0001: TEXT ids, INTEGER epoch-millisecond instants,
-- STRICT tables, every tenant-facing index led by studio_id.

CREATE TABLE uploads (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    key TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    multipart_id TEXT,  -- the blob store's id of a multipart upload
    revision INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX uploads_by_key ON uploads (studio_id, key);
-- The sweep of expired pending uploads, across studios (an operator's job): oldest first, ties
-- by id, read in index order so a batch never sorts the whole backlog.
CREATE INDEX uploads_by_expiry ON uploads (status, expires_at, id);

CREATE TABLE videos (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,
    duration_seconds REAL,
    width INTEGER,
    height INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL
) STRICT;
-- A creator's own videos, newest first (read backwards); also counts them for page mode.
CREATE INDEX videos_by_owner ON videos (studio_id, owner_id, created_at, id);
