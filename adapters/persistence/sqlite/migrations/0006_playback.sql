-- Subscriptions (one per user and studio, with the append-only history of its changes) and
-- watch progress (one row per user and episode, plus the latest row per user and series for
-- "continue watching"). Same conventions as 0001: TEXT ids, INTEGER epoch-millisecond instants,
-- STRICT tables, every index led by studio_id.

CREATE TABLE subscriptions (
    studio_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    plan TEXT NOT NULL,
    current_period_end INTEGER,  -- NULL: no end
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (studio_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE subscription_changes (
    seq INTEGER PRIMARY KEY,  -- the order changes were appended in (the history's order)
    studio_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    from_status TEXT,  -- NULL for a user's first subscription
    to_status TEXT NOT NULL,
    plan TEXT NOT NULL,
    current_period_end INTEGER
) STRICT;
-- A user's history, newest first: read backwards in index order.
CREATE INDEX subscription_changes_by_user ON subscription_changes (studio_id, user_id, seq);

CREATE TABLE watch_progress (
    studio_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    episode_id TEXT NOT NULL,
    series_id TEXT NOT NULL,
    episode_number INTEGER NOT NULL,
    position REAL NOT NULL,
    duration REAL NOT NULL,
    completed INTEGER NOT NULL,
    watched_at INTEGER NOT NULL,
    PRIMARY KEY (studio_id, user_id, episode_id)
) STRICT, WITHOUT ROWID;
-- GET /video/history: a user's episodes, most recently watched first.
CREATE INDEX watch_progress_by_time ON watch_progress (studio_id, user_id, watched_at, episode_id);

-- The latest watched episode of each series, per user: what "continue watching" starts from.
CREATE TABLE series_progress (
    studio_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    series_id TEXT NOT NULL,
    episode_id TEXT NOT NULL,
    watched_at INTEGER NOT NULL,
    PRIMARY KEY (studio_id, user_id, series_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX series_progress_by_time ON series_progress (studio_id, user_id, watched_at, series_id);
