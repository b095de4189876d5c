//! The one way into screening: [`Engine::open`] loads the snapshot in service (or the
//! built-in demo list when nothing has been imported), its persisted candidate index, the
//! analysts' alias overlays ([`overlay`]) and the matcher config ([`Settings`]). Every CLI
//! command, the server and the workers open their engine here and nowhere else, and screen
//! through [`Engine::screen`] (a [`QueryInput`] as given, read by the one conversion
//! [`QueryInput::read`]) or [`Engine::search`] (a query already read).
//!
//! The index is a pure function of the snapshot and the matcher version. It is built once
//! and persisted at `<data_dir>/index/<snapshot version>.idx`; later loads read it back in
//! milliseconds, and an index written by another matcher version is rebuilt.

#![warn(missing_docs)]

pub mod overlay;

use matcher::{Config, Index, Match, Matcher, Query, SearchOptions};
use model::{Entity, EntityId, QueryError, QueryInput};
pub use overlay::{OverlayError, OverlayReport};
use sources::snapshot::{DataDir, Snapshot, SnapshotError};
use std::path::{Path, PathBuf};

/// The demo list compiled into the binary (watchlist's custom CSV format).
pub const DEMO_LIST: &str = include_str!("../../../data/demo/demo-list.csv");
const DEMO_FILE: &str = "demo-list.csv";

/// Errors loading the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Reading the data directory, a snapshot or one of its entities, or importing the demo
    /// list.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Writing the persisted index (an index that cannot be read is rebuilt instead).
    #[error(transparent)]
    Index(#[from] matcher::IndexError),
    /// Reading the analyst overlays of `<data_dir>/overlays/`.
    #[error(transparent)]
    Overlay(Box<OverlayError>),
    /// An I/O failure, with the path or the task it concerns. The engine does not return it
    /// itself; the server uses it when a reload task fails.
    #[error("{path}: {source}")]
    Io {
        /// The file, or the task (`reload`), that failed.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The lines that say the data is the demo and how to get the real lists.
pub fn demo_warning(root: &Path) -> Vec<String> {
    vec![
        "!! DEMO DATA: not the real sanctions lists. !!".to_string(),
        format!("!! No list has been imported into {}, so this is watchlist's small built-in demo list.", root.display()),
        "!! Import the official files:  watchlist import PATH...   (files or folders)".to_string(),
        "!! or download them:           watchlist update".to_string(),
    ]
}

/// The snapshot in service under `root`, or the demo snapshot when nothing has been imported.
/// The flag says whether it is the demo.
pub fn open_snapshot(root: &Path) -> Result<(Snapshot, bool), EngineError> {
    let dir = DataDir::open(root)?;
    if let Some(s) = dir.current()? {
        return Ok((s, false));
    }
    Ok((open_demo(&root.join("demo"))?, true))
}

/// The demo snapshot under `demo_root` (a data directory of its own, so the demo never mixes
/// with real lists), (re)importing the built-in demo list when the folder does not hold it
/// yet or holds an older version of it.
pub fn open_demo(demo_root: &Path) -> Result<Snapshot, EngineError> {
    let dir = DataDir::open(demo_root)?;
    let want = sources::snapshot::sha256_hex(DEMO_LIST.as_bytes());
    if let Some(s) = dir.current()? {
        let current = s
            .manifest
            .lists
            .values()
            .all(|m| m.source_files.iter().all(|f| f.sha256 == want));
        if current && !s.manifest.lists.is_empty() {
            return Ok(s);
        }
    }
    let file = demo_root.join(DEMO_FILE);
    sources::snapshot::write_atomic(&file, DEMO_LIST.as_bytes())?;
    let sets = sources::detect_paths(&[file]).map_err(SnapshotError::from)?;
    dir.import(&sets, &mut |_| {})?;
    Ok(dir
        .current()?
        .expect("an import that succeeds puts a snapshot in service"))
}

/// Where the index of a snapshot is persisted.
pub fn index_path(snapshot: &Snapshot) -> PathBuf {
    snapshot
        .root()
        .join("index")
        .join(format!("{}.idx", snapshot.manifest.version))
}

/// Names analysts attach to listed entities (alias overlays, see [`overlay`]), applied
/// when the index is built: each name is added to the entity with that id, keeping its
/// `note`, which explanations show as `name_source`. `tag` identifies the overlay content (a
/// hash); an index with overlays is persisted per snapshot and tag.
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    /// 16 hex digits of a sha256 over the overlay files' names and bytes; part of the
    /// persisted index's file name.
    pub tag: String,
    /// (entity id `list:list_id`, name)
    pub names: Vec<(String, model::Name)>,
}

/// Builds the index of a snapshot with overlay names added to their entities.
pub(crate) fn build_index_with(
    snapshot: &Snapshot,
    overlays: &Overlays,
) -> Result<Index, EngineError> {
    let mut err = None;
    let entities = snapshot.entities().map_while(|r| match r {
        Ok(mut e) => {
            let id = e.id.to_string();
            for (_, n) in overlays.names.iter().filter(|(t, _)| *t == id) {
                if !e.names.iter().any(|x| x.value == n.value) {
                    e.names.push(n.clone());
                }
            }
            Some(e)
        }
        Err(e) => {
            err = Some(e);
            None
        }
    });
    let index = Index::build(entities, &snapshot.manifest.version);
    match err {
        Some(e) => Err(e.into()),
        None => Ok(index),
    }
}

/// Loads the persisted index of a snapshot with overlay names (persisted as
/// `<version>-<tag>.idx`; `<version>.idx` without overlays), building and persisting it when it
/// is missing or was written by another matcher version.
pub(crate) fn load_index_with(
    snapshot: &Snapshot,
    overlays: &Overlays,
) -> Result<Index, EngineError> {
    let mut path = index_path(snapshot);
    if !overlays.names.is_empty() {
        path.set_file_name(format!(
            "{}-{}.idx",
            snapshot.manifest.version, overlays.tag
        ));
    }
    match Index::load(&path) {
        Ok(i) if i.meta().snapshot_version == snapshot.manifest.version => return Ok(i),
        Ok(_) => tracing::info!(
            "index {} is for another snapshot; rebuilding",
            path.display()
        ),
        Err(matcher::IndexError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::info!("rebuilding index: {e}"),
    }
    let index = build_index_with(snapshot, overlays)?;
    index.save(&path)?;
    Ok(index)
}

/// How an engine is opened: the matcher config, and whether the analysts' overlays apply.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The matcher's weights and thresholds (the calibrated defaults unless changed).
    pub config: Config,
    /// Leave the analyst overlays of `<data_dir>/overlays/` out (they apply by default).
    pub without_overlays: bool,
}

/// One screened query: the query as read, what could not be used of the input, the matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    /// The query as read from the input, as it was searched.
    pub query: Query,
    /// Values of the input left out or read with less precision, each naming its field.
    pub warnings: Vec<String>,
    /// The matches, best first, each with its explanation.
    pub matches: Vec<Match>,
}

/// A loaded engine: snapshot, index with overlays, matcher.
pub struct Engine {
    /// The data directory the user's lists live in (not the demo's).
    pub root: PathBuf,
    /// The snapshot screened against: the one in service, the demo, or the one given to
    /// [`Engine::open_at`].
    pub snapshot: Snapshot,
    /// True when `snapshot` is the built-in demo list (nothing has been imported).
    pub demo: bool,
    overlays: OverlayReport,
    matcher: Matcher,
}

impl Engine {
    /// Opens the snapshot in service under `root` (or the demo when nothing has been
    /// imported) with its persisted index, the overlays and the settings' config.
    pub fn open(root: &Path, settings: &Settings) -> Result<Engine, EngineError> {
        let (snapshot, demo) = open_snapshot(root)?;
        Engine::open_at(root, snapshot, demo, settings)
    }

    /// [`Engine::open`] over a given snapshot of `root` (a snapshot that is not, or not yet,
    /// in service: delta rescreening compares two).
    pub fn open_at(
        root: &Path,
        snapshot: Snapshot,
        demo: bool,
        settings: &Settings,
    ) -> Result<Engine, EngineError> {
        let (overlays, report) = if settings.without_overlays {
            (Overlays::default(), OverlayReport::default())
        } else {
            overlay::load(root, &snapshot).map_err(|e| EngineError::Overlay(Box::new(e)))?
        };
        let index = load_index_with(&snapshot, &overlays)?;
        Ok(Engine {
            root: root.to_path_buf(),
            snapshot,
            demo,
            overlays: report,
            matcher: Matcher::new(index, settings.config.clone()),
        })
    }

    /// What the analyst overlays added (files, names, entities) and the rows that point to
    /// entities not in service.
    pub fn overlays(&self) -> &OverlayReport {
        &self.overlays
    }

    /// The matcher over the snapshot's index, with the settings' config (for its threshold
    /// and for callers that search through it directly).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Screens one query already read (see [`Engine::screen`] for input as given).
    pub fn search(&self, q: &Query, opts: &SearchOptions) -> Vec<Match> {
        self.matcher.search(q, opts)
    }

    /// Screens one query as given: read by [`QueryInput::read`] (warnings for what could not
    /// be used), then searched. Fails only when the input has no name and no identifier.
    pub fn screen(
        &self,
        input: &QueryInput,
        opts: &SearchOptions,
    ) -> Result<Screening, QueryError> {
        let read = input.read()?;
        let matches = self.matcher.search(&read.query, opts);
        Ok(Screening {
            query: read.query,
            warnings: read.warnings,
            matches,
        })
    }

    /// Screens many queries on the current rayon pool, answers in input order.
    pub fn screen_all(
        &self,
        inputs: &[QueryInput],
        opts: &SearchOptions,
    ) -> Vec<Result<Screening, QueryError>> {
        use rayon::prelude::*;
        inputs.par_iter().map(|i| self.screen(i, opts)).collect()
    }

    /// The lists in service (keys), for checking a `--list` or `lists` filter.
    pub fn list_keys(&self) -> Vec<String> {
        self.snapshot.manifest.lists.keys().cloned().collect()
    }

    /// Checks list keys given as a filter: an error names the unknown ones and the lists in
    /// service.
    pub fn check_lists(&self, lists: &[String]) -> Result<(), String> {
        let known = self.list_keys();
        let unknown: Vec<&str> = lists
            .iter()
            .filter(|l| !known.iter().any(|k| k == *l))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(format!(
            "unknown list{} {}; the lists in service are {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            known.join(", ")
        ))
    }

    /// One entity of the snapshot, with all its fields.
    pub fn entity(&self, id: &EntityId) -> Result<Option<Entity>, EngineError> {
        Ok(self.snapshot.get(id)?)
    }

    /// The demo warning when the demo snapshot is loaded.
    pub fn demo_warning(&self) -> Option<Vec<String>> {
        self.demo.then(|| demo_warning(&self.root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_engine_finds_the_listed_labour_exporter() {
        let dir = tempfile::tempdir().unwrap();
        let e = Engine::open(dir.path(), &Settings::default()).unwrap();
        assert!(e.demo);
        let res = e.search(
            &Query::name("Mansudae Overseas Project Group of Companies"),
            &SearchOptions::default(),
        );
        assert!(!res.is_empty());
        assert_eq!(res[0].score, 1.0);
        // the persisted index is reused
        assert!(index_path(&e.snapshot).exists());
        let again = Engine::open(dir.path(), &Settings::default()).unwrap();
        assert_eq!(again.snapshot.manifest.version, e.snapshot.manifest.version);
    }
}
