-- Assets: the studio's catalogue. Same conventions as 0001: TEXT ids, INTEGER epoch-millisecond
-- instants, STRICT tables, every index led by studio_id.
--
-- Lists only ever show live assets (deleted_at IS NULL), so their indexes are partial: soft-deleted
-- rows cost them nothing. For each equality filter the API offers (none, type, status, owner) and
-- each sort (name, createdAt, updatedAt, type, status) there is an index (studio_id, [filter,]
-- sort, id): a page is read in index order, a keyset page is a seek, never a sort of the studio.
-- When the filter is the sort field, (studio_id, field, id) serves both. Several equality filters
-- at once use the index of one of them and check the others on the rows it yields.

CREATE TABLE assets (
    id TEXT NOT NULL PRIMARY KEY,
    studio_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,  -- the case-folded name: unique per studio, what name sorts use
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL,  -- JSON array, in the order given
    metadata TEXT NOT NULL,  -- JSON object of strings
    current_version INTEGER,
    dependencies TEXT NOT NULL,  -- JSON array of asset ids; asset_edges indexes them backwards
    review_note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    revision INTEGER NOT NULL
) STRICT;
-- Names stay taken by soft-deleted assets until they are purged.
CREATE UNIQUE INDEX assets_name_unique ON assets (studio_id, name_key);
CREATE INDEX assets_live_by_name ON assets (studio_id, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_by_created ON assets (studio_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_by_updated ON assets (studio_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_by_type ON assets (studio_id, type, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_by_status ON assets (studio_id, status, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_type_by_name ON assets (studio_id, type, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_type_by_created ON assets (studio_id, type, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_type_by_updated ON assets (studio_id, type, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_type_by_status ON assets (studio_id, type, status, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_status_by_name ON assets (studio_id, status, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_status_by_created ON assets (studio_id, status, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_status_by_updated ON assets (studio_id, status, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_status_by_type ON assets (studio_id, status, type, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_owner_by_name ON assets (studio_id, owner_id, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_owner_by_created ON assets (studio_id, owner_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_owner_by_updated ON assets (studio_id, owner_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_owner_by_type ON assets (studio_id, owner_id, type, id) WHERE deleted_at IS NULL;
CREATE INDEX assets_live_owner_by_status ON assets (studio_id, owner_id, status, id) WHERE deleted_at IS NULL;

-- Tags and name words, for the tag and q filters: one row per (asset, term). A tag is matched
-- whole, a q word as a prefix of a name word (a range on term); the matches are then sorted.
CREATE TABLE asset_terms (
    studio_id TEXT NOT NULL,
    kind TEXT NOT NULL,  -- 'tag' or 'word'
    term TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    PRIMARY KEY (studio_id, kind, term, asset_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX asset_terms_by_asset ON asset_terms (studio_id, asset_id);

-- Dependency edges, indexed both ways: "what does it use" and "what breaks if I change it".
CREATE TABLE asset_edges (
    studio_id TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    PRIMARY KEY (studio_id, asset_id, depends_on)
) STRICT, WITHOUT ROWID;
CREATE INDEX asset_edges_backwards ON asset_edges (studio_id, depends_on, asset_id);

CREATE TABLE asset_versions (
    studio_id TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    storage_key TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    author_id TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (studio_id, asset_id, number)
) STRICT, WITHOUT ROWID;

-- Live assets per (studio, type, status), kept by triggers in the writing transaction: the
-- total of an unfiltered (or type/status-filtered) list is a sum of at most 36 rows, not a
-- count of a studio's million assets.
CREATE TABLE asset_counts (
    studio_id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    live INTEGER NOT NULL,
    PRIMARY KEY (studio_id, type, status)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER asset_counts_on_insert AFTER INSERT ON assets
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO asset_counts (studio_id, type, status, live)
    VALUES (NEW.studio_id, NEW.type, NEW.status, 1)
    ON CONFLICT (studio_id, type, status) DO UPDATE SET live = live + 1;
END;

CREATE TRIGGER asset_counts_on_delete AFTER DELETE ON assets
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE asset_counts SET live = live - 1
    WHERE studio_id = OLD.studio_id AND type = OLD.type AND status = OLD.status;
END;

CREATE TRIGGER asset_counts_on_update AFTER UPDATE OF type, status, deleted_at ON assets
BEGIN
    UPDATE asset_counts SET live = live - 1
    WHERE OLD.deleted_at IS NULL
      AND studio_id = OLD.studio_id AND type = OLD.type AND status = OLD.status;
    INSERT INTO asset_counts (studio_id, type, status, live)
    SELECT NEW.studio_id, NEW.type, NEW.status, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (studio_id, type, status) DO UPDATE SET live = live + 1;
END;
