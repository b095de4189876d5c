//! Test harness: the same tests on SQLite and PostgreSQL.
//!
//! PostgreSQL: `$WATCHLIST_TEST_DATABASE`, else `postgres://postgres@127.0.0.1:5432/test`
//! (the server every machine here runs, CI's included). Each test gets a schema of its own
//! (`wl_test_<pid>_<n>_<nanos>`), dropped at the end. If the server cannot be reached the
//! tests fail, saying so: they are part of CI, not optional.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use store::sql::{Backend, Row};
use store::{SqlStore, Store};

pub fn pg_url() -> String {
    std::env::var("WATCHLIST_TEST_DATABASE")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A unique schema name for this process and test.
pub fn unique_schema() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "wl_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

pub enum Db {
    Sqlite(SqlStore<store::sqlite::Sqlite>),
    Postgres(Box<SqlStore<store::postgres::Postgres>>),
}

/// A store for one test, and how to reach it again (from another process).
pub struct TestDb {
    pub db: Db,
    /// For SQLite: the file; for PostgreSQL: the URL.
    pub location: String,
    pub schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn store(&self) -> &dyn Store {
        match &self.db {
            Db::Sqlite(s) => s,
            Db::Postgres(s) => &**s,
        }
    }

    /// Runs raw SQL (to tamper with the data as an attacker with database access would).
    pub fn exec(&self, sql: &str) -> Result<(), store::StoreError> {
        match &self.db {
            Db::Sqlite(s) => s.backend().transaction(&mut |tx| tx.batch(sql)),
            Db::Postgres(s) => s.backend().transaction(&mut |tx| tx.batch(sql)),
        }
    }

    /// Runs a raw query.
    pub fn query(&self, sql: &str) -> Vec<Row> {
        match &self.db {
            Db::Sqlite(s) => s.backend().transaction(&mut |tx| tx.query(sql, &[])),
            Db::Postgres(s) => s.backend().transaction(&mut |tx| tx.query(sql, &[])),
        }
        .unwrap()
    }

    pub fn count(&self, table: &str) -> i64 {
        self.query(&format!("SELECT COUNT(*) FROM {table}"))[0]
            .int(0)
            .unwrap()
    }

    /// Opens a second, independent connection to the same store.
    pub fn reopen(&self) -> Box<dyn Store> {
        match &self.db {
            Db::Sqlite(_) => {
                store::open(&store::Location::Sqlite(PathBuf::from(&self.location))).unwrap()
            }
            Db::Postgres(_) => Box::new(
                SqlStore::new(
                    store::postgres::Postgres::connect(&self.location, self.schema.as_deref())
                        .unwrap(),
                )
                .unwrap(),
            ),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let (Db::Postgres(s), Some(schema)) = (&self.db, &self.schema) {
            let _ = s.backend().transaction(&mut |tx| {
                tx.batch(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            });
        }
    }
}

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watchlist.db");
    let db = SqlStore::new(store::sqlite::Sqlite::open(&path).unwrap()).unwrap();
    TestDb {
        db: Db::Sqlite(db),
        location: path.display().to_string(),
        schema: None,
        _dir: Some(dir),
    }
}

pub fn postgres() -> TestDb {
    let url = pg_url();
    let schema = unique_schema();
    let backend = store::postgres::Postgres::connect(&url, Some(&schema)).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is needed for the store tests and could not be reached: {e}\n\
             (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start,\n\
             or point $WATCHLIST_TEST_DATABASE at a server)"
        )
    });
    TestDb {
        db: Db::Postgres(Box::new(SqlStore::new(backend).unwrap())),
        location: url,
        schema: Some(schema),
        _dir: None,
    }
}

/// Declares each listed test function (`fn name(db: &TestDb)`) once per backend:
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { let db = $crate::common::sqlite(); super::$name(&db); } )*
        }
        mod postgres {
            $( #[test] fn $name() { let db = $crate::common::postgres(); super::$name(&db); } )*
        }
    };
}
