//! The screening engine as the CLI and the server load it: the snapshot in service (or the
//! built-in demo list when nothing has been imported), its candidate index, and the matcher.
//!
//! The index is a pure function of the snapshot and the matcher version. It is built once
//! and persisted at `<data_dir>/index/<snapshot version>.idx`; later loads read it back in
//! milliseconds, and an index written by another matcher version is rebuilt.

use matcher::{Config, Index, Match, Matcher, Query, SearchOptions};
use model::{Entity, EntityId};
use sources::snapshot::{DataDir, Snapshot, SnapshotError};
use std::path::{Path, PathBuf};

/// The demo list compiled into the binary (watchlist's custom CSV format).
pub const DEMO_LIST: &str = include_str!("../../../data/demo/demo-list.csv");
const DEMO_FILE: &str = "demo-list.csv";

/// Errors loading the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Index(#[from] matcher::IndexError),
    #[error("{path}: {source}")]
    Io {
        path: String,
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

/// Names analysts attach to listed entities (alias overlays, see `screen::overlay`), applied
/// when the index is built: each name is added to the entity with that id, keeping its
/// `note`, which explanations show as `name_source`. `tag` identifies the overlay content (a
/// hash); an index with overlays is persisted per snapshot and tag.
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    pub tag: String,
    /// (entity id `list:list_id`, name)
    pub names: Vec<(String, model::Name)>,
}

/// Builds the index of a snapshot from its entities.
pub fn build_index(snapshot: &Snapshot) -> Result<Index, EngineError> {
    build_index_with(snapshot, &Overlays::default())
}

/// Builds the index of a snapshot with overlay names added to their entities.
pub fn build_index_with(snapshot: &Snapshot, overlays: &Overlays) -> Result<Index, EngineError> {
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

/// Loads the persisted index of a snapshot, building and persisting it when it is missing or
/// was written by another matcher version.
pub fn load_index(snapshot: &Snapshot) -> Result<Index, EngineError> {
    load_index_with(snapshot, &Overlays::default())
}

/// [`load_index`] for an index with overlay names (persisted as `<version>-<tag>.idx`).
pub fn load_index_with(snapshot: &Snapshot, overlays: &Overlays) -> Result<Index, EngineError> {
    let mut path = index_path(snapshot);
    if !overlays.names.is_empty() {
        path.set_file_name(format!(
            "{}-{}.idx",
            snapshot.manifest.version, overlays.tag
        ));
    }
    match Index::load(&path) {
        Ok(i) if i.meta.snapshot_version == snapshot.manifest.version => return Ok(i),
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

/// A loaded engine: snapshot, index, matcher.
pub struct Engine {
    /// The data directory the user's lists live in (not the demo's).
    pub root: PathBuf,
    pub snapshot: Snapshot,
    pub demo: bool,
    matcher: Matcher,
}

impl Engine {
    /// Opens the snapshot in service (or the demo) under `root` with the standard config.
    pub fn open(root: &Path) -> Result<Engine, EngineError> {
        let (snapshot, demo) = open_snapshot(root)?;
        Engine::with_snapshot(root, snapshot, demo, Config::default())
    }

    /// An engine over a given snapshot.
    pub fn with_snapshot(
        root: &Path,
        snapshot: Snapshot,
        demo: bool,
        config: Config,
    ) -> Result<Engine, EngineError> {
        let index = load_index(&snapshot)?;
        Ok(Engine {
            root: root.to_path_buf(),
            snapshot,
            demo,
            matcher: Matcher::new(index, config),
        })
    }

    /// An engine over a given snapshot whose index also carries overlay names.
    pub fn with_overlays(
        root: &Path,
        snapshot: Snapshot,
        demo: bool,
        config: Config,
        overlays: &Overlays,
    ) -> Result<Engine, EngineError> {
        let index = load_index_with(&snapshot, overlays)?;
        Ok(Engine {
            root: root.to_path_buf(),
            snapshot,
            demo,
            matcher: Matcher::new(index, config),
        })
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Screens one query.
    pub fn search(&self, q: &Query, opts: &SearchOptions) -> Vec<Match> {
        self.matcher.search(q, opts)
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
        let e = Engine::open(dir.path()).unwrap();
        assert!(e.demo);
        let res = e.search(
            &Query::name("Mansudae Overseas Project Group of Companies"),
            &SearchOptions::default(),
        );
        assert!(!res.is_empty());
        assert_eq!(res[0].score, 1.0);
        // the persisted index is reused
        assert!(index_path(&e.snapshot).exists());
        let again = Engine::open(dir.path()).unwrap();
        assert_eq!(again.snapshot.manifest.version, e.snapshot.manifest.version);
    }
}
