//! Reading sanctions lists exactly as their publishers ship them.
//!
//! Every format is one module under [`formats`] with a unit struct implementing
//! [`ListFormat`], listed once in the registry [`FORMATS`] (`src/registry.rs`):
//!
//! - `name()`: the short machine name stored in list metadata (`ofac_csv`, …); never changes.
//! - `describe()`: what people call it, for the "unknown list format" error.
//! - `sniff(head)`: does this file's content look like this format?
//! - `parse(set, emit)`: stream the entities of the set to `emit`, one at a time, never holding
//!   the whole file in memory.
//! - `group(heads)` and `combines_files()`: how files become sets; by default each file is a
//!   set of its own (OFAC and FtM combine files).
//!
//! [`detect`] asks the formats in registry order which one each file is and groups the files
//! into [`SourceSet`]s; [`parse`] hands a set to its format. [`Format`] is a copyable handle on
//! a registry entry. [`snapshot`] writes what the parsers emit into an immutable,
//! content-hashed list version and a snapshot that points to one version of each list.
//! Parsers never panic on input; errors carry the file and the position (line, record or
//! byte) and a reason.
//!
//! # Adding a list format
//!
//! A new format touches:
//!
//! 1. `src/formats/<name>.rs`, new: the parser (`sniff`, `parse`, and a `parse_bytes` for
//!    fuzzing), a unit struct implementing [`ListFormat`] with `pub static FORMAT`, and its
//!    unit tests;
//! 2. `src/formats.rs`: the `pub mod <name>;` line;
//! 3. `src/registry.rs`: one line in [`FORMATS`], at its place in sniffing order (before any
//!    format that would also claim its files);
//!
//! and, beside it, its integration tests in `tests/<name>.rs`, a fuzz target
//! `fuzz/fuzz_targets/<name>.rs` with its `[[bin]]` in `fuzz/Cargo.toml`, and its description
//! in `docs/formats.md`. Detection, grouping, parsing, the "unknown list format" error and
//! [`Format::ALL`] follow from the registry; nothing else names formats.

#![warn(missing_docs)]

pub mod detect;
#[cfg(feature = "download")]
pub mod download;
pub mod error;
pub mod formats;
pub mod input;
pub mod registry;
pub mod snapshot;

pub use detect::{detect_paths, Format, Head, SourceSet};
pub use error::{ParseError, Position};
pub use registry::{ListFormat, FORMATS};

use model::Entity;

/// Receives each parsed entity. Returning an error stops the parse (e.g. the snapshot writer
/// failed to write).
pub type Emit<'a> = dyn FnMut(Entity) -> Result<(), ParseError> + 'a;

/// What a parser learned about the list as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListInfo {
    /// The list key the entities belong to (`us_ofac_sdn`, `un_sc`, a custom list's name…).
    pub list: String,
    /// Publication date or time carried by the file, ISO 8601 where possible.
    pub published: Option<String>,
    /// The list's title when the file names it (custom lists' `# title:`); known lists use
    /// their publisher's title.
    pub title: Option<String>,
    /// The publisher when the file names it (custom lists' `# publisher:`).
    pub publisher: Option<String>,
}

/// Parses one source set with the parser for its format.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    set.format.parse(set, emit)
}

/// Parses a set into memory. For tests and small lists; imports stream with [`parse`].
pub fn parse_all(set: &SourceSet) -> Result<(ListInfo, Vec<Entity>), ParseError> {
    collect(|emit| parse(set, emit))
}

/// Runs any parser entry point into memory, e.g.
/// `collect(|emit| formats::un_xml::parse_bytes("un.xml", bytes, emit))`. For tests, fuzzing
/// and small lists; imports stream.
pub fn collect(
    parse: impl FnOnce(&mut Emit) -> Result<ListInfo, ParseError>,
) -> Result<(ListInfo, Vec<Entity>), ParseError> {
    let mut out = Vec::new();
    let info = parse(&mut |e| {
        out.push(e);
        Ok(())
    })?;
    Ok((info, out))
}

/// Finds the shared data folder (`../shared` next to the workspace) by walking up from `start`
/// and looking for `shared/data/lists`. Tests and benchmarks use it; in CI a missing folder is
/// a test failure, not a skip.
pub fn find_shared_dir(start: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join("shared");
        if candidate.join("data").join("lists").is_dir() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// The shared data folder for tests: found from this crate's manifest directory, panicking
/// with a clear message when it is missing.
#[doc(hidden)]
pub fn shared_dir_for_tests() -> std::path::PathBuf {
    find_shared_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).expect(
        "the shared data folder (../shared/data/lists next to the repository) is missing; tests need it",
    )
}
