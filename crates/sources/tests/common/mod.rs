//! Helpers shared by the integration tests: where the real and fixture files are, parsing
//! them into memory, looking entities up, and mangled input for the never-panic tests.
//! Each test file includes this with `mod common;` and uses a part of it.

#![allow(dead_code)]

use model::{Entity, NameKind};
use sources::{Emit, Format, Head, ListInfo, ParseError, SourceSet};
use std::path::{Path, PathBuf};

/// The folder of the shared real lists (`shared/data/lists`).
pub fn lists_dir() -> PathBuf {
    sources::shared_dir_for_tests().join("data/lists")
}

/// A file or folder of the shared real lists: `shared_list("un_sc/consolidated.xml")`.
pub fn shared_list(path: &str) -> PathBuf {
    lists_dir().join(path)
}

/// A file of this crate's test fixtures: `fixture("bis", "latin1.txt")`.
pub fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

/// Parses one file as `format`, the way an import does.
pub fn parse_file(
    format: Format,
    path: impl AsRef<Path>,
) -> Result<(ListInfo, Vec<Entity>), ParseError> {
    sources::parse_all(&SourceSet::single(format, path.as_ref()))
}

/// The entities a parser entry point emits:
/// `entities(|emit| un_xml::parse_bytes("in.xml", bytes, emit))`.
pub fn entities(
    parse: impl FnOnce(&mut Emit) -> Result<ListInfo, ParseError>,
) -> Result<Vec<Entity>, ParseError> {
    sources::collect(parse).map(|(_, entities)| entities)
}

/// The formats whose sniffer claims the file.
pub fn claims(path: &Path) -> Vec<Format> {
    let head = Head::read(path).unwrap();
    Format::ALL.into_iter().filter(|f| f.sniff(&head)).collect()
}

/// The entity with this id (`"un_sc:KPe.050"`); panics naming the id when it is missing.
pub fn by_id<'a>(entities: &'a [Entity], id: &str) -> &'a Entity {
    entities
        .iter()
        .find(|e| e.id.to_string() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

/// The entity's names of one kind, in order.
pub fn names(e: &Entity, kind: NameKind) -> Vec<&str> {
    e.names
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.value.as_str())
        .collect()
}

/// Bytes that break text formats: markup, separators, quotes, digits, invalid UTF-8.
pub const BREAKING_BYTES: &[u8] = b"<>/&;:,\"'=\n0123456789()xX\xff\xc3";

/// Reproducible mangled copies of `sample` (xorshift64 from `seed`): `rounds` copies, each
/// with `changes` bytes replaced by bytes of `alphabet`.
pub fn mutations<'a>(
    sample: &'a [u8],
    mut seed: u64,
    rounds: usize,
    changes: usize,
    alphabet: &'a [u8],
) -> impl Iterator<Item = Vec<u8>> + 'a {
    (0..rounds).map(move |_| {
        let mut m = sample.to_vec();
        for _ in 0..changes {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed % m.len() as u64) as usize;
            m[i] = alphabet[(seed >> 40) as usize % alphabet.len()];
        }
        m
    })
}

/// Runs `parse` on the first 60 000 bytes of `file` cut every `cut_step` bytes, then on
/// `rounds` copies with six [`BREAKING_BYTES`] each: a panic fails the test, errors are
/// expected.
pub fn never_panics(file: &Path, cut_step: usize, rounds: usize, parse: impl Fn(&[u8])) {
    let bytes = std::fs::read(file).unwrap();
    let bytes = &bytes[..bytes.len().min(60_000)];
    for cut in (0..bytes.len()).step_by(cut_step) {
        parse(&bytes[..cut]);
    }
    for m in mutations(bytes, 0x2545_f491_4f6c_dd1d, rounds, 6, BREAKING_BYTES) {
        parse(&m);
    }
}
