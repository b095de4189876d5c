//! The shared state: the engine in service, swapped atomically on reload, the keys, the limits
//! and the metrics.
//!
//! Hot reload: the engine is held in an [`ArcSwapOption`]. A handler takes an `Arc<Engine>` once
//! at its start and uses it to the end, so a request in flight finishes on the snapshot it
//! started with while new requests see the new one; the old engine is dropped when its last
//! request ends. A reload loads the new snapshot and its persisted index on a blocking thread
//! (building the index first if that snapshot has none yet) and swaps only when that succeeded:
//! a failed reload leaves the old snapshot in service. Reloads are serialised.
//!
//! Triggers: `POST /v1/admin/update` (after its import), `POST /v1/admin/reload`, SIGHUP, and,
//! with `--watch`, a change of the data directory's `CURRENT` file (checked every second, so a
//! `watchlist import` or `watchlist update` run beside the server is picked up).

use crate::auth::KeyStore;
use crate::metrics::Metrics;
use arc_swap::{ArcSwap, ArcSwapOption};
use engine::Engine;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Limits applied to requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Most queries in one batch.
    pub batch: usize,
    /// Longest time a request may take before it is answered with `timeout`.
    pub timeout: Duration,
    /// Longest time an update (download and import) may take.
    pub update_timeout: Duration,
    /// Most results per query.
    pub max_limit: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 10 * 1024 * 1024,
            batch: 1000,
            timeout: Duration::from_secs(30),
            update_timeout: Duration::from_secs(30 * 60),
            max_limit: 100,
        }
    }
}

/// Everything handlers share.
pub struct Shared {
    /// The data directory holding the lists.
    pub data_dir: PathBuf,
    engine: ArcSwapOption<Engine>,
    /// The API keys; the keys file is re-read when it has changed (checked every 2 s and on
    /// SIGHUP).
    pub keys: ArcSwap<KeyStore>,
    /// Read endpoints need a key too (`--require-key`).
    pub require_key: bool,
    /// Limits applied to requests.
    pub limits: Limits,
    /// The process's counters, served at `GET /metrics`.
    pub metrics: Metrics,
    /// The sources file used by `POST /v1/admin/update` downloads (the built-in one when unset).
    pub sources: Option<PathBuf>,
    reload_lock: tokio::sync::Mutex<()>,
    /// Held while an update runs; a second update is refused as `busy`.
    pub update_lock: Arc<tokio::sync::Mutex<()>>,
    /// Screening slots, one per core, handed out first come first served: under load, requests
    /// queue in arrival order instead of competing for the cores (a flat latency tail).
    /// See [`crate::routes::run_queries`].
    pub screening: Arc<tokio::sync::Semaphore>,
    /// The last reload error, shown by `/readyz` while nothing is loaded.
    last_error: std::sync::Mutex<Option<String>>,
    /// When the state was made (the server's start): the uptime of `/healthz` and `/metrics`.
    pub started: Instant,
    /// The audit trail (screening records, alerts), when the server runs with `--record` or
    /// `--database`, or finds the data directory's SQLite store. See [`crate::recording`].
    pub store: Option<Arc<dyn store::Store>>,
    /// Record every screening (`--record`).
    pub record: bool,
    /// Batch screening jobs ([`crate::jobs`]).
    pub jobs: crate::jobs::Jobs,
    /// Answers to decisions already made, by idempotency key (see [`crate::recording`]).
    pub decisions: crate::recording::Replays,
}

/// The state handlers receive.
pub type AppState = Arc<Shared>;

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The snapshot in service is already the current one.
    Unchanged {
        /// The version of the snapshot in service.
        version: String,
    },
    /// A new snapshot is in service.
    Swapped {
        /// The snapshot in service before (none at start-up).
        from: Option<String>,
        /// The snapshot now in service.
        to: String,
        /// Milliseconds from the reload's start to the swap (loading or building the index
        /// included).
        millis: u64,
    },
}

impl Shared {
    /// The state with no engine yet, no store and not recording ([`Shared::with_store`] adds
    /// one), one screening slot per core.
    pub fn new(
        data_dir: PathBuf,
        keys: KeyStore,
        require_key: bool,
        limits: Limits,
        sources: Option<PathBuf>,
    ) -> Self {
        Shared {
            data_dir,
            engine: ArcSwapOption::empty(),
            keys: ArcSwap::from_pointee(keys),
            require_key,
            limits,
            metrics: Metrics::default(),
            sources,
            reload_lock: tokio::sync::Mutex::new(()),
            update_lock: Arc::new(tokio::sync::Mutex::new(())),
            screening: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2),
            )),
            last_error: std::sync::Mutex::new(None),
            started: Instant::now(),
            store: None,
            record: false,
            jobs: crate::jobs::Jobs::default(),
            decisions: crate::recording::Replays::default(),
        }
    }

    /// The same state with an audit-trail store; `record` records every screening.
    pub fn with_store(mut self, store: Option<Arc<dyn store::Store>>, record: bool) -> Self {
        self.record = record && store.is_some();
        self.store = store;
        self
    }

    /// The engine in service, if one is loaded.
    pub fn engine(&self) -> Option<Arc<Engine>> {
        self.engine.load_full()
    }

    /// The last reload failure, if the last reload failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().expect("state lock").clone()
    }

    /// Puts an engine in service (tests and embedding).
    pub fn install(&self, engine: Engine) {
        self.engine.store(Some(Arc::new(engine)));
    }

    /// Loads the data directory's current snapshot and swaps it in, unless it is already in
    /// service. On failure the engine in service stays.
    pub async fn reload(self: &Arc<Self>) -> Result<Reloaded, engine::EngineError> {
        let _guard = self.reload_lock.lock().await;
        let loaded = self.engine();
        let root = self.data_dir.clone();
        let started = Instant::now();
        let result =
            tokio::task::spawn_blocking(move || -> Result<Option<Engine>, engine::EngineError> {
                let want = sources::snapshot::DataDir::open(&root)?.current_version()?;
                if let Some(e) = &loaded {
                    let same = match &want {
                        Some(v) => !e.demo && e.snapshot.manifest.version == *v,
                        None => e.demo,
                    };
                    if same {
                        return Ok(None);
                    }
                }
                open_engine(&root).map(Some)
            })
            .await
            .unwrap_or_else(|join| {
                Err(engine::EngineError::Io {
                    path: "reload".into(),
                    source: std::io::Error::other(join.to_string()),
                })
            });
        match result {
            Ok(None) => {
                let version = self
                    .engine()
                    .map(|e| e.snapshot.manifest.version.clone())
                    .unwrap_or_default();
                Ok(Reloaded::Unchanged { version })
            }
            Ok(Some(new)) => {
                let to = new.snapshot.manifest.version.clone();
                let demo = new.demo;
                let old = self.engine.swap(Some(Arc::new(new)));
                let from = old.map(|o| o.snapshot.manifest.version.clone());
                let millis = started.elapsed().as_millis() as u64;
                self.metrics.reloads_ok.fetch_add(1, Ordering::Relaxed);
                *self.last_error.lock().expect("state lock") = None;
                if demo {
                    tracing::warn!(
                        "serving the built-in DEMO list: no list has been imported into {}",
                        self.data_dir.display()
                    );
                }
                tracing::info!(snapshot = %short(&to), previous = from.as_deref().map(short).unwrap_or("none"), millis, "snapshot in service");
                Ok(Reloaded::Swapped { from, to, millis })
            }
            Err(e) => {
                self.metrics.reloads_failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!("reload failed, the snapshot in service is unchanged: {e}");
                *self.last_error.lock().expect("state lock") =
                    Some("the snapshot could not be loaded; see the server log".into());
                Err(e)
            }
        }
    }

    /// Re-reads the keys file when it changed on disk.
    pub fn refresh_keys(&self) {
        let current = self.keys.load();
        if !current.changed_on_disk() {
            return;
        }
        match KeyStore::load(current.path()) {
            Ok(k) => {
                tracing::info!("API keys reloaded: {} key(s)", k.keys().len());
                self.keys.store(Arc::new(k));
            }
            Err(e) => tracing::error!(
                "the API keys file could not be re-read; keeping the keys loaded before: {e}"
            ),
        }
    }
}

/// Opens the engine as every command does ([`engine::Engine::open`]: the snapshot in service
/// or the demo, the persisted index, the analyst overlays); overlay rows whose entity left the
/// lists are logged.
pub fn open_engine(root: &std::path::Path) -> Result<Engine, engine::EngineError> {
    let engine = Engine::open(root, &engine::Settings::default())?;
    let report = engine.overlays();
    for w in report.warnings() {
        tracing::warn!("{w}");
    }
    if report.names > 0 {
        tracing::info!(
            "analyst overlays: {} name(s) added to {} listed entities",
            report.names,
            report.entities
        );
    }
    Ok(engine)
}

/// The short form of a snapshot version.
pub fn short(v: &str) -> &str {
    &v[..v.len().min(12)]
}

/// Background tasks: keys file refresh, `CURRENT` watch (when asked), SIGHUP.
pub fn spawn_background(state: &AppState, watch: bool) {
    let s = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            s.refresh_keys();
        }
    });
    if watch {
        let s = state.clone();
        tokio::spawn(async move { watch_current(s).await });
    }
    #[cfg(unix)]
    {
        let s = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                tracing::warn!("SIGHUP cannot be handled here; reload with POST /v1/admin/reload");
                return;
            };
            while hup.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading the snapshot and the keys");
                s.refresh_keys();
                let _ = s.reload().await;
            }
        });
    }
}

/// Reloads whenever the data directory's `CURRENT` names another snapshot than the one loaded.
async fn watch_current(state: AppState) {
    let path = state.data_dir.join("CURRENT");
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut last_failed: Option<String> = None;
    loop {
        tick.tick().await;
        let want = tokio::fs::read_to_string(&path)
            .await
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let Some(want) = want else { continue };
        let loaded = state
            .engine()
            .map(|e| (e.demo, e.snapshot.manifest.version.clone()));
        let differs = match &loaded {
            Some((demo, v)) => *demo || *v != want,
            None => true,
        };
        if differs && last_failed.as_deref() != Some(want.as_str()) {
            tracing::info!(
                "{} now names snapshot {}; reloading",
                path.display(),
                short(&want)
            );
            match state.reload().await {
                Ok(_) => last_failed = None,
                Err(_) => last_failed = Some(want),
            }
        }
    }
}
