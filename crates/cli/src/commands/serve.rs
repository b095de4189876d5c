//! `watchlist serve`: the HTTP API and the web UI on the snapshot in service (see the
//! `server` crate), and the management of its API keys (`--add-key`, `--list-keys`,
//! `--remove-key`).

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use server::auth::{KeyError, KeyStore, Role};
use server::{Limits, ServeError, ServeOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The API is under /v1 (OpenAPI document at /v1/openapi.json), OpenSanctions yente's matching API
at /match/{dataset}, OpenRefine reconciliation at /v1/reconcile, the web UI at /.
Health: /healthz, /readyz; Prometheus metrics: /metrics.

API keys are stored hashed in <data dir>/api-keys.json (or --api-keys FILE):
  watchlist serve --add-key ops --role admin     prints the new key once
  watchlist serve --list-keys
  watchlist serve --remove-key ops
Admin endpoints (/v1/admin/*) need an admin key; read endpoints need a key only with --require-key.

A new snapshot (POST /v1/admin/update, SIGHUP, or with --watch a `watchlist import` or
`watchlist update` run beside the server) is loaded in the background and swapped in without
dropping a request.

Audit trail: --database URL (postgres://… or a SQLite file; default watchlist.db in the data
directory, as for `watchlist alerts`) is the store of screening records and alerts. With
--record every screening (/v1/match, /v1/scan, /v1/screen/payment, /v1/screen/batch) is
recorded with the API key's name as actor and opens alerts; /v1/alerts lists them, and
POST /v1/alerts/{id}/decision (a write key: watchlist serve --add-key NAME --role write)
decides them.")]
pub struct Args {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Read endpoints need an API key too.
    #[arg(long)]
    pub require_key: bool,
    /// API keys file (default: <data dir>/api-keys.json).
    #[arg(long, value_name = "FILE")]
    pub api_keys: Option<PathBuf>,
    /// Allow browser calls from this origin (repeatable; `*` for any). CORS is off by default.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Reload when the data directory's snapshot in service changes (checked every second).
    #[arg(long)]
    pub watch: bool,
    /// Sources file for downloads by POST /v1/admin/update (default: the built-in one).
    #[arg(long, value_name = "FILE")]
    pub sources: Option<PathBuf>,
    /// Record every screening in the audit trail (--database, default watchlist.db in the data
    /// directory) and open alerts for its hits.
    #[arg(long)]
    pub record: bool,
    /// Largest request body, in MB.
    #[arg(long, default_value_t = 10, value_name = "MB")]
    pub max_body_mb: usize,
    /// Most queries in one batch request.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub max_batch: usize,
    /// Longest time a request may take, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
    /// Make an API key with this name, print it once, and exit.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["remove_key", "list_keys"])]
    pub add_key: Option<String>,
    /// The role of the key made by --add-key: read, write or admin.
    #[arg(
        long,
        default_value = "read",
        value_name = "ROLE",
        requires = "add_key"
    )]
    pub role: String,
    /// Remove the API key with this name and exit.
    #[arg(long, value_name = "NAME", conflicts_with = "list_keys")]
    pub remove_key: Option<String>,
    /// List the API keys (names, roles, dates; never the keys) and exit.
    #[arg(long)]
    pub list_keys: bool,
}

fn key_error(e: KeyError) -> CliError {
    match e {
        KeyError::BadRole(_) | KeyError::Exists(_) | KeyError::BadName(_) => {
            CliError::bad_input(e.to_string())
        }
        _ => CliError::failure(e.to_string()),
    }
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let data_dir = data::data_dir(global)?;
    let keys_path = args
        .api_keys
        .clone()
        .unwrap_or_else(|| KeyStore::default_path(&data_dir));
    if let Some(name) = &args.add_key {
        let role: Role = args.role.parse().map_err(key_error)?;
        let mut store = KeyStore::load(&keys_path).map_err(key_error)?;
        let key = store.add(name, role).map_err(key_error)?;
        out.note(format!(
            "API key {name:?} ({}) stored hashed in {}; this is the only time it is shown:",
            role.as_str(),
            keys_path.display()
        ));
        writeln!(out.writer(), "{key}")?;
        return Ok(());
    }
    if let Some(name) = &args.remove_key {
        let mut store = KeyStore::load(&keys_path).map_err(key_error)?;
        if !store.remove(name).map_err(key_error)? {
            return Err(CliError::not_found(format!(
                "no API key named {name:?} in {}",
                keys_path.display()
            )));
        }
        out.note(format!(
            "API key {name:?} removed; a running server stops accepting it within seconds"
        ));
        return Ok(());
    }
    if args.list_keys {
        let store = KeyStore::load(&keys_path).map_err(key_error)?;
        let mut t = Table::new(&["name", "role", "created"]);
        for k in store.keys() {
            t.row(vec![
                k.name.clone(),
                k.role.as_str().to_string(),
                k.created.clone(),
            ]);
        }
        if store.is_empty() && out.format() == Format::Table {
            out.note(format!("no API keys in {}", keys_path.display()));
        }
        out.table(&t)?;
        return Ok(());
    }
    if args.max_body_mb == 0 || args.max_batch == 0 || args.timeout == 0 {
        return Err(CliError::bad_input(
            "--max-body-mb, --max-batch and --timeout must be positive",
        ));
    }
    let limits = Limits {
        body_bytes: args.max_body_mb.saturating_mul(1024 * 1024),
        batch: args.max_batch.min(server::query::BATCH_CEILING),
        timeout: Duration::from_secs(args.timeout),
        ..Limits::default()
    };
    let opts = ServeOptions {
        listen: args.listen,
        data_dir,
        require_key: args.require_key,
        keys_file: args.api_keys,
        cors_origins: args.cors_origins,
        watch: args.watch,
        limits,
        sources: args.sources,
        database: global.database.clone(),
        record: args.record,
    };
    let quiet = out.quiet();
    server::run(opts, move |line| {
        if !quiet {
            eprintln!("{line}");
        }
    })
    .map_err(|e| match e {
        ServeError::NoKeys(_) | ServeError::Bind { .. } => CliError::bad_input(e.to_string()),
        ServeError::Keys(k) => key_error(k),
        ServeError::Store(_) => CliError::failure(e.to_string()).hint(
            "check --database (or $WATCHLIST_DATABASE): the database must be reachable to record",
        ),
        ServeError::Io(_) => CliError::failure(e.to_string()),
    })
}
