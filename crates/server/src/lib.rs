//! The watchlist HTTP server (`watchlist serve`): the JSON API under `/v1`, OpenSanctions
//! yente's `/match/{dataset}`, the OpenRefine reconciliation API, health and metrics, and the
//! analyst's web UI, all on the one screening [`engine`] the CLI uses.
//!
//! Start-up is fast: the port is bound at once and the snapshot in service is loaded in the
//! background from its persisted index (`/readyz` turns 200 when it is in). New snapshots are
//! swapped in atomically while requests go on ([`state`]).
//!
//! Beside names, the server screens documents (`POST /v1/scan`), payment messages
//! (`POST /v1/screen/payment`) and rosters (`POST /v1/screen/batch`, as background [`jobs`])
//! with the `screen` crate, and keeps the audit trail with the `store` crate: with `--record`
//! every screening is recorded and opens alerts, which analysts review under `/v1/alerts`
//! ([`recording`]).
//!
//! Modules: [`routes`] (one file per API area), [`auth`] (API keys), [`errors`] (JSON errors
//! and extractors), [`query`] (query entities in FollowTheMoney's shape), [`types`] and
//! [`plain`] (results and their plain-language explanations), [`ftm`] (entities as
//! FollowTheMoney properties, for yente clients), [`recording`] (the store, recording and
//! idempotency), [`jobs`] (batch screening jobs), [`metrics`], [`openapi`], [`ui`].

#![warn(missing_docs)]

pub mod auth;
pub mod errors;
pub mod ftm;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod plain;
pub mod query;
pub mod recording;
pub mod routes;
pub mod state;
pub mod types;
pub mod ui;

pub use state::{AppState, Limits, Shared};

use auth::KeyStore;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address and port to listen on (port 0: any free port; [`Server::addr`] says which).
    pub listen: SocketAddr,
    /// The data directory: lists, snapshots, `CURRENT`, and by default the keys file and the
    /// audit-trail database.
    pub data_dir: PathBuf,
    /// Read endpoints need a key too.
    pub require_key: bool,
    /// The keys file; default `<data_dir>/api-keys.json`.
    pub keys_file: Option<PathBuf>,
    /// Origins allowed by CORS (`*` for any); none: CORS off.
    pub cors_origins: Vec<String>,
    /// Reload when the data directory's `CURRENT` changes.
    pub watch: bool,
    /// Limits applied to requests.
    pub limits: Limits,
    /// Sources file for downloads by `POST /v1/admin/update` (default: the built-in one).
    pub sources: Option<PathBuf>,
    /// The audit-trail store: `postgres://…` or a SQLite file; default
    /// `<data_dir>/watchlist.db` (as the CLI's). It is opened when this is set, with
    /// `record`, or when the default SQLite file exists; otherwise `/v1/alerts` says there is
    /// no store.
    pub database: Option<String>,
    /// Record every screening (match, scan, payment, batch) with the API key's name as actor.
    pub record: bool,
}

impl ServeOptions {
    /// Defaults: 127.0.0.1:8080, no key required, CORS off, no watch.
    pub fn new(data_dir: PathBuf) -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            require_key: false,
            keys_file: None,
            cors_origins: Vec::new(),
            watch: false,
            limits: Limits::default(),
            sources: None,
            database: None,
            record: false,
        }
    }

    /// The keys file in use.
    pub fn keys_path(&self) -> PathBuf {
        self.keys_file
            .clone()
            .unwrap_or_else(|| KeyStore::default_path(&self.data_dir))
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be listened on (in use, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The keys file cannot be read, or is not a keys file.
    #[error(transparent)]
    Keys(#[from] auth::KeyError),
    /// `--require-key` with no key stored: no request could be answered (the keys file's
    /// path).
    #[error("--require-key is set but {0} holds no key; make one with `watchlist serve --add-key NAME --role read`")]
    NoKeys(String),
    /// The audit-trail store cannot be opened.
    #[error("the audit-trail store cannot be opened: {0}")]
    Store(#[from] store::StoreError),
    /// The runtime or the listener failed, at start or while serving.
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A running server.
pub struct Server {
    /// The address it listens on (with the port chosen when port 0 was asked for).
    pub addr: SocketAddr,
    /// The state the handlers share: the engine in service, keys, limits, metrics, store.
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting, lets requests in flight finish, and waits for the end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
    }

    /// Waits until the server ends (on the shutdown signal given to [`start_with_shutdown`]).
    pub async fn wait(self) -> std::io::Result<()> {
        let _keep = self.shutdown;
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
    }
}

/// Binds, starts loading the snapshot in the background, and serves until [`Server::stop`].
pub async fn start(opts: ServeOptions) -> Result<Server, ServeError> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = start_with_shutdown(opts, async move {
        let _ = rx.await;
    })
    .await?;
    server.shutdown = Some(tx);
    Ok(server)
}

/// Like [`start`], stopping when `shutdown` completes.
pub async fn start_with_shutdown(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Server, ServeError> {
    let keys_path = opts.keys_path();
    let keys = KeyStore::load(&keys_path)?;
    if opts.require_key && keys.is_empty() {
        return Err(ServeError::NoKeys(keys_path.display().to_string()));
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let store = open_store(&opts).await?;
    let state: AppState = Arc::new(
        Shared::new(
            opts.data_dir.clone(),
            keys,
            opts.require_key,
            opts.limits.clone(),
            opts.sources.clone(),
        )
        .with_store(store, opts.record),
    );
    let loader = state.clone();
    tokio::spawn(async move {
        let _ = loader.reload().await;
    });
    state::spawn_background(&state, opts.watch);
    let app = routes::router(state.clone(), &opts.cors_origins);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    });
    tracing::info!("listening on http://{addr}");
    Ok(Server {
        addr,
        state,
        shutdown: None,
        task,
    })
}

/// Opens the audit-trail store when the options ask for one or the data directory has one
/// (see [`ServeOptions::database`]), on a blocking thread (PostgreSQL connects there).
async fn open_store(opts: &ServeOptions) -> Result<Option<Arc<dyn store::Store>>, ServeError> {
    let location = store::Location::resolve(opts.database.as_deref(), &opts.data_dir);
    if !(opts.record || opts.database.is_some() || location.exists()) {
        return Ok(None);
    }
    let opened = tokio::task::spawn_blocking(move || store::open(&location))
        .await
        .map_err(|e| ServeError::Io(std::io::Error::other(e.to_string())))??;
    tracing::info!(
        "audit trail: {}{}",
        opened.describe(),
        if opts.record {
            " (recording every screening)"
        } else {
            ""
        }
    );
    Ok(Some(Arc::from(opened)))
}

/// Runs the server on a new runtime until Ctrl-C or SIGTERM. `notify` receives the lines a
/// person starting the server wants to see (where it listens, when the snapshot is loaded).
pub fn run(opts: ServeOptions, notify: impl Fn(&str) + Send + 'static) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("watchlist-serve")
        .build()?;
    rt.block_on(async move {
        let server = start_with_shutdown(opts, shutdown_signal()).await?;
        notify(&format!("watchlist serve: listening on http://{} (web UI at /, API at /v1, OpenAPI at /v1/openapi.json)", server.addr));
        let state = server.state.clone();
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                if let Some(e) = state.engine() {
                    notify(&format!(
                        "watchlist serve: snapshot {} in service ({} entities, {} lists) after {} ms{}",
                        state::short(&e.snapshot.manifest.version),
                        e.snapshot.manifest.entity_count(),
                        e.snapshot.manifest.lists.len(),
                        started.elapsed().as_millis(),
                        if e.demo { " -- DEMO DATA: import or update the real lists" } else { "" }
                    ));
                    return;
                }
                if let Some(err) = state.last_error() {
                    notify(&format!("watchlist serve: {err}"));
                    return;
                }
            }
        });
        server.wait().await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
