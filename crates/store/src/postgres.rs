//! The shared backend: PostgreSQL (`--database postgres://user@host:5432/db`).
//!
//! One connection per store, used under a mutex; prepared statements are cached per
//! connection. Transactions run at READ COMMITTED: the store serialises what must be serial
//! with row locks (`SELECT … FOR UPDATE` on a chain head or an alert) and unique constraints,
//! and migrations take an advisory lock, so several watchlist instances can share one
//! database. A connection that dies mid-run fails the operation in progress with a clear
//! [`StoreError::Unavailable`]; the next call reconnects.
//!
//! Set `$WATCHLIST_DB_SCHEMA` (or pass a schema to [`Postgres::connect`]) to keep the tables
//! in their own schema, created if missing.

use crate::sql::{Backend, Dialect, Row, Tx, Value};
use crate::{Result, StoreError};
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls, Statement};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A connection to a PostgreSQL store.
pub struct Postgres {
    config: Config,
    schema: Option<String>,
    display: String,
    conn: Mutex<Option<Conn>>,
}

struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// The database named for people: user@host:port/db, never the password.
fn display(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(s) => s.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "PostgreSQL {}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or("?")
    )
}

fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

impl Postgres {
    /// Connects (10-second timeout unless the URL sets one) and, with a schema, creates it
    /// if needed and puts it first on the search path.
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Self> {
        let mut config: Config = url.parse().map_err(|e| {
            StoreError::Input(format!("--database: not a PostgreSQL connection URL: {e}"))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("watchlist");
        }
        if let Some(s) = schema {
            if !valid_schema(s) {
                return Err(StoreError::Input(format!(
                    "database schema {s:?}: use letters, digits and underscores"
                )));
            }
        }
        let pg = Postgres {
            display: display(&config),
            config,
            schema: schema.map(str::to_string),
            conn: Mutex::new(None),
        };
        let conn = pg.open_conn()?;
        *pg.conn.lock().expect("fresh mutex") = Some(conn);
        Ok(pg)
    }

    fn unavailable(&self, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Unavailable {
            database: self.display.clone(),
            reason: reason.to_string(),
        }
    }

    fn open_conn(&self) -> Result<Conn> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| self.unavailable(error_text(&e)))?;
        if let Some(s) = &self.schema {
            client
                .batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS \"{s}\"; SET search_path TO \"{s}\""
                ))
                .or_else(|e| {
                    // two instances creating the schema at once: one wins, the other sees
                    // a unique violation; the schema exists either way
                    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                        client.batch_execute(&format!("SET search_path TO \"{s}\""))
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| self.unavailable(error_text(&e)))?;
        }
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }
}

/// The full text of a PostgreSQL error (the driver's `Display` leaves out the server's
/// message for some errors).
fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(&format!(": {inner}"));
                src = inner.source();
            }
            s
        }
    }
}

fn pg_err(e: postgres::Error) -> StoreError {
    if matches!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE) | Some(&SqlState::T_R_DEADLOCK_DETECTED)
    ) {
        return StoreError::Busy(error_text(&e));
    }
    // connection exceptions (08…) and the server shutting the session down (57P01-57P05)
    let lost = e
        .code()
        .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P0"));
    // "error communicating with the server": the socket failed (reset, broken pipe)
    let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
    if e.is_closed() || lost || io {
        return StoreError::Unavailable {
            database: "PostgreSQL".into(),
            reason: format!("connection lost: {}", error_text(&e)),
        };
    }
    StoreError::Sql(error_text(&e))
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(x) => x as &(dyn ToSql + Sync),
            Value::Real(x) => x as &(dyn ToSql + Sync),
            Value::Text(x) => x as &(dyn ToSql + Sync),
        })
        .collect()
}

fn row(r: &postgres::Row) -> Result<Row> {
    let mut out = Vec::with_capacity(r.len());
    for (i, c) in r.columns().iter().enumerate() {
        let ty = c.type_();
        let v = if *ty == Type::INT8 {
            Value::Int(r.try_get::<_, Option<i64>>(i).map_err(pg_err)?)
        } else if *ty == Type::INT4 {
            Value::Int(
                r.try_get::<_, Option<i32>>(i)
                    .map_err(pg_err)?
                    .map(i64::from),
            )
        } else if *ty == Type::INT2 {
            Value::Int(
                r.try_get::<_, Option<i16>>(i)
                    .map_err(pg_err)?
                    .map(i64::from),
            )
        } else if *ty == Type::FLOAT8 {
            Value::Real(r.try_get::<_, Option<f64>>(i).map_err(pg_err)?)
        } else if *ty == Type::FLOAT4 {
            Value::Real(
                r.try_get::<_, Option<f32>>(i)
                    .map_err(pg_err)?
                    .map(f64::from),
            )
        } else if *ty == Type::BOOL {
            Value::Int(
                r.try_get::<_, Option<bool>>(i)
                    .map_err(pg_err)?
                    .map(i64::from),
            )
        } else {
            Value::Text(r.try_get::<_, Option<String>>(i).map_err(pg_err)?)
        };
        out.push(v);
    }
    Ok(Row(out))
}

struct PgTx<'a, 'c> {
    tx: postgres::Transaction<'c>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgTx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(pg_err)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

impl Tx for PgTx<'_, '_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        self.tx.execute(&stmt, &params(values)).map_err(pg_err)
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let rows = self.tx.query(&stmt, &params(values)).map_err(pg_err)?;
        rows.iter().map(row).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.tx.batch_execute(sql).map_err(pg_err)
    }
}

impl Backend for Postgres {
    fn transaction<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| StoreError::Sql("the PostgreSQL connection was poisoned".into()))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if guard.as_ref().is_none_or(|c| c.client.is_closed()) {
                *guard = None;
                *guard = Some(self.open_conn()?);
            }
            let conn = guard.as_mut().expect("connected above");
            let result = (|| {
                let tx = conn.client.transaction().map_err(pg_err)?;
                let mut t = PgTx {
                    tx,
                    statements: &mut conn.statements,
                };
                let value = f(&mut t)?;
                t.tx.commit().map_err(pg_err)?;
                Ok(value)
            })();
            match result {
                Err(StoreError::Busy(_)) if attempt < 5 => {
                    std::thread::sleep(Duration::from_millis(20 * attempt));
                }
                Err(StoreError::Unavailable { reason, .. }) => {
                    *guard = None;
                    return Err(self.unavailable(reason));
                }
                other => return other,
            }
        }
    }

    fn describe(&self) -> String {
        match &self.schema {
            Some(s) => format!("{} (schema {s})", self.display),
            None => self.display.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_checked() {
        assert!(valid_schema("wl_test_1"));
        assert!(!valid_schema("a\"; DROP"));
        assert!(!valid_schema("1abc"));
        assert!(!valid_schema(""));
    }

    #[test]
    fn unreachable_server_is_a_clear_error() {
        let e = Postgres::connect("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", None)
            .err()
            .expect("nothing listens on port 1");
        let msg = e.to_string();
        assert!(matches!(e, StoreError::Unavailable { .. }), "{msg}");
        assert!(msg.contains("nobody@127.0.0.1:1/none"), "{msg}");
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        let e = Postgres::connect("postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2", None)
            .err()
            .unwrap();
        assert!(!e.to_string().contains("s3cret"));
    }
}
