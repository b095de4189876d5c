//! The embedded backend: one SQLite file (`<data_dir>/watchlist.db` by default).
//!
//! WAL mode (readers never block the writer), `synchronous=FULL` (a committed transaction
//! survives a crash of the process and of the machine), foreign keys on, and a 30-second busy
//! timeout so that two processes writing at once wait for each other instead of failing.
//! Every transaction is `BEGIN IMMEDIATE`: it takes the write lock at its start, so two
//! writers are serialised and never deadlock. The write-ahead log is checkpointed into the
//! database file once it holds 4,096 pages (16 MiB; SQLite's default is 1,000 pages): a
//! batch commits a few MiB per transaction, so a checkpoint runs every few transactions, on
//! the thread that commits, and writes each page once however often the transactions between
//! changed it; the checkpoint left for closing the store stays small (with 64 MiB it took
//! 0.45 s at the end of a 100,000-row batch).

use crate::sql::{Backend, Dialect, Row, Tx, Value};
use crate::{Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// An open SQLite store file.
pub struct Sqlite {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Sqlite {
    /// Opens (creating if needed) the file and sets WAL mode and the pragmas above.
    pub fn open(path: &Path) -> Result<Self> {
        let unavailable = |reason: String| StoreError::Unavailable {
            database: format!("SQLite {}", path.display()),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| unavailable(e.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| unavailable(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(|e| unavailable(e.to_string()))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| unavailable(e.to_string()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(unavailable(format!(
                "cannot switch to WAL mode (journal mode is {mode})"
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; \
             PRAGMA wal_autocheckpoint=4096;",
        )
        .map_err(|e| unavailable(e.to_string()))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Sqlite {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The database file, as it was opened.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Maps a SQLite error: "busy" is transient (retried), everything else a query error.
fn sql_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            StoreError::Busy(e.to_string())
        }
        _ => StoreError::Sql(e.to_string()),
    }
}

/// `$1` → `?1`: SQLite's numbered parameters (SQLite would read `$1` as a parameter named
/// "$1", numbered by first appearance). `$` and `?` are both one byte, so the text is
/// rewritten byte for byte.
fn placeholders(sql: &str) -> String {
    let mut out = sql.as_bytes().to_vec();
    for i in 0..out.len().saturating_sub(1) {
        if out[i] == b'$' && out[i + 1].is_ascii_digit() {
            out[i] = b'?';
        }
    }
    String::from_utf8(out).expect("ASCII bytes replaced by ASCII bytes")
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Int(Some(n)) => ToSqlOutput::from(*n),
            Value::Real(Some(f)) => ToSqlOutput::from(*f),
            Value::Text(Some(t)) => ToSqlOutput::from(t.as_str()),
            Value::Int(None) | Value::Real(None) | Value::Text(None) => {
                ToSqlOutput::from(rusqlite::types::Null)
            }
        })
    }
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Text(None),
        ValueRef::Integer(n) => Value::Int(Some(n)),
        ValueRef::Real(f) => Value::Real(Some(f)),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Value::Text(Some(String::from_utf8_lossy(t).into_owned()))
        }
    }
}

struct SqliteTx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

impl Tx for SqliteTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self
            .tx
            .prepare_cached(&placeholders(sql))
            .map_err(sql_err)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params))
            .map_err(sql_err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self
            .tx
            .prepare_cached(&placeholders(sql))
            .map_err(sql_err)?;
        let cols = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(sql_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sql_err)? {
            let mut row = Vec::with_capacity(cols);
            for i in 0..cols {
                row.push(value(r.get_ref(i).map_err(sql_err)?));
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.tx.execute_batch(sql).map_err(sql_err)
    }
}

impl Backend for Sqlite {
    fn transaction<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Sql("the SQLite connection was poisoned".into()))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = (|| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(sql_err)?;
                let value = f(&mut SqliteTx { tx: &tx })?;
                tx.commit().map_err(sql_err)?;
                Ok(value)
            })();
            match result {
                Err(StoreError::Busy(_)) if attempt < 5 => {
                    std::thread::sleep(Duration::from_millis(50 * attempt));
                }
                other => return other,
            }
        }
    }

    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = $2 AND c = $1 AND d = '$x'"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 AND d = '$x'"
        );
    }

    #[test]
    fn opens_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("sub/w.db")).unwrap();
        let mode = db
            .transaction(&mut |tx| tx.query_one("PRAGMA journal_mode", &[])?.text(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
