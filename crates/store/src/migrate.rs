//! Versioned migrations, run when a store is opened.
//!
//! Each migration has one SQL file per dialect under `src/migrations/<dialect>/`. The table
//! `schema_migrations` records the versions applied with a checksum of their SQL. Opening a
//! store applies the missing versions in order, in the opening transaction (PostgreSQL takes
//! an advisory lock first, so instances starting together apply each version once). A
//! database with a version this program does not know, or whose recorded checksum differs
//! from the file (an edited migration), is refused rather than guessed at.

use crate::sql::{Dialect, Tx};
use crate::{params, Result, StoreError};

/// One schema version.
pub struct Migration {
    /// The schema version (1, 2, …), recorded in `schema_migrations` once applied.
    pub version: i64,
    /// What the version sets up, for the log and `schema_migrations`.
    pub name: &'static str,
    /// The SQL for SQLite (`src/migrations/sqlite/`).
    pub sqlite: &'static str,
    /// The SQL for PostgreSQL (`src/migrations/postgres/`).
    pub postgres: &'static str,
}

impl Migration {
    fn sql(&self, d: Dialect) -> &'static str {
        match d {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}

/// Every migration, oldest first. Never edit a released one: add a new version.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "screenings, alerts, whitelist, monitored records, rescreens",
    sqlite: include_str!("migrations/sqlite/0001_init.sql"),
    postgres: include_str!("migrations/postgres/0001_init.sql"),
}];

/// The newest schema version this program knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Any number; the advisory lock key of watchlist's migrations.
const LOCK_KEY: i64 = 0x7761_7463_686c;

/// Brings the schema up to date.
pub fn run(tx: &mut dyn Tx) -> Result<()> {
    let d = tx.dialect();
    if d == Dialect::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock($1)", params![LOCK_KEY])?;
    }
    tx.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    BIGINT PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let applied = tx.query(
        "SELECT version, checksum FROM schema_migrations ORDER BY version",
        &[],
    )?;
    for row in &applied {
        let (v, sum) = (row.int(0)?, row.text(1)?);
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == v) else {
            return Err(StoreError::Schema(format!(
                "the database has schema version {v}, newer than this watchlist knows ({}); upgrade watchlist",
                latest()
            )));
        };
        if sum != checksum(m.sql(d)) {
            return Err(StoreError::Schema(format!(
                "schema version {v} in the database was applied from different SQL than this watchlist ships"
            )));
        }
    }
    for m in MIGRATIONS {
        if applied.iter().any(|r| r.int(0).ok() == Some(m.version)) {
            continue;
        }
        tx.batch(m.sql(d))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            params![m.version, m.name, checksum(m.sql(d)), crate::now()],
        )?;
        tracing::info!("store: applied migration {} ({})", m.version, m.name);
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    crate::sha256_hex(sql.as_bytes())
}
