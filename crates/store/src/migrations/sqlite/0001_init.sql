-- watchlist store, version 1 (SQLite). Times are RFC 3339 UTC text; JSON is text, kept byte
-- for byte because the hash chain is computed over it.

-- The last link of each hash chain; locked by every writer of that chain.
CREATE TABLE chain_heads (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO chain_heads (chain, seq, hash) VALUES
    ('screenings',   0, '0000000000000000000000000000000000000000000000000000000000000000'),
    ('alert_events', 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Screening records: append-only, hash-chained by seq.
CREATE TABLE screenings (
    seq             INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    actor           TEXT NOT NULL,
    source          TEXT NOT NULL,
    identity        TEXT NOT NULL,
    input           TEXT NOT NULL,
    input_hash      TEXT NOT NULL,
    snapshot        TEXT NOT NULL,
    matcher_version TEXT NOT NULL,
    threshold       REAL NOT NULL,
    results         TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE TRIGGER screenings_no_update BEFORE UPDATE ON screenings
BEGIN SELECT RAISE(ABORT, 'screening records are append-only'); END;
CREATE TRIGGER screenings_no_delete BEFORE DELETE ON screenings
BEGIN SELECT RAISE(ABORT, 'screening records are append-only'); END;

-- Alerts: one open alert per (identity, entity); one alert per (opening key, entity).
CREATE TABLE alerts (
    id             INTEGER PRIMARY KEY,
    identity       TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    list           TEXT NOT NULL,
    caption        TEXT NOT NULL,
    matched_name   TEXT NOT NULL,
    score          REAL NOT NULL,
    threshold      REAL NOT NULL,
    snapshot       TEXT NOT NULL,
    entity_hash    TEXT NOT NULL,
    screening_seq  INTEGER NOT NULL REFERENCES screenings (seq),
    opened_key     TEXT NOT NULL,
    status         TEXT NOT NULL
        CHECK (status IN ('open', 'escalated', 'pending_second_review', 'closed')),
    disposition    TEXT CHECK (disposition IN ('true_match', 'false_positive', 'needs_escalation')),
    first_reviewer TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (opened_key, entity_id)
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (identity, entity_id) WHERE status <> 'closed';
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_entity ON alerts (entity_id);

-- Alert history (opened, hit, decision, entity_changed, entity_removed): append-only,
-- hash-chained by seq.
CREATE TABLE alert_events (
    seq       INTEGER PRIMARY KEY,
    alert_id  INTEGER NOT NULL REFERENCES alerts (id),
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT NOT NULL,
    data      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, seq);
CREATE TRIGGER alert_events_no_update BEFORE UPDATE ON alert_events
BEGIN SELECT RAISE(ABORT, 'alert events are append-only'); END;
CREATE TRIGGER alert_events_no_delete BEFORE DELETE ON alert_events
BEGIN SELECT RAISE(ABORT, 'alert events are append-only'); END;

-- False-positive pairs that do not alert again while the entity's record hash is the same.
CREATE TABLE whitelist (
    identity    TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    entity_hash TEXT NOT NULL,
    alert_id    INTEGER NOT NULL REFERENCES alerts (id),
    reviewer    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (identity, entity_id)
);

-- Monitored records (customers, suppliers, workers), rescreened on every list change.
CREATE TABLE monitored (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    query       TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    source      TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- the snapshot of the record's last recorded screening; NULL: added or changed and not
    -- screened yet (an interrupted `monitor add` resumes from these)
    screened_snapshot TEXT
);
CREATE INDEX monitored_pending ON monitored (id) WHERE screened_snapshot IS NULL;

-- Named values of the store's own state (the monitoring cursor).
CREATE TABLE store_state (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Finished rescreen runs.
CREATE TABLE rescreens (
    id            INTEGER PRIMARY KEY,
    from_snapshot TEXT,
    to_snapshot   TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    records       INTEGER NOT NULL,
    candidates    INTEGER NOT NULL,
    screened      INTEGER NOT NULL,
    alerts_opened INTEGER NOT NULL,
    summary       TEXT NOT NULL
);
