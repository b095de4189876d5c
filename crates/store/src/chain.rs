//! Hash chains over the append-only tables: screening records and alert events.
//!
//! Each row has a gapless sequence number `seq` (1, 2, …), the hash of the row before it
//! (`prev_hash`; 64 zeros for the first) and its own `hash` = sha256 over the chain's name,
//! `prev_hash`, `seq` and the [`content_hash`] of every stored field (each length-prefixed,
//! so that no two different rows hash alike).
//! The table `chain_heads` holds the last `seq` and `hash` of each chain; writers lock it
//! (`FOR UPDATE`) for the whole transaction, so links are appended one writer at a time.
//!
//! [`verify`] walks a chain in order and reports the first broken link: a row whose fields
//! no longer give its hash (edited), whose `prev_hash` is not the previous row's hash, a
//! missing `seq` (deleted), or a head that does not match the last row (a cut-off tail).

use crate::sql::{Backend, Row, Tx};
use crate::{params, Result, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash-chained tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// Screening records (table `screenings`).
    Screenings,
    /// The history of every alert (table `alert_events`): one chain for all alerts.
    AlertEvents,
}

impl Chain {
    /// Every chain, in the order `watchlist audit verify` checks them.
    pub const ALL: [Chain; 2] = [Chain::Screenings, Chain::AlertEvents];

    /// The chain's table, which is also its row in `chain_heads` and part of every link's hash.
    pub fn name(self) -> &'static str {
        match self {
            Chain::Screenings => "screenings",
            Chain::AlertEvents => "alert_events",
        }
    }

    /// The columns hashed, in order (after `seq`, before `prev_hash` and `hash`).
    fn columns(self) -> &'static str {
        match self {
            Chain::Screenings => {
                "idempotency_key, created_at, actor, source, identity, input, input_hash, \
                 snapshot, matcher_version, threshold, results"
            }
            Chain::AlertEvents => "alert_id, at, kind, actor, note, data",
        }
    }
}

/// The hash of a row's content: sha256 over its fields, each length-prefixed. Computed
/// before the row's place in the chain is known, so that writers can hash in parallel.
pub fn content_hash(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"watchlist-content-v1");
    for f in fields {
        h.update(b"\n");
        h.update(f.len().to_string().as_bytes());
        h.update(b":");
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash of one link: sha256 over the chain's name, `prev_hash`, `seq` and the
/// [`content_hash`] of the row's fields.
pub fn link_hash(chain: Chain, prev_hash: &str, seq: i64, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"watchlist-chain-v1\n");
    h.update(chain.name().as_bytes());
    h.update(b"\n");
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    hex::encode(h.finalize())
}

/// The last link of a chain, locked until the transaction ends.
#[derive(Debug, Clone)]
pub struct Head {
    /// The chain this is the head of.
    pub chain: Chain,
    /// The `seq` of the last link; 0 for an empty chain.
    pub seq: i64,
    /// The `hash` of the last link; [`GENESIS`] for an empty chain.
    pub hash: String,
}

impl Head {
    /// Locks and reads the head of a chain.
    pub fn lock(tx: &mut dyn Tx, chain: Chain) -> Result<Head> {
        let sql = format!(
            "SELECT seq, hash FROM chain_heads WHERE chain = $1{}",
            tx.dialect().for_update()
        );
        let row = tx.query_one(&sql, params![chain.name()])?;
        Ok(Head {
            chain,
            seq: row.int(0)?,
            hash: row.text(1)?,
        })
    }

    /// Computes the next link from the row's [`content_hash`]: returns its seq, prev_hash
    /// and hash and advances the head.
    pub fn append(&mut self, content: &str) -> (i64, String, String) {
        let seq = self.seq + 1;
        let prev = std::mem::take(&mut self.hash);
        let hash = link_hash(self.chain, &prev, seq, content);
        self.seq = seq;
        self.hash = hash.clone();
        (seq, prev, hash)
    }

    /// Writes the head back (before commit).
    pub fn save(&self, tx: &mut dyn Tx) -> Result<()> {
        tx.execute(
            "UPDATE chain_heads SET seq = $1, hash = $2 WHERE chain = $3",
            params![self.seq, self.hash.as_str(), self.chain.name()],
        )?;
        Ok(())
    }
}

/// The first link found broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// Where the chain breaks: the altered or misplaced row, or the first missing `seq`.
    pub seq: i64,
    /// What is wrong, as a sentence for people (`#12 was altered: …`).
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The chain checked.
    pub chain: Chain,
    /// Links checked.
    pub links: u64,
    /// The head's `seq`, as stored in `chain_heads`.
    pub head_seq: i64,
    /// The head's `hash`, as stored in `chain_heads`.
    pub head_hash: String,
    /// The first broken link; `None` when the whole chain holds.
    pub broken: Option<BrokenLink>,
}

impl Verification {
    /// True when no link is broken.
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// Rows per page read while verifying.
const PAGE: i64 = 2000;

/// Walks a chain from its first link to its head, a page per transaction.
pub fn verify<B: Backend + ?Sized>(backend: &B, chain: Chain) -> Result<Verification> {
    let sql = format!(
        "SELECT seq, {}, prev_hash, hash FROM {} WHERE seq > $1 ORDER BY seq LIMIT $2",
        chain.columns(),
        chain.name()
    );
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut links = 0u64;
    let mut broken = None;
    'pages: loop {
        let rows =
            backend.transaction(&mut |tx| tx.query(&sql, params![expected_seq - 1, PAGE]))?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if let Some(b) = check(chain, row, expected_seq, &prev)? {
                broken = Some(b);
                break 'pages;
            }
            links += 1;
            prev = row.text(row.0.len() - 1)?;
            expected_seq += 1;
        }
    }
    let head = backend.transaction(&mut |tx| {
        tx.query_one(
            "SELECT seq, hash FROM chain_heads WHERE chain = $1",
            params![chain.name()],
        )
    })?;
    let (head_seq, head_hash) = (head.int(0)?, head.text(1)?);
    if broken.is_none() && (head_seq != expected_seq - 1 || head_hash != prev) {
        broken = Some(BrokenLink {
            seq: expected_seq,
            reason: format!(
                "the chain ends at #{} but its head says #{head_seq}: records after #{} are missing",
                expected_seq - 1,
                expected_seq - 1
            ),
        });
    }
    Ok(Verification {
        chain,
        links,
        head_seq,
        head_hash,
        broken,
    })
}

/// Checks one row; returns the broken link, if it is one.
fn check(chain: Chain, row: &Row, expected_seq: i64, prev: &str) -> Result<Option<BrokenLink>> {
    let seq = row.int(0)?;
    let n = row.0.len();
    let broken = |seq: i64, reason: String| Ok(Some(BrokenLink { seq, reason }));
    if seq != expected_seq {
        return broken(
            expected_seq,
            format!("#{expected_seq} is missing (the next record is #{seq}): a record was deleted"),
        );
    }
    let prev_hash = row.text(n - 2)?;
    if prev_hash != prev {
        return broken(
            seq,
            format!(
                "#{seq} does not follow #{}: its prev_hash is not the previous record's hash",
                seq - 1
            ),
        );
    }
    let fields = (1..n - 2)
        .map(|i| field_text(row, i))
        .collect::<Result<Vec<String>>>()?;
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let hash = row.text(n - 1)?;
    if link_hash(chain, &prev_hash, seq, &content_hash(&refs)) != hash {
        return broken(
            seq,
            format!("#{seq} was altered: its content no longer gives its stored hash"),
        );
    }
    Ok(None)
}

/// A column as hashed: numbers in Rust's shortest round-trip form, text as is.
fn field_text(row: &Row, i: usize) -> Result<String> {
    use crate::sql::Value;
    match row.0.get(i) {
        Some(Value::Real(Some(f))) => Ok(real_text(*f)),
        Some(Value::Int(Some(n))) => Ok(n.to_string()),
        Some(Value::Text(Some(t))) => Ok(t.clone()),
        _ => Err(StoreError::Corrupt(format!("column {i} is NULL"))),
    }
}

/// How a float field is hashed.
pub fn real_text(f: f64) -> String {
    format!("{f}")
}
