//! The audit trail: what was screened, against which list version, what came up, and who
//! decided what — kept so that it can be shown years later.
//!
//! One [`Store`] trait with two backends behind a small SQL layer ([`sql`]):
//! - SQLite ([`sqlite`]): embedded, the default, a file in the data directory
//!   (`<data_dir>/watchlist.db`), WAL mode, nothing to set up;
//! - PostgreSQL ([`postgres`]): `--database postgres://…`, shared by several watchlist
//!   instances.
//!
//! Both run the same versioned migrations ([`migrate`]) on open and the same logic: the
//! modules below are written once against [`sql::Tx`] and run inside one transaction per
//! call, so the backends cannot drift apart.
//!
//! - [`chain`]: screening records and alert events are append-only (triggers refuse UPDATE
//!   and DELETE) and hash-chained: each row stores the hash of the previous one, so an edit,
//!   a deletion or a cut-off tail is found by [`Store::verify`].
//! - [`record`]: recording screenings, idempotently: every screening carries an idempotency
//!   key (the caller's, or one derived from the input, the snapshot and the options); a
//!   re-delivered request returns the first record and never opens a second alert.
//! - [`alerts`]: results at or above the threshold open alerts, one open alert per (input
//!   identity, entity), enforced by unique indexes; dispositions with four-eyes closing of
//!   true matches and a whitelist of false-positive pairs that holds until the entity changes.
//! - [`monitor`]: monitored records (customers, suppliers, workers) read from CSV or JSON lines.
//! - [`export`]: alerts and screening records as CSV (formula-injection safe) and JSON.
//!
//! The store keeps records and depends on `model` alone: it never screens. Making a screening
//! into a record, snapshot diffs, delta rescreening and gathering an alert for review are done
//! above it, in `screen::audit`.
//!
//! The trait is synchronous. An async caller (the server) calls it from
//! `tokio::task::spawn_blocking`: the PostgreSQL client drives its own small runtime and must
//! not be called on an async worker thread.

#![warn(missing_docs)]

pub mod alerts;
pub mod chain;
pub mod export;
pub mod migrate;
pub mod monitor;
pub mod postgres;
pub mod record;
pub mod records;
pub mod sql;
pub mod sqlite;
mod types;

pub use types::*;

use sha2::{Digest, Sha256};
use sql::Backend;
use std::path::{Path, PathBuf};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or opened (at start or mid-run).
    #[error("database unavailable ({database}): {reason}")]
    Unavailable {
        /// Which database, without a password: `SQLite <path>` or
        /// `PostgreSQL user@host:port/dbname`.
        database: String,
        /// Why, as the driver or the file system reports it.
        reason: String,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Sql(String),
    /// A transient conflict between concurrent writers; the backends retry it.
    #[error("database busy: {0}")]
    Busy(String),
    /// The database holds a schema this program does not know.
    #[error("{0}")]
    Schema(String),
    /// Stored data that cannot be read back (a corrupt row).
    #[error("corrupt data in the store: {0}")]
    Corrupt(String),
    /// An idempotency key reused with a different input.
    #[error("idempotency key {key:?} was already used for a different input (screening #{seq})")]
    IdempotencyConflict {
        /// The idempotency key given again.
        key: String,
        /// The screening record first stored under the key.
        seq: i64,
    },
    /// No alert has this id.
    #[error("no alert #{0}")]
    NoAlert(i64),
    /// A decision the alert's state does not allow (four-eyes, closed alert, …).
    #[error("{0}")]
    Refused(String),
    /// Bad input: a monitored-records file that cannot be read, an invalid value.
    #[error("{0}")]
    Input(String),
    /// Reading the lists a diff, a rescreen or a review works on (the snapshots, the engine),
    /// which the layers above the store do; their error, as it is.
    #[error(transparent)]
    Lists(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// The error of reading the lists for work recorded here (see [`StoreError::Lists`]).
    pub fn lists(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Lists(Box::new(e))
    }
}

/// The store's result type: a [`StoreError`] unless said otherwise.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The store: screening records, alerts, monitored records. Object-safe; open one with
/// [`open`].
pub trait Store: Send + Sync {
    /// Which database this is, for messages (passwords left out).
    fn describe(&self) -> String;

    /// Records screenings in one transaction, opening alerts for their hits. Returns one
    /// [`Recorded`] per input, in order; a screening whose idempotency key is already stored
    /// is not stored again (`duplicate`). The screenings are prepared
    /// ([`record::Prepared`]) on every core first.
    fn record(&self, batch: &[NewScreening]) -> Result<Vec<Recorded>> {
        use rayon::prelude::*;
        let prepared: Vec<record::Prepared> =
            batch.par_iter().map(record::Prepared::borrowed).collect();
        self.record_prepared(&prepared)
    }
    /// [`Store::record`] of screenings already prepared: the transaction alone.
    fn record_prepared(&self, batch: &[record::Prepared]) -> Result<Vec<Recorded>>;
    /// One screening record by its sequence number.
    fn screening(&self, seq: i64) -> Result<Option<ScreeningRecord>>;
    /// Screening records after `after_seq`, in chain order, at most `limit`.
    fn screenings(&self, after_seq: i64, limit: usize) -> Result<Vec<ScreeningRecord>>;

    /// Alerts matching a filter, newest first.
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>>;
    /// One alert.
    fn alert(&self, id: i64) -> Result<Option<Alert>>;
    /// The history of an alert, oldest first.
    fn alert_events(&self, alert_id: i64) -> Result<Vec<AlertEvent>>;
    /// Records an analyst's decision on an alert (see [`alerts`] for the rules).
    fn decide(&self, decision: &Decision) -> Result<Alert>;
    /// Notes entity removals and changes on the open alerts of those entities; returns the
    /// number of notes written.
    fn note_entities(&self, notes: &[EntityNote], actor: &str) -> Result<usize>;

    /// Adds or updates monitored records by key; returns the keys that are new or whose
    /// content changed. Those are pending (need screening) unless `screened` names the
    /// snapshot to consider them screened against (`monitor add --no-screen`).
    fn monitor_upsert(
        &self,
        records: &[MonitoredRecord],
        source: &str,
        screened: Option<&str>,
    ) -> Result<Vec<String>>;
    /// Stops monitoring these keys; returns how many were removed.
    fn monitor_remove(&self, keys: &[String]) -> Result<usize>;
    /// Monitored records with id above `after_id`, by id, at most `limit`; with
    /// `pending_only`, only those not screened since they were added or changed.
    fn monitored(
        &self,
        after_id: i64,
        limit: usize,
        pending_only: bool,
    ) -> Result<Vec<(i64, MonitoredRecord)>>;
    /// Monitored records by key.
    fn monitored_by_keys(&self, keys: &[String]) -> Result<Vec<MonitoredRecord>>;
    /// How many records are monitored.
    fn monitored_count(&self) -> Result<u64>;

    /// A named value of the store's own state (e.g. the snapshot monitored records were last
    /// rescreened against).
    fn state(&self, name: &str) -> Result<Option<String>>;
    /// Sets a named value of the store's state (see [`Store::state`]), replacing the old one.
    fn set_state(&self, name: &str, value: &str) -> Result<()>;
    /// Writes a finished rescreen run and moves the monitoring cursor to its snapshot, in one
    /// transaction.
    fn finish_rescreen(&self, run: &RescreenRun) -> Result<i64>;
    /// Rescreen runs, newest first.
    fn rescreens(&self, limit: usize) -> Result<Vec<RescreenRun>>;

    /// Checks a hash chain from its first link to its head.
    fn verify(&self, chain: chain::Chain) -> Result<chain::Verification>;
}

/// A store over any [`Backend`]: the logic of every module, run in the backend's transactions.
pub struct SqlStore<B: Backend> {
    backend: B,
}

impl<B: Backend> SqlStore<B> {
    /// Wraps an opened backend and brings its schema up to date.
    pub fn new(backend: B) -> Result<Self> {
        backend.transaction(&mut |tx| migrate::run(tx))?;
        Ok(SqlStore { backend })
    }

    /// The backend the store runs on, for running SQL on it directly (the store's tests).
    pub fn backend(&self) -> &B {
        &self.backend
    }
}

impl<B: Backend> Store for SqlStore<B> {
    fn describe(&self) -> String {
        self.backend.describe()
    }
    fn record_prepared(&self, batch: &[record::Prepared]) -> Result<Vec<Recorded>> {
        self.backend
            .transaction(&mut |tx| record::record(tx, batch))
    }
    fn screening(&self, seq: i64) -> Result<Option<ScreeningRecord>> {
        self.backend.transaction(&mut |tx| record::get(tx, seq))
    }
    fn screenings(&self, after_seq: i64, limit: usize) -> Result<Vec<ScreeningRecord>> {
        self.backend
            .transaction(&mut |tx| record::page(tx, after_seq, limit))
    }
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>> {
        self.backend.transaction(&mut |tx| alerts::list(tx, filter))
    }
    fn alert(&self, id: i64) -> Result<Option<Alert>> {
        self.backend.transaction(&mut |tx| alerts::get(tx, id))
    }
    fn alert_events(&self, alert_id: i64) -> Result<Vec<AlertEvent>> {
        self.backend
            .transaction(&mut |tx| alerts::events(tx, alert_id))
    }
    fn decide(&self, decision: &Decision) -> Result<Alert> {
        self.backend
            .transaction(&mut |tx| alerts::decide(tx, decision))
    }
    fn note_entities(&self, notes: &[EntityNote], actor: &str) -> Result<usize> {
        self.backend
            .transaction(&mut |tx| alerts::note_entities(tx, notes, actor))
    }
    fn monitor_upsert(
        &self,
        records: &[MonitoredRecord],
        source: &str,
        screened: Option<&str>,
    ) -> Result<Vec<String>> {
        self.backend
            .transaction(&mut |tx| monitor::upsert(tx, records, source, screened))
    }
    fn monitor_remove(&self, keys: &[String]) -> Result<usize> {
        self.backend
            .transaction(&mut |tx| monitor::remove(tx, keys))
    }
    fn monitored(
        &self,
        after_id: i64,
        limit: usize,
        pending_only: bool,
    ) -> Result<Vec<(i64, MonitoredRecord)>> {
        self.backend
            .transaction(&mut |tx| monitor::page(tx, after_id, limit, pending_only))
    }
    fn monitored_by_keys(&self, keys: &[String]) -> Result<Vec<MonitoredRecord>> {
        self.backend
            .transaction(&mut |tx| monitor::by_keys(tx, keys))
    }
    fn monitored_count(&self) -> Result<u64> {
        self.backend.transaction(&mut |tx| monitor::count(tx))
    }
    fn state(&self, name: &str) -> Result<Option<String>> {
        self.backend.transaction(&mut |tx| monitor::state(tx, name))
    }
    fn set_state(&self, name: &str, value: &str) -> Result<()> {
        self.backend
            .transaction(&mut |tx| monitor::set_state(tx, name, value))
    }
    fn finish_rescreen(&self, run: &RescreenRun) -> Result<i64> {
        self.backend
            .transaction(&mut |tx| monitor::finish_rescreen(tx, run))
    }
    fn rescreens(&self, limit: usize) -> Result<Vec<RescreenRun>> {
        self.backend
            .transaction(&mut |tx| monitor::rescreens(tx, limit))
    }
    fn verify(&self, chain: chain::Chain) -> Result<chain::Verification> {
        chain::verify(&self.backend, chain)
    }
}

/// Where the store lives: `--database`, else the SQLite file in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file at this path (created, with its folder, when the store is opened).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL as given (`postgres://…`); it may hold a password, so
    /// messages show [`Store::describe`] instead.
    Postgres(String),
}

/// The SQLite file's name inside the data directory.
pub const SQLITE_FILE: &str = "watchlist.db";

impl Location {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite:PATH` or a plain path is a
    /// SQLite file; nothing is `<data_dir>/watchlist.db`.
    pub fn resolve(database: Option<&str>, data_dir: &Path) -> Location {
        match database.map(str::trim).filter(|d| !d.is_empty()) {
            None => Location::Sqlite(data_dir.join(SQLITE_FILE)),
            Some(d) if d.starts_with("postgres://") || d.starts_with("postgresql://") => {
                Location::Postgres(d.to_string())
            }
            Some(d) => Location::Sqlite(PathBuf::from(d.strip_prefix("sqlite:").unwrap_or(d))),
        }
    }

    /// Whether a store exists there already: true for PostgreSQL (it is set up by the
    /// operator), the file's existence for SQLite. Used to skip store work for people who
    /// never recorded or monitored anything.
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(p) => p.exists(),
            Location::Postgres(_) => true,
        }
    }
}

/// Opens the store at a location, running migrations. PostgreSQL uses the schema named by
/// `$WATCHLIST_DB_SCHEMA` when set (created if missing), else the connection's search path.
pub fn open(location: &Location) -> Result<Box<dyn Store>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqlStore::new(sqlite::Sqlite::open(path)?)?)),
        Location::Postgres(url) => {
            let schema = std::env::var("WATCHLIST_DB_SCHEMA")
                .ok()
                .filter(|s| !s.is_empty());
            Ok(Box::new(SqlStore::new(postgres::Postgres::connect(
                url,
                schema.as_deref(),
            )?)?))
        }
    }
}

/// The hash of an entity's record as stored in a snapshot: sha256 over its JSON form. A
/// whitelisted pair holds while this stays the same.
pub fn entity_hash(e: &model::Entity) -> String {
    sha256_hex(&serde_json::to_vec(e).expect("entities serialise"))
}

/// sha256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The sha256 of everything `reader` gives (e.g. a roster file, streamed), in hex.
pub fn sha256_hex_reader(mut reader: impl std::io::Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut reader, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// The current time as stored: RFC 3339, UTC, milliseconds (sortable as text).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The operating-system user, as the actor of CLI actions: `$USER` (or `$LOGNAME`), else the
/// name of the process's user id in `/etc/passwd`, else `uid:N`.
pub fn os_user() -> String {
    if let Some(u) = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
    {
        return u;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            let name = passwd.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            });
            return name.unwrap_or_else(|| format!("uid:{uid}"));
        }
    }
    "unknown".to_string()
}
