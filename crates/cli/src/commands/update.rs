//! `watchlist update`: download the official lists and import them.
//!
//! Every selected list is downloaded first (conditional requests: a list whose files the
//! server reports unchanged is staged from the kept copies), then all of them are imported in
//! one import, so the update is all or nothing: a download, checksum or parse failure of any
//! list leaves the snapshot in service, the kept files and the download state as they were.

use crate::cli::Global;
use crate::commands::{import, unchanged_line};
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{human_bytes, Output, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sources::download::{DownloadEvent, Downloader, FetchedList, FileOutcome, SourcesConfig};
use sources::snapshot::ImportOutcome;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The built-in sources are the official publishers' files (OFAC SDN and consolidated CSV sets,
UN consolidated XML, EU FSF XML, UK FCDO XML); `--dry-run` lists them with their URLs.
If any download or import fails, nothing changes: the snapshot in service stays as it was.")]
pub struct Args {
    /// Update only this list (repeatable), by key: us_ofac_sdn, us_ofac_cons, un_sc, eu_fsf, gb_fcdo, …
    #[arg(long = "list", value_name = "KEY")]
    pub lists: Vec<String>,
    /// Sources file to use instead of the built-in one (same layout as data/sources.toml).
    #[arg(long, value_name = "FILE")]
    pub sources: Option<PathBuf>,
    /// Show the lists and URLs that would be downloaded; download nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let config = match &args.sources {
        Some(path) => SourcesConfig::load(path)?,
        None => SourcesConfig::builtin(),
    };
    let selected = config.select(&args.lists)?;
    if selected.is_empty() {
        return Err(CliError::bad_input(
            "no list selected: every list in the sources file is disabled",
        )
        .hint("name one with --list KEY"));
    }
    if args.dry_run {
        let mut t = Table::new(&["list", "enabled", "file", "url", "note"]);
        for l in &selected {
            for f in &l.files {
                t.row(vec![
                    l.key.clone(),
                    l.enabled.to_string(),
                    f.name.clone(),
                    f.url.clone(),
                    l.note.clone().unwrap_or_default(),
                ]);
            }
        }
        out.table(&t)?;
        return Ok(());
    }

    let dir = data::open_data_dir(global)?;
    let mut downloader = Downloader::new(dir.root(), &config.settings)?;
    let mut fetched: Vec<FetchedList> = Vec::new();
    let mut display = Display::new(out);
    for source in &selected {
        match downloader.fetch_list(source, &mut |ev| display.event(ev)) {
            Ok(f) => fetched.push(f),
            Err(e) => {
                display.clear();
                return Err(CliError::from(e).hint(unchanged_line(&dir)));
            }
        }
    }
    display.clear();

    let folders: Vec<PathBuf> = fetched.iter().map(|f| f.dir().to_path_buf()).collect();
    let sets = sources::detect_paths(&folders)
        .map_err(|e| CliError::from(e).hint(unchanged_line(&dir)))?;
    let outcome = import::import_sets(&dir, &sets, out, true)?;

    let in_outcome = |key: &str| match &outcome {
        ImportOutcome::Updated {
            changed, unchanged, ..
        } => changed.iter().chain(unchanged).any(|l| l == key),
        ImportOutcome::Unchanged { snapshot } => snapshot.lists.contains_key(key),
    };
    let mut notes = BTreeMap::new();
    for f in &fetched {
        if !in_outcome(&f.key) {
            out.note(format!(
                "warning: the files configured for {:?} did not produce a list of that name; check the sources file",
                f.key
            ));
        }
        let note = if f.not_modified() {
            "not modified".to_string()
        } else {
            format!("downloaded {}", human_bytes(f.downloaded_bytes()))
        };
        notes.insert(f.key.clone(), note);
    }
    for f in fetched {
        downloader.commit(f)?;
    }
    import::report(out, &outcome, &notes)?;
    crate::commands::recording::after_import(global, out)
}

/// A byte progress bar per file on stderr (hidden with --quiet or when stderr is no terminal).
struct Display {
    visible: bool,
    bar: Option<ProgressBar>,
    label: String,
}

impl Display {
    fn new(out: &Output) -> Self {
        Display {
            visible: !out.quiet() && std::io::stderr().is_terminal(),
            bar: None,
            label: String::new(),
        }
    }

    fn event(&mut self, ev: DownloadEvent) {
        match ev {
            DownloadEvent::Request {
                list,
                name,
                attempt,
                ..
            } => {
                self.clear();
                self.label = format!("{list}/{name}");
                if attempt > 1 {
                    self.label.push_str(&format!(" (attempt {attempt})"));
                }
            }
            DownloadEvent::Response { total, .. } => {
                let bar = match total {
                    Some(n) => ProgressBar::new(n),
                    None => ProgressBar::new_spinner(),
                };
                bar.set_draw_target(if self.visible {
                    ProgressDrawTarget::stderr()
                } else {
                    ProgressDrawTarget::hidden()
                });
                let template = if total.is_some() {
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}"
                } else {
                    "{spinner} {msg} {bytes} {bytes_per_sec}"
                };
                bar.set_style(
                    ProgressStyle::with_template(template)
                        .expect("valid template")
                        .progress_chars("=> "),
                );
                bar.set_message(self.label.clone());
                self.bar = Some(bar);
            }
            DownloadEvent::Bytes(n) => {
                if let Some(bar) = &self.bar {
                    bar.set_position(n);
                }
            }
            DownloadEvent::Retry {
                attempt,
                wait,
                reason,
                ..
            } => {
                self.clear();
                if self.visible {
                    eprintln!(
                        "  attempt {attempt} failed: {reason}; retrying in {:.1} s",
                        wait.as_secs_f64()
                    );
                }
            }
            DownloadEvent::Done {
                name,
                outcome,
                bytes,
            } => {
                self.clear();
                if self.visible {
                    match outcome {
                        FileOutcome::Downloaded => {
                            eprintln!("  {name}: downloaded {}", human_bytes(bytes))
                        }
                        FileOutcome::NotModified => {
                            eprintln!("  {name}: not modified since the last update")
                        }
                    }
                }
            }
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
