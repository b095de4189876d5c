//! The `watchlist` binary: parse arguments, set up logging, run one subcommand, map its
//! error to a message on stderr and an exit code (see `cli::EXIT_CODES`).

mod cli;
mod commands;
mod data;
mod error;
mod output;

use clap::Parser;
use cli::{Cli, Command};
use error::CliError;
use output::Output;
use std::process::ExitCode;

/// mimalloc: screening allocates many small short-lived strings and maps per query; it is
/// markedly faster than the system allocator for that pattern (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    let mut out = Output::stdout(cli.global.format, cli.global.quiet);
    let g = &cli.global;
    let result = match cli.command {
        Command::Import(args) => commands::import::run(g, &mut out, args),
        Command::Update(args) => commands::update::run(g, &mut out, args),
        Command::Lists(args) => commands::lists::run(g, &mut out, args),
        Command::Screen(args) => commands::screen::run(g, &mut out, args),
        Command::Match(args) => commands::matching::run(g, &mut out, args),
        Command::Eval(args) => commands::eval::run(g, &mut out, args),
        Command::Scan(args) => commands::scan::run(g, &mut out, args),
        Command::Payment(args) => commands::payment::run(g, &mut out, args),
        Command::Batch(args) => commands::batch::run(g, &mut out, args),
        Command::Serve(args) => commands::serve::run(g, &mut out, args),
        Command::Show(args) => commands::show::run(g, &mut out, args),
        Command::Snapshots(args) => commands::snapshots::run(g, &mut out, args),
        Command::Rollback(args) => commands::snapshots::rollback(g, &mut out, args),
        Command::Alerts(args) => commands::alerts::run(g, &mut out, args),
        Command::Monitor(args) => commands::monitor::run(g, &mut out, args),
        Command::Diff(args) => commands::diff::run(g, &mut out, args),
        Command::Audit(args) => commands::audit::run(g, &mut out, args),
        Command::Export(args) => commands::export::run(g, &mut out, args),
    };
    let result = result.and_then(|()| out.finish().map_err(CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.silent => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message);
            for hint in &e.hints {
                eprintln!("{hint}");
            }
            e.exit.into()
        }
    }
}

/// Logs to stderr: warnings by default, more with -v; `RUST_LOG` overrides.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
