-- Identity, audit and idempotency.
--
-- Conventions: ids are canonical UUID text; instants are INTEGER epoch milliseconds (UTC), which
-- sort and compare as numbers and convert back without parsing; booleans are 0/1. Tables are
-- STRICT so a wrong type is an error, not a silently stored string.
--
-- Ids are globally unique (PRIMARY KEY (id)), as MongoDB's _id is: a duplicate id is the same
-- error on both stores. Tenancy is enforced by every statement naming studio_id, and every list
-- or range index leads with studio_id so one studio's rows are one contiguous index range.
-- No foreign keys between aggregates: MongoDB cannot enforce them either, and the contract
-- suite holds both stores to the same behaviour (users.delete removes the user's sessions).

CREATE TABLE studios (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    self_signup_roles TEXT NOT NULL,  -- JSON array of role names, sorted
    free_episodes_per_series INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX studios_by_slug ON studios (slug);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL
) STRICT;
-- The email index is unique within a studio, so it orders (email, id) completely on its own.
CREATE UNIQUE INDEX users_by_email ON users (studio_id, email);
CREATE INDEX users_by_name ON users (studio_id, name, id);
CREATE INDEX users_by_created ON users (studio_id, created_at, id);
CREATE INDEX users_by_role_email ON users (studio_id, role, email, id);
CREATE INDEX users_by_role_name ON users (studio_id, role, name, id);
CREATE INDEX users_by_role_created ON users (studio_id, role, created_at, id);

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    spent_hashes TEXT NOT NULL,  -- JSON array, newest first
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revision INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (studio_id, user_id);
CREATE INDEX sessions_by_expiry ON sessions (studio_id, expires_at);

CREATE TABLE audit_events (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    correlation_id TEXT,
    details TEXT NOT NULL  -- JSON object of strings
) STRICT;
-- Newest first, optionally narrowed to a resource type or to one resource (whose id alone is
-- selective enough: its type is checked on the few rows found).
CREATE INDEX audit_by_time ON audit_events (studio_id, at, id);
CREATE INDEX audit_by_type ON audit_events (studio_id, resource_type, at, id);
CREATE INDEX audit_by_resource ON audit_events (studio_id, resource_id, at, id);

CREATE TABLE idempotency_records (
    studio_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (studio_id, scope, key)
) STRICT;
CREATE INDEX idempotency_by_expiry ON idempotency_records (studio_id, expires_at);
