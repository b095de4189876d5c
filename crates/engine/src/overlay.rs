//! Alias overlays: names an analyst attaches to a listed entity, because lists lag behind
//! renamings (the Ministry of Social Security is the later name of the listed Ministry of
//! People's Security, `us_ofac_sdn:20118`).
//!
//! An overlay is a file in watchlist's custom-list format (docs/formats.md) in
//! `<data_dir>/overlays/*.csv`. Each row whose `same_as` column names a listed entity
//! (`list:list_id`) gives that entity the row's names (the row's `name` and `aliases` as
//! aliases; weak, former and new names as such), with a note naming the overlay file, the row
//! and its `source` column:
//!
//! ```csv
//! # watchlist custom list v1
//! # list: analyst_overlay
//! id,name,same_as,source
//! A-1,Ministry of Social Security,us_ofac_sdn:20118,"Analyst: renamed 2020, seen in KCNA reporting"
//! ```
//!
//! Overlays live beside the lists, not in a snapshot, so they survive list updates: they are
//! applied whenever the engine builds its index ([`crate::Engine::open`]; the index
//! is persisted per snapshot and overlay content). Their names carry the note, which the
//! matcher shows as `explanation.name_source`, so a match on an analyst's name says so. An
//! overlay row whose entity is not in the snapshot in service (delisted, or renumbered by its
//! publisher) is reported ([`OverlayReport::orphans`]).

use crate::Overlays;
use model::{EntityId, Name, NameKind};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use sources::snapshot::Snapshot;
use std::path::{Path, PathBuf};

/// Where overlays are kept.
pub fn overlay_dir(root: &Path) -> PathBuf {
    root.join("overlays")
}

/// An overlay row that points to an entity the snapshot in service does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orphan {
    /// The overlay file's name (no directories).
    pub file: String,
    /// The overlay row's id.
    pub row: String,
    /// The entity it points to.
    pub target: String,
    /// The row's names that were not applied.
    pub names: Vec<String>,
}

/// What was applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlayReport {
    /// The overlay files read, by name, in sorted order.
    pub files: Vec<String>,
    /// Names added to listed entities.
    pub names: usize,
    /// Listed entities that got at least one name.
    pub entities: usize,
    /// Rows pointing to entities the snapshot does not have; their names are not applied.
    pub orphans: Vec<Orphan>,
}

impl OverlayReport {
    /// Warning lines for people (orphans), empty when all is well.
    pub fn warnings(&self) -> Vec<String> {
        self.orphans
            .iter()
            .map(|o| format!("overlay {} row {}: {} is not in the lists in service (delisted or renumbered?); its names {:?} are not applied", o.file, o.row, o.target, o.names))
            .collect()
    }
}

/// Errors reading overlays.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// An overlay file that cannot be detected or parsed (the error names the file and
    /// position).
    #[error("overlay {0}")]
    Parse(#[from] sources::ParseError),
    /// A file in `overlays/` that is not in watchlist's custom-list format.
    #[error("overlay {file}: not a watchlist custom list (expected the custom-list CSV format with a same_as column)")]
    NotCustom {
        /// The file's name (no directories).
        file: String,
    },
    /// The overlay folder or a file in it cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The folder or file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// One overlay name with where it points.
#[derive(Debug, Clone)]
struct Item {
    file: String,
    row: String,
    target: String,
    name: Name,
}

/// Reads every overlay file under `<root>/overlays/` (none is fine).
fn read(root: &Path) -> Result<(Vec<String>, Vec<Item>, String), OverlayError> {
    let dir = overlay_dir(root);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(OverlayError::Io {
                path: dir.display().to_string(),
                source: e,
            })
        }
    };
    files.sort();
    let mut hash = sha2::Sha256::new();
    let mut items = Vec::new();
    let mut names = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| OverlayError::Io {
            path: f.display().to_string(),
            source: e,
        })?;
        hash.update(
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_bytes(),
        );
        hash.update(&bytes);
        let sets = sources::detect_paths(std::slice::from_ref(f))?;
        let file = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for set in &sets {
            if set.format != sources::Format::CustomCsv {
                return Err(OverlayError::NotCustom { file: file.clone() });
            }
            let (_, ents) = sources::parse_all(set)?;
            for e in ents {
                let source = e
                    .extra
                    .get("source")
                    .map(|v| v.join("; "))
                    .unwrap_or_default();
                for rel in e.relations.iter().filter(|r| r.kind == "same_as") {
                    let Some(target) = &rel.target else { continue };
                    for n in &e.names {
                        let kind = match n.kind {
                            NameKind::Primary => NameKind::Alias,
                            k => k,
                        };
                        let note = if source.is_empty() {
                            format!("analyst overlay {file}, row {}", e.id.list_id())
                        } else {
                            format!("analyst overlay {file}, row {}: {source}", e.id.list_id())
                        };
                        let mut name = Name::new(n.value.clone(), kind);
                        name.lang = n.lang.clone();
                        name.note = Some(note);
                        items.push(Item {
                            file: file.clone(),
                            row: e.id.list_id().to_string(),
                            target: target.to_string(),
                            name,
                        });
                    }
                }
            }
        }
        names.push(file);
    }
    let tag = hex::encode(&hash.finalize()[..8]);
    Ok((names, items, tag))
}

/// The overlays under `root` as the engine applies them, and a report of what applies.
pub fn load(root: &Path, snapshot: &Snapshot) -> Result<(Overlays, OverlayReport), OverlayError> {
    let (files, items, tag) = read(root)?;
    let mut report = OverlayReport {
        files,
        ..Default::default()
    };
    let mut overlays = Overlays {
        tag,
        names: Vec::new(),
    };
    let mut entities: Vec<String> = Vec::new();
    for it in items {
        let exists = it
            .target
            .parse::<EntityId>()
            .ok()
            .and_then(|id| snapshot.get(&id).ok().flatten())
            .is_some();
        if !exists {
            match report
                .orphans
                .iter_mut()
                .find(|o| o.file == it.file && o.row == it.row && o.target == it.target)
            {
                Some(o) => o.names.push(it.name.value.clone()),
                None => report.orphans.push(Orphan {
                    file: it.file.clone(),
                    row: it.row.clone(),
                    target: it.target.clone(),
                    names: vec![it.name.value.clone()],
                }),
            }
            continue;
        }
        if !entities.contains(&it.target) {
            entities.push(it.target.clone());
        }
        report.names += 1;
        overlays.names.push((it.target, it.name));
    }
    report.entities = entities.len();
    Ok((overlays, report))
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;
