//! Batch screening jobs (`POST /v1/screen/batch`): a roster uploaded as CSV or JSON lines,
//! screened in the background with `screen::roster` (as `watchlist batch` screens it), its
//! progress and hits read with `GET /v1/screen/batch/{job}`.
//!
//! Bounds (memory stays bounded whatever the upload):
//! - the upload itself is bounded by the server's body limit (`--max-body-mb`) and held until
//!   its job ends;
//! - one job runs at a time, on a blocking thread, screening a chunk of rows at a time on all
//!   cores (`screen::roster::run_batch_full`); at most [`MAX_ACTIVE`] jobs may be queued or
//!   running, more are refused with 429 `busy`;
//! - a job keeps at most [`MAX_HITS`] hits and the first [`MAX_BAD_ROWS`] bad rows (all are
//!   counted; `hits_truncated` says when hits were dropped);
//! - finished jobs are kept in memory, the newest [`MAX_FINISHED`]; older ones are forgotten
//!   (their id answers 404), and all are forgotten when the server stops.
//!
//! With `--record`, every row is recorded (one screening per row, identity the row's `id`
//! column when it has one), a transaction per screening chunk committed while the next chunk
//! is screened (`screen::audit::record::record_roster`, as `watchlist batch --record`).

use crate::errors::ApiError;
use crate::recording::Caller;
use axum::body::Bytes;
use axum::http::StatusCode;
use screen::roster::input::{self, OpenError};
use screen::roster::relations::RelationIndex;
use screen::roster::{run_batch_full, BatchOptions, RosterScreener, Row, RowError, RowHit};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// Most jobs queued or running at once.
pub const MAX_ACTIVE: usize = 4;
/// Finished jobs kept (the newest).
pub const MAX_FINISHED: usize = 32;
/// Hits kept per job.
pub const MAX_HITS: usize = 100_000;
/// Bad rows kept per job (all are counted).
pub const MAX_BAD_ROWS: usize = 1000;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for its turn: one job runs at a time.
    Queued,
    /// Being screened; `rows` and the hits grow as it goes.
    Running,
    /// Every row was read.
    Done,
    /// Stopped before the end; `error` says why.
    Failed,
}

/// Row counts of a job.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RowCounts {
    /// Rows in the upload (bad rows included).
    pub total: u64,
    /// Rows read so far (screened and bad).
    pub done: u64,
    /// Rows screened.
    pub screened: u64,
    /// Rows that could not be screened (missing name, wrong number of fields, bad JSON…).
    pub bad: u64,
    /// Screened rows with at least one hit.
    pub with_hits: u64,
    /// Rows screened with warnings: a value that could not be used (an untidy birth date, an
    /// unknown nationality) was left out and the row screened on the rest.
    pub warned: u64,
}

/// A row that could not be screened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadRow {
    /// 1-based data row (the header is not a row).
    pub row: u64,
    /// Line of the upload where the row starts.
    pub line: u64,
    /// Why the row could not be screened (`no name`, `3 fields, expected 5 as in the header`).
    pub reason: String,
}

/// A row screened with warnings: what could not be used of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarnedRow {
    /// 1-based data row (the header is not a row).
    pub row: u64,
    /// Line of the upload where the row starts.
    pub line: u64,
    /// One line per value left out or read with less precision, naming the field.
    pub warnings: Vec<String>,
}

/// What recording a job did (with `--record`).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct JobRecorded {
    /// Screening records written (one per row).
    pub screenings: u64,
    /// Rows already recorded under the same idempotency key.
    pub duplicates: u64,
    /// Alerts the rows' screenings opened.
    pub alerts_opened: u64,
}

/// One hit: a row of the output, as `watchlist batch` writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchHitOut {
    /// 1-based data row (the header is not a row).
    pub row: u64,
    /// Line of the upload where the row starts.
    pub line: u64,
    /// The row's `id` column.
    pub id: Option<String>,
    /// The row's name (on employer and rule hits too).
    pub name: String,
    /// `list` (the name matched a listed entity), `employer` (the employer did), `rule` (a
    /// roster rule fired: DPRK workers abroad, an address in a sanctioned region, an employer
    /// linked to a listed party).
    pub kind: String,
    /// The roster field the hit is on: `name`, `employer`, `address`, `nationality`, …
    pub field: String,
    /// `list:list_id` for list and employer hits, the rule id for rule hits.
    #[serde(rename = "match")]
    pub matched: String,
    /// The score (0-1) of a list or employer hit; null for rule hits.
    pub score: Option<f32>,
    /// The entity's caption or the rule's title.
    pub caption: String,
    /// `hit` or `review`.
    pub severity: String,
    /// Why, in words: the explanation in brief for a list or employer match, the relation
    /// for an employer named in a listed entity's relations, the region references or the
    /// rule's source for a rule hit.
    pub detail: String,
}

impl From<&RowHit> for BatchHitOut {
    fn from(h: &RowHit) -> Self {
        BatchHitOut {
            row: h.row,
            line: h.line,
            id: h.id.clone(),
            name: h.name.clone(),
            kind: h.kind.clone(),
            field: h.field.clone(),
            matched: h.matched.clone(),
            score: h.score,
            caption: h.caption.clone(),
            severity: h.severity.clone(),
            detail: h.detail.clone(),
        }
    }
}

/// The state of a job, as `GET /v1/screen/batch/{job}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    /// The job's id: 32 random hex digits.
    #[schema(example = "b3c1d2e4f5a6978812345678abcdef01")]
    pub id: String,
    /// Where the job stands: `queued`, `running`, `done` or `failed`.
    pub status: JobStatus,
    /// RFC 3339 times.
    pub created_at: String,
    /// When it started running (RFC 3339); null while queued.
    pub started_at: Option<String>,
    /// When it ended (RFC 3339); null until then.
    pub finished_at: Option<String>,
    /// The API key that submitted the job (`anonymous` without one).
    pub actor: String,
    /// The snapshot the rows are screened against.
    pub snapshot: String,
    /// The alert threshold the rows are screened at: the request's, else the matcher's.
    pub threshold: f32,
    /// Row counts so far.
    pub rows: RowCounts,
    /// Hits found so far.
    pub hit_count: u64,
    /// True when more than the kept hits were found.
    pub hits_truncated: bool,
    /// The first bad rows (all are counted in `rows.bad`).
    pub bad_rows: Vec<BadRow>,
    /// The first rows screened with warnings (all are counted in `rows.warned`).
    pub warned_rows: Vec<WarnedRow>,
    /// The hits kept, in row order (left out with `?hits=false`; also as CSV or JSON lines at
    /// `GET /v1/screen/batch/{job}/hits`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits: Option<Vec<BatchHitOut>>,
    /// What recording did; present when the server records screenings (`--record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<JobRecorded>,
    /// Why the job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A job.
#[derive(Debug)]
pub struct Job {
    /// The job's id (32 hex digits), as in `/v1/screen/batch/{job}`.
    pub id: String,
    /// (actor, idempotency key) of the submission.
    key: Option<(String, String)>,
    state: Mutex<JobState>,
}

#[derive(Debug)]
struct JobState {
    view: JobView,
    hits: Vec<RowHit>,
}

impl Job {
    fn lock(&self) -> std::sync::MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The job's state; with `hits`, the kept hits too.
    pub fn view(&self, hits: bool) -> JobView {
        let st = self.lock();
        let mut v = st.view.clone();
        if hits {
            v.hits = Some(st.hits.iter().map(BatchHitOut::from).collect());
        }
        v
    }

    /// The kept hits (a snapshot of them while the job runs).
    pub fn hits(&self) -> Vec<RowHit> {
        self.lock().hits.clone()
    }

    fn finished(&self) -> bool {
        matches!(self.lock().view.status, JobStatus::Done | JobStatus::Failed)
    }

    fn update(&self, f: impl FnOnce(&mut JobState)) {
        f(&mut self.lock())
    }
}

/// The jobs of a server.
#[derive(Debug)]
pub struct Jobs {
    inner: Mutex<Inner>,
    /// One job runs at a time.
    run: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, Default)]
struct Inner {
    jobs: HashMap<String, Arc<Job>>,
    /// Ids, oldest first.
    order: VecDeque<String>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            inner: Mutex::default(),
            run: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }
}

/// What a job screens and how.
pub struct Submission {
    /// The upload as sent, held until the job ends.
    pub data: Bytes,
    /// A file name whose extension hints the format (`upload.jsonl`, `upload.csv`).
    pub name: String,
    /// Column mapping, (roster field, column name) pairs as
    /// [`screen::roster::input::parse_map`] gives them; empty: columns found by name.
    pub map: Vec<(String, String)>,
    /// Alert threshold; none: the matcher's.
    pub threshold: Option<f32>,
    /// Only these lists (keys, checked by the caller); none: every list.
    pub lists: Option<Vec<String>>,
    /// Who submitted: the job's actor, and the actor of its records.
    pub caller: Caller,
    /// The request's `Idempotency-Key`: the same caller repeating it gets the first job back,
    /// and when recording each row's record key derives from it.
    pub idempotency_key: Option<String>,
    /// The engine the job screens with, taken at submission: a reload while the job waits or
    /// runs does not change its snapshot.
    pub engine: Arc<engine::Engine>,
    /// Where to record (with `--record`).
    pub store: Option<Arc<dyn store::Store>>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn new_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // not secret, only unique: fall back on the clock
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b = t.to_le_bytes();
    }
    hex::encode(b)
}

/// An upload that cannot be read as a roster, as a 400.
pub fn open_error(e: OpenError) -> ApiError {
    match e {
        OpenError::Binary => ApiError::bad_request(
            "binary_input",
            "the upload is a binary file; a roster is CSV (with a header row) or JSON lines",
        ),
        OpenError::Header(m) => ApiError::bad_request("invalid_roster", m),
        OpenError::Io(e) => ApiError::internal("reading the upload", &e),
    }
}

impl Jobs {
    /// The job with this id, while it is kept (finished jobs beyond the newest
    /// [`MAX_FINISHED`] are forgotten).
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.lock().jobs.get(id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks the upload's header, registers the job and starts it in the background.
    /// Returns the job and whether it is new (a submission repeating an idempotency key
    /// returns the job of the first one).
    pub fn submit(&self, sub: Submission) -> Result<(Arc<Job>, bool), ApiError> {
        let actor = sub.caller.actor();
        let key = sub.idempotency_key.clone().map(|k| (actor.clone(), k));
        // the header is read now, so that a roster without a name column is a 400
        input::open(&sub.name, std::io::Cursor::new(sub.data.clone()), &sub.map)
            .map_err(open_error)?;
        let threshold = sub
            .threshold
            .unwrap_or(sub.engine.matcher().config().threshold);
        let job = {
            let mut inner = self.lock();
            if let Some(k) = &key {
                if let Some(j) = inner.jobs.values().find(|j| j.key.as_ref() == Some(k)) {
                    return Ok((j.clone(), false));
                }
            }
            let active = inner.jobs.values().filter(|j| !j.finished()).count();
            if active >= MAX_ACTIVE {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "busy",
                    format!(
                        "{active} batch jobs are queued or running; retry when one has finished"
                    ),
                ));
            }
            let id = new_id();
            let job = Arc::new(Job {
                id: id.clone(),
                key,
                state: Mutex::new(JobState {
                    view: JobView {
                        id: id.clone(),
                        status: JobStatus::Queued,
                        created_at: now(),
                        started_at: None,
                        finished_at: None,
                        actor,
                        snapshot: sub.engine.snapshot.manifest.version.clone(),
                        threshold,
                        rows: RowCounts::default(),
                        hit_count: 0,
                        hits_truncated: false,
                        bad_rows: Vec::new(),
                        warned_rows: Vec::new(),
                        hits: None,
                        recorded: sub.store.as_ref().map(|_| JobRecorded::default()),
                        error: None,
                    },
                    hits: Vec::new(),
                }),
            });
            inner.jobs.insert(id.clone(), job.clone());
            inner.order.push_back(id);
            // forget the oldest finished jobs beyond the cap
            let finished: Vec<String> = inner
                .order
                .iter()
                .filter(|i| inner.jobs.get(*i).is_some_and(|j| j.finished()))
                .cloned()
                .collect();
            for old in finished
                .iter()
                .take(finished.len().saturating_sub(MAX_FINISHED))
            {
                inner.jobs.remove(old);
                inner.order.retain(|i| i != old);
            }
            job
        };
        let run = self.run.clone();
        let j = job.clone();
        tokio::spawn(async move {
            let permit = run.acquire_owned().await;
            j.update(|s| {
                s.view.status = JobStatus::Running;
                s.view.started_at = Some(now());
            });
            let jj = j.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                run_job(&jj, sub)
            })
            .await
            .unwrap_or_else(|e| Err(format!("the job stopped: {e}")));
            j.update(|s| {
                s.view.finished_at = Some(now());
                match outcome {
                    Ok(()) => s.view.status = JobStatus::Done,
                    Err(e) => {
                        tracing::error!(job = %s.view.id, "batch job failed: {e}");
                        s.view.status = JobStatus::Failed;
                        s.view.error = Some(e);
                    }
                }
            });
        });
        Ok((job, true))
    }
}

/// Runs a job to its end (on a blocking thread).
fn run_job(job: &Job, sub: Submission) -> Result<(), String> {
    let open = || {
        input::open(&sub.name, std::io::Cursor::new(sub.data.clone()), &sub.map)
            .map_err(|e| e.to_string())
    };
    // first pass: how many rows (reading is cheap next to screening)
    let mut total = 0u64;
    let mut counting = open()?;
    while counting.next_row().is_some() {
        total += 1;
    }
    drop(counting);
    job.update(|s| s.view.rows.total = total);

    let engine = &sub.engine;
    let relations = RelationIndex::build(engine.snapshot.entities().map_while(|r| r.ok()));
    let screener = RosterScreener::new(
        engine.matcher(),
        relations,
        BatchOptions {
            threshold: sub.threshold,
            lists: sub.lists.clone(),
        },
    );
    let actor = sub.caller.actor();
    let mut rows = open()?;
    let on_row = |row: &Row, hits: Vec<RowHit>, warnings: Vec<String>| {
        job.update(|s| {
            s.view.rows.done += 1;
            s.view.rows.screened += 1;
            if !warnings.is_empty() {
                s.view.rows.warned += 1;
                if s.view.warned_rows.len() < MAX_BAD_ROWS {
                    s.view.warned_rows.push(WarnedRow {
                        row: row.row,
                        line: row.line,
                        warnings,
                    });
                }
            }
            if !hits.is_empty() {
                s.view.rows.with_hits += 1;
                s.view.hit_count += hits.len() as u64;
                let room = MAX_HITS.saturating_sub(s.hits.len());
                if hits.len() > room {
                    s.view.hits_truncated = true;
                }
                s.hits.extend(hits.into_iter().take(room));
            }
        });
    };
    let mut on_error = |e: &RowError| {
        job.update(|s| {
            s.view.rows.done += 1;
            s.view.rows.bad += 1;
            if s.view.bad_rows.len() < MAX_BAD_ROWS {
                s.view.bad_rows.push(BadRow {
                    row: e.row,
                    line: e.line,
                    reason: e.reason.clone(),
                });
            }
        })
    };
    let Some(store) = &sub.store else {
        run_batch_full(
            &screener,
            rows.as_mut(),
            &mut |row, r| {
                on_row(row, r.hits, r.warnings);
                Ok(())
            },
            &mut on_error,
            &mut |_, _| {},
        )
        .map_err(|e| e.to_string())?;
        return Ok(());
    };
    let options = serde_json::json!({ "lists": sub.lists, "map": sub.map });
    let origin = serde_json::json!({ "job": job.id });
    // without the caller's key, rows are keyed by the upload's content, the lists and the
    // options (store::record::derive_roster_key): the same upload again records nothing new
    let roster = store::record::derive_roster_key(
        &store::sha256_hex(&sub.data),
        &engine.snapshot.manifest.version,
        matcher::MATCHER_VERSION,
        sub.threshold.unwrap_or(engine.matcher().config().threshold),
        &options,
    );
    screen::audit::record::record_roster(
        &**store,
        &screener,
        rows.as_mut(),
        |row, r| {
            let mut s = screen::audit::record::roster_row(
                engine,
                row,
                r,
                sub.threshold,
                // only derived keys read the options, and these rows have keys
                serde_json::Value::Null,
                &actor,
                origin.clone(),
            );
            s.idempotency_key = crate::recording::part_key(
                sub.idempotency_key.as_deref(),
                &format!("row{}", row.row),
            )
            .or_else(|| Some(store::record::row_key(&roster, row.row)));
            s
        },
        |row, hits, warnings| {
            on_row(row, hits, warnings);
            Ok(())
        },
        |done| {
            job.update(|s| {
                if let Some(r) = s.view.recorded.as_mut() {
                    let mut tally = store::record::RecordTally::default();
                    tally.add(done);
                    r.screenings += tally.screenings;
                    r.duplicates += tally.duplicates;
                    r.alerts_opened += tally.alerts_opened;
                }
            })
        },
        &mut on_error,
        &mut |_, _| {},
    )
    .map_err(|e| {
        format!(
            "recording stopped the job: {}",
            crate::recording::store_error(e).message
        )
    })?
    .map_err(|e| e.to_string())?;
    Ok(())
}
