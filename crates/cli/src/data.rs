//! Finding the data directory and the snapshot to read.
//!
//! The data directory is `--data-dir`, else `$WATCHLIST_DATA_DIR`, else the platform's data
//! folder (`~/.local/share/watchlist` on Linux). Commands that read lists open the snapshot in
//! service there. When nothing has been imported yet they open the demo snapshot instead: the
//! demo list compiled into the binary (`data/demo/demo-list.csv`) is written to
//! `<data_dir>/demo/` and imported into a separate data directory at that path, so it never
//! mixes with real lists; every command then says loudly that it is showing demo data.

use crate::cli::Global;
use crate::error::{CliError, Result};
use sources::snapshot::{DataDir, Snapshot};
use std::path::{Path, PathBuf};

/// The data directory the user chose, or the platform default.
pub fn data_dir(global: &Global) -> Result<PathBuf> {
    if let Some(d) = global
        .data_dir
        .as_ref()
        .filter(|d| !d.as_os_str().is_empty())
    {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("org", "watchlist", "watchlist")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| {
            CliError::failure(
                "cannot find a data directory (no home directory); pass --data-dir DIR or set WATCHLIST_DATA_DIR",
            )
        })
}

/// Opens (creating if needed) the data directory.
pub fn open_data_dir(global: &Global) -> Result<DataDir> {
    Ok(DataDir::open(data_dir(global)?)?)
}

/// A snapshot opened for reading, and whether it is the demo.
pub struct Loaded {
    /// The data directory the user's lists live in (not the demo's).
    pub root: PathBuf,
    pub snapshot: Snapshot,
    pub demo: bool,
}

impl Loaded {
    /// The demo warning, when the demo snapshot is open.
    pub fn demo_warning(&self) -> Option<Vec<String>> {
        self.demo.then(|| demo_warning(&self.root))
    }

    /// Writes the demo warning where the output format wants it (no-op for real data).
    pub fn warn_if_demo(&self, out: &mut crate::output::Output) -> std::io::Result<()> {
        match self.demo_warning() {
            Some(lines) => out.warning(&lines),
            None => Ok(()),
        }
    }
}

/// The lines that say the data is the demo and how to get the real lists.
pub fn demo_warning(root: &Path) -> Vec<String> {
    engine::demo_warning(root)
}

/// The snapshot in service, or the demo snapshot when nothing has been imported.
pub fn open_snapshot(global: &Global) -> Result<Loaded> {
    let root = data_dir(global)?;
    let dir = DataDir::open(&root)?;
    if let Some(snapshot) = dir.current()? {
        return Ok(Loaded {
            root,
            snapshot,
            demo: false,
        });
    }
    let snapshot = open_demo(&root.join("demo"))?;
    Ok(Loaded {
        root,
        snapshot,
        demo: true,
    })
}

/// The engine over the snapshot in service, or the demo: [`engine::Engine::open`] with its
/// persisted index, the analyst overlays and the standard config, as every command and the
/// server open it. Overlay rows that point to entities not in service are noted on stderr.
pub fn open_engine(global: &Global) -> Result<engine::Engine> {
    let root = data_dir(global)?;
    let engine = engine::Engine::open(&root, &engine::Settings::default())
        .map_err(|e| CliError::failure(format!("cannot load the screening index: {e}")))?;
    if !global.quiet {
        for w in engine.overlays().warnings() {
            eprintln!("warning: {w}");
        }
    }
    Ok(engine)
}

/// Opens the demo snapshot under `demo_root` (see [`engine::open_demo`]).
fn open_demo(demo_root: &Path) -> Result<Snapshot> {
    engine::open_demo(demo_root)
        .map_err(|e| CliError::failure(format!("the built-in demo list could not be loaded: {e}")))
}
