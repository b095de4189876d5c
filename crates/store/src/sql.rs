//! The small SQL layer both backends implement, so that the store's logic is written once.
//!
//! Statements use PostgreSQL's `$1, $2, …` placeholders; the SQLite backend rewrites them to
//! SQLite's numbered `?1, ?2, …`. Values are typed ([`Value`]) because PostgreSQL checks parameter types, NULLs
//! included. Every column the store reads is an integer (`BIGINT`), a float (`DOUBLE
//! PRECISION`) or text; JSON is kept as text, byte for byte, so that the hash chain can be
//! recomputed from what is stored.

use crate::{Result, StoreError};

/// A parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An integer (`BIGINT`); `None` is NULL.
    Int(Option<i64>),
    /// A float (`DOUBLE PRECISION`); `None` is NULL.
    Real(Option<f64>),
    /// Text, JSON included; `None` is NULL.
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(Some(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { &[$($crate::sql::Value::from($v)),*] };
}

/// A result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn col(&self, i: usize) -> Result<&Value> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Corrupt(format!("row has no column {i}")))
    }

    /// An integer column (NULL is an error).
    pub fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }

    /// An integer column, `None` for NULL (a float is truncated, text is parsed).
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.col(i)? {
            Value::Int(v) => Ok(*v),
            Value::Real(Some(f)) => Ok(Some(*f as i64)),
            Value::Real(None) | Value::Text(None) => Ok(None),
            Value::Text(Some(t)) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Corrupt(format!("column {i}: {t:?} is not an integer"))),
        }
    }

    /// A float column (an integer is converted; NULL or text is an error).
    pub fn real(&self, i: usize) -> Result<f64> {
        match self.col(i)? {
            Value::Real(Some(f)) => Ok(*f),
            Value::Int(Some(n)) => Ok(*n as f64),
            v => Err(StoreError::Corrupt(format!(
                "column {i}: {v:?} is not a number"
            ))),
        }
    }

    /// A text column (NULL is an error).
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }

    /// A text column, `None` for NULL (a number is given as text).
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.col(i)? {
            Value::Text(v) => Ok(v.clone()),
            Value::Int(v) => Ok(v.map(|n| n.to_string())),
            Value::Real(v) => Ok(v.map(|n| n.to_string())),
        }
    }

    /// A text column holding JSON.
    pub fn json(&self, i: usize) -> Result<serde_json::Value> {
        let t = self.text(i)?;
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
    }
}

/// The SQL dialect of a transaction, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite ([`crate::sqlite`]).
    Sqlite,
    /// PostgreSQL ([`crate::postgres`]).
    Postgres,
}

impl Dialect {
    /// Row locking inside a transaction: `FOR UPDATE` on PostgreSQL; SQLite has no row locks
    /// and needs none (its transactions are `BEGIN IMMEDIATE`: one writer at a time).
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

/// One open transaction.
pub trait Tx {
    /// The database's dialect, for the few statements that differ.
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a query; returns every row.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<()>;

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Exactly one row.
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Sql(format!("no row returned by: {sql}")))
    }
}

/// A database connection that runs closures in transactions.
pub trait Backend: Send + Sync {
    /// Runs `f` in a transaction and commits it; on error rolls back. Transient conflicts
    /// (PostgreSQL serialization failures and deadlocks, SQLite busy) are retried a few times,
    /// so `f` may run more than once and must not have effects outside the transaction.
    fn transaction<T>(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Which database this is (no password).
    fn describe(&self) -> String;
}
