//! List versions and snapshots in the data directory.
//!
//! Layout under the data directory:
//!
//! ```text
//! lists/<list>/<list-version>/meta.json       ListMeta of one imported list version
//! lists/<list>/<list-version>/entities.jsonl  one Entity per line, in publisher order
//! lists/<list>/<list-version>/offsets.tsv     list_id, byte offset, length (sorted by id)
//! snapshots/<snapshot-version>.json           SnapshotManifest: one version of each list
//! CURRENT                                     the snapshot version in service
//! ```
//!
//! Invariants:
//! - A list version is content-addressed: sha256 over the format, the parser version and the
//!   sha256 of every source file. Re-importing identical files finds the existing version.
//! - A snapshot is content-addressed over its (list, list version) pairs; nothing under
//!   `lists/` or `snapshots/` is modified after it is written.
//! - Everything is written to a temporary name and renamed into place; `CURRENT` is replaced
//!   last. A failure or crash at any point leaves the previous snapshot in service.
//! - One import at a time per data directory (an exclusive lock on `import.lock`).

use crate::{parse, ParseError, SourceSet};
use model::{Entity, ListMeta, SourceFile};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Bumped whenever a parser changes what it emits, so that re-importing the same files after
/// an upgrade produces a new list version instead of reusing a stale one.
pub const PARSER_VERSION: &str = "2";

/// Errors from reading or writing the data directory.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A source file could not be parsed, or what its parser emitted cannot be imported
    /// (entities of two lists in one set, a duplicate publisher id, an invalid list key), or
    /// writing a parsed entity failed; the position is in the source file where known.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A file or folder of the data directory (or a source file being hashed) could not be
    /// read, written, synced, renamed or locked.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A snapshot manifest or a stored entity line does not decode.
    #[error("{path}: corrupt data: {reason}")]
    Corrupt {
        /// The manifest or `entities.jsonl` file.
        path: String,
        /// The decoding error (for `entities.jsonl`, prefixed with the 1-based line).
        reason: String,
    },
    /// Two source sets of one import carry the same list key; no new snapshot is put in
    /// service.
    #[error("list {list:?} comes from two sources in one import: {first} and {second}")]
    DuplicateList {
        /// The list key both sets carry.
        list: String,
        /// The main file of the first set.
        first: String,
        /// The main file of the second set.
        second: String,
    },
    /// No manifest has this version: unknown, or a short version that matches none or more
    /// than one. [`Snapshot::entities_of`] also uses it for a list not in the snapshot, as
    /// `"<version> (no list <key>)"`.
    #[error("no snapshot {0:?} in the data directory")]
    UnknownSnapshot(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One snapshot: which version of each list is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotManifest {
    /// Content hash over the (list, list version) pairs, hex.
    pub version: String,
    /// Sequence number: 1 for the first snapshot of a data directory, then +1 per import.
    pub seq: u64,
    /// When this snapshot was made (RFC 3339, UTC).
    pub created: String,
    /// The snapshot this one was made from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Metadata of each list, by list key.
    pub lists: BTreeMap<String, ListMeta>,
}

impl SnapshotManifest {
    /// The short form of the version shown to people (12 hex digits).
    pub fn short_version(&self) -> &str {
        &self.version[..self.version.len().min(12)]
    }

    /// Total entities over all lists.
    pub fn entity_count(&self) -> u64 {
        self.lists.values().map(|m| m.entity_count).sum()
    }
}

/// What happened in an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new snapshot is in service; lists that were (re)imported are named.
    Updated {
        /// The snapshot now in service; an earlier manifest, reused, when the same list
        /// versions made a snapshot before.
        snapshot: SnapshotManifest,
        /// Keys of the imported lists whose version differs from the one in service (or that
        /// were not in it).
        changed: Vec<String>,
        /// Keys of the imported lists whose version is the one already in service.
        unchanged: Vec<String>,
    },
    /// Every file was identical to the version already in service.
    Unchanged {
        /// The snapshot in service, still in service.
        snapshot: SnapshotManifest,
    },
}

/// Progress reports during an import.
#[derive(Debug, Clone)]
pub enum ImportEvent<'a> {
    /// About to hash and parse a source set.
    Start {
        /// The set about to be parsed.
        set: &'a SourceSet,
        /// Total size of the set's files, in bytes.
        bytes: u64,
    },
    /// The set's files are identical to an existing list version.
    Reused {
        /// The set not parsed again.
        set: &'a SourceSet,
        /// The key of the list whose existing version is reused.
        list: &'a str,
    },
    /// Entities parsed so far in the current set (reported every 1000).
    Entities(u64),
    /// The set is parsed and written.
    Done {
        /// The key of the list written.
        list: &'a str,
        /// Entities written for it.
        entities: u64,
    },
}

/// The data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// Per list: list id to (byte offset, length) of its line in `entities.jsonl`.
type OffsetIndex = HashMap<String, HashMap<String, (u64, u64)>>;

/// A snapshot opened for reading.
#[derive(Debug)]
pub struct Snapshot {
    root: PathBuf,
    /// The snapshot's manifest: its version and the list versions in it.
    pub manifest: SnapshotManifest,
    offsets: OnceLock<OffsetIndex>,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The sha256 of some bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn sha256_file(path: &Path) -> Result<(String, u64), SnapshotError> {
    let mut f = File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex::encode(h.finalize()), total))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SnapshotError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| SnapshotError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl DataDir {
    /// Opens (creating if needed) a data directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, SnapshotError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(io_err(&root))?;
        Ok(DataDir { root })
    }

    /// The data directory's folder, as given to [`DataDir::open`].
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn current_path(&self) -> PathBuf {
        self.root.join("CURRENT")
    }

    fn manifest_path(&self, version: &str) -> PathBuf {
        self.root.join("snapshots").join(format!("{version}.json"))
    }

    /// The version of the snapshot in service, if any.
    pub fn current_version(&self) -> Result<Option<String>, SnapshotError> {
        let p = self.current_path();
        match fs::read_to_string(&p) {
            Ok(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// Reads a snapshot manifest by (full or unique short) version.
    pub fn manifest(&self, version: &str) -> Result<SnapshotManifest, SnapshotError> {
        let full = if version.len() < 64 {
            let matches: Vec<_> = self
                .manifests()?
                .into_iter()
                .filter(|m| m.version.starts_with(version))
                .collect();
            match matches.as_slice() {
                [one] => return Ok(one.clone()),
                _ => return Err(SnapshotError::UnknownSnapshot(version.to_string())),
            }
        } else {
            version.to_string()
        };
        let p = self.manifest_path(&full);
        let text = fs::read_to_string(&p).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                SnapshotError::UnknownSnapshot(version.to_string())
            } else {
                io_err(&p)(e)
            }
        })?;
        serde_json::from_str(&text).map_err(|e| SnapshotError::Corrupt {
            path: p.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Every snapshot manifest, oldest first.
    pub fn manifests(&self) -> Result<Vec<SnapshotManifest>, SnapshotError> {
        let dir = self.root.join("snapshots");
        let mut out = Vec::new();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io_err(&dir)(e)),
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") {
                let text = fs::read_to_string(&p).map_err(io_err(&p))?;
                let m: SnapshotManifest =
                    serde_json::from_str(&text).map_err(|e| SnapshotError::Corrupt {
                        path: p.display().to_string(),
                        reason: e.to_string(),
                    })?;
                out.push(m);
            }
        }
        out.sort_by(|a, b| a.seq.cmp(&b.seq).then(a.created.cmp(&b.created)));
        Ok(out)
    }

    /// The snapshot in service, if any.
    pub fn current(&self) -> Result<Option<Snapshot>, SnapshotError> {
        match self.current_version()? {
            Some(v) => Ok(Some(self.snapshot(&v)?)),
            None => Ok(None),
        }
    }

    /// Opens a snapshot by version.
    pub fn snapshot(&self, version: &str) -> Result<Snapshot, SnapshotError> {
        let manifest = self.manifest(version)?;
        Ok(Snapshot {
            root: self.root.clone(),
            manifest,
            offsets: OnceLock::new(),
        })
    }

    fn list_dir(&self, list: &str, version: &str) -> PathBuf {
        self.root.join("lists").join(list).join(version)
    }

    /// Finds an existing complete list version by its hash (any list key).
    fn find_list_version(&self, version: &str) -> Option<ListMeta> {
        let lists = fs::read_dir(self.root.join("lists")).ok()?;
        for l in lists.flatten() {
            let meta = l.path().join(version).join("meta.json");
            if let Ok(text) = fs::read_to_string(&meta) {
                if let Ok(m) = serde_json::from_str::<ListMeta>(&text) {
                    return Some(m);
                }
            }
        }
        None
    }

    /// Parses the given source sets into new list versions and puts a new snapshot in service
    /// in which those lists replace their previous versions and all other lists stay as they
    /// were. On any error nothing changes in service.
    pub fn import(
        &self,
        sets: &[SourceSet],
        progress: &mut dyn FnMut(ImportEvent),
    ) -> Result<ImportOutcome, SnapshotError> {
        let lock_path = self.root.join("import.lock");
        let lock = File::create(&lock_path).map_err(io_err(&lock_path))?;
        lock.lock().map_err(io_err(&lock_path))?;

        let current = match self.current_version()? {
            Some(v) => Some(self.manifest(&v)?),
            None => None,
        };
        let mut lists = current
            .as_ref()
            .map(|m| m.lists.clone())
            .unwrap_or_default();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut changed = Vec::new();
        let mut unchanged = Vec::new();
        for set in sets {
            let meta = self.import_set(set, progress)?;
            let label = set.main.display().to_string();
            if let Some(first) = seen.insert(meta.list.clone(), label.clone()) {
                return Err(SnapshotError::DuplicateList {
                    list: meta.list,
                    first,
                    second: label,
                });
            }
            let same = lists
                .get(&meta.list)
                .is_some_and(|m| m.version == meta.version);
            if same {
                unchanged.push(meta.list.clone());
            } else {
                changed.push(meta.list.clone());
                lists.insert(meta.list.clone(), meta);
            }
        }
        if changed.is_empty() {
            if let Some(snapshot) = current {
                return Ok(ImportOutcome::Unchanged { snapshot });
            }
        }
        let manifest = self.commit(lists, current.as_ref())?;
        drop(lock);
        Ok(ImportOutcome::Updated {
            snapshot: manifest,
            changed,
            unchanged,
        })
    }

    /// Makes and puts in service a snapshot of the given list versions.
    fn commit(
        &self,
        lists: BTreeMap<String, ListMeta>,
        current: Option<&SnapshotManifest>,
    ) -> Result<SnapshotManifest, SnapshotError> {
        let mut h = Sha256::new();
        for (k, m) in &lists {
            h.update(k.as_bytes());
            h.update(b"\0");
            h.update(m.version.as_bytes());
            h.update(b"\n");
        }
        let version = hex::encode(h.finalize());
        let existing = self.manifest(&version).ok();
        let manifest = match existing {
            Some(m) => m,
            None => {
                let seq = self.manifests()?.iter().map(|m| m.seq).max().unwrap_or(0) + 1;
                let m = SnapshotManifest {
                    version: version.clone(),
                    seq,
                    created: now_rfc3339(),
                    previous: current.map(|c| c.version.clone()),
                    lists,
                };
                let json = serde_json::to_vec_pretty(&m).expect("manifest serialises");
                write_atomic(&self.manifest_path(&version), &json)?;
                m
            }
        };
        write_atomic(&self.current_path(), format!("{version}\n").as_bytes())?;
        Ok(manifest)
    }

    /// Puts an existing snapshot back in service (rollback).
    pub fn activate(&self, version: &str) -> Result<SnapshotManifest, SnapshotError> {
        let m = self.manifest(version)?;
        write_atomic(&self.current_path(), format!("{}\n", m.version).as_bytes())?;
        Ok(m)
    }

    /// Hashes a set's files and, unless that exact list version exists, parses it into a new one.
    fn import_set(
        &self,
        set: &SourceSet,
        progress: &mut dyn FnMut(ImportEvent),
    ) -> Result<ListMeta, SnapshotError> {
        let mut files = Vec::new();
        let mut h = Sha256::new();
        h.update(set.format.as_str().as_bytes());
        h.update(PARSER_VERSION.as_bytes());
        let mut total = 0;
        for (role, path) in std::iter::once(("main", &set.main))
            .chain(set.parts.iter().map(|(k, v)| (k.as_str(), v)))
        {
            let (sha, bytes) = sha256_file(path)?;
            h.update(role.as_bytes());
            h.update(sha.as_bytes());
            total += bytes;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(SourceFile {
                name,
                sha256: sha,
                bytes,
            });
        }
        let version = hex::encode(h.finalize());
        if let Some(meta) = self.find_list_version(&version) {
            progress(ImportEvent::Reused {
                set,
                list: &meta.list,
            });
            return Ok(meta);
        }
        progress(ImportEvent::Start { set, bytes: total });

        let staging = self.root.join("tmp");
        fs::create_dir_all(&staging).map_err(io_err(&staging))?;
        let tmp = tempfile::Builder::new()
            .prefix("import-")
            .tempdir_in(&staging)
            .map_err(io_err(&staging))?;
        let entities_path = tmp.path().join("entities.jsonl");
        let file = File::create(&entities_path).map_err(io_err(&entities_path))?;
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut ids: HashSet<String> = HashSet::new();
        let mut offsets: Vec<(String, u64, u64)> = Vec::new();
        let mut offset = 0u64;
        let mut list_key: Option<String> = None;
        let mut n = 0u64;
        let info = parse(set, &mut |e: Entity| {
            let list = e.id.list().to_string();
            match &list_key {
                None => list_key = Some(list),
                Some(k) if *k != list => {
                    return Err(ParseError::new(
                        &set.main,
                        crate::Position::record(e.id.to_string()),
                        format!("entity of list {list:?} in a set of list {k:?}"),
                    ))
                }
                _ => {}
            }
            if !ids.insert(e.id.list_id().to_string()) {
                return Err(ParseError::new(
                    &set.main,
                    crate::Position::record(e.id.to_string()),
                    "duplicate entity id: two records carry the same publisher identifier",
                ));
            }
            let mut line = serde_json::to_vec(&e).expect("entities serialise");
            line.push(b'\n');
            out.write_all(&line)
                .map_err(|err| ParseError::file(&entities_path, err.to_string()))?;
            offsets.push((e.id.list_id().to_string(), offset, line.len() as u64));
            offset += line.len() as u64;
            *counts.entry(e.schema.as_str().to_string()).or_default() += 1;
            n += 1;
            if n.is_multiple_of(1000) {
                progress(ImportEvent::Entities(n));
            }
            Ok(())
        })?;
        drop(ids);
        let file = out
            .into_inner()
            .map_err(|e| io_err(&entities_path)(e.into_error()))?;
        file.sync_all().map_err(io_err(&entities_path))?;
        let list = if info.list.is_empty() {
            list_key.clone().unwrap_or_default()
        } else {
            info.list.clone()
        };
        model::validate_list_key(&list).map_err(|e| ParseError::file(&set.main, e.to_string()))?;
        if let Some(k) = &list_key {
            if *k != list {
                return Err(ParseError::file(
                    &set.main,
                    format!("parser reported list {list:?} but emitted {k:?}"),
                )
                .into());
            }
        }

        offsets.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let offsets_path = tmp.path().join("offsets.tsv");
        let mut w = BufWriter::new(File::create(&offsets_path).map_err(io_err(&offsets_path))?);
        for (id, off, len) in &offsets {
            writeln!(w, "{id}\t{off}\t{len}").map_err(io_err(&offsets_path))?;
        }
        w.into_inner()
            .map_err(|e| io_err(&offsets_path)(e.into_error()))?
            .sync_all()
            .map_err(io_err(&offsets_path))?;

        let (known_publisher, known_title) =
            model::describe_list(&list).unwrap_or(("custom list", "custom list"));
        let publisher = info
            .publisher
            .clone()
            .unwrap_or_else(|| known_publisher.to_string());
        let title = info
            .title
            .clone()
            .unwrap_or_else(|| known_title.to_string());
        let meta = ListMeta {
            list: list.clone(),
            publisher,
            title,
            format: set.format.as_str().to_string(),
            published: info.published.clone(),
            version: version.clone(),
            imported_at: now_rfc3339(),
            source_files: files,
            counts,
            entity_count: n,
        };
        let meta_path = tmp.path().join("meta.json");
        write_atomic(
            &meta_path,
            &serde_json::to_vec_pretty(&meta).expect("meta serialises"),
        )?;

        let dest = self.list_dir(&list, &version);
        let parent = dest.parent().expect("list dir has a parent");
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let tmp_path = tmp.keep();
        fs::rename(&tmp_path, &dest).map_err(io_err(&dest))?;
        sync_dir(parent);
        progress(ImportEvent::Done {
            list: &list,
            entities: n,
        });
        Ok(meta)
    }
}

impl Snapshot {
    /// The data directory this snapshot lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn list_dir(&self, meta: &ListMeta) -> PathBuf {
        self.root.join("lists").join(&meta.list).join(&meta.version)
    }

    /// Streams the entities of one list, in publisher order.
    pub fn entities_of(&self, list: &str) -> Result<EntityIter, SnapshotError> {
        let meta = self.manifest.lists.get(list).ok_or_else(|| {
            SnapshotError::UnknownSnapshot(format!("{} (no list {list})", self.manifest.version))
        })?;
        let path = self.list_dir(meta).join("entities.jsonl");
        let f = File::open(&path).map_err(io_err(&path))?;
        Ok(EntityIter {
            reader: BufReader::with_capacity(256 * 1024, f),
            path,
            line: String::new(),
            n: 0,
        })
    }

    /// Streams every entity of every list (lists in key order).
    pub fn entities(&self) -> impl Iterator<Item = Result<Entity, SnapshotError>> + '_ {
        self.manifest
            .lists
            .keys()
            .flat_map(move |list| match self.entities_of(list) {
                Ok(it) => Box::new(it) as Box<dyn Iterator<Item = _>>,
                Err(e) => Box::new(std::iter::once(Err(e))),
            })
    }

    fn offsets(&self) -> &OffsetIndex {
        self.offsets.get_or_init(|| {
            let mut all = HashMap::new();
            for meta in self.manifest.lists.values() {
                let mut map = HashMap::new();
                if let Ok(text) = fs::read_to_string(self.list_dir(meta).join("offsets.tsv")) {
                    for line in text.lines() {
                        let mut it = line.split('\t');
                        if let (Some(id), Some(o), Some(l)) = (it.next(), it.next(), it.next()) {
                            if let (Ok(o), Ok(l)) = (o.parse(), l.parse()) {
                                map.insert(id.to_string(), (o, l));
                            }
                        }
                    }
                }
                all.insert(meta.list.clone(), map);
            }
            all
        })
    }

    /// Reads one entity by id (`list:list_id`).
    pub fn get(&self, id: &model::EntityId) -> Result<Option<Entity>, SnapshotError> {
        let Some(meta) = self.manifest.lists.get(id.list()) else {
            return Ok(None);
        };
        let Some(&(off, len)) = self
            .offsets()
            .get(id.list())
            .and_then(|m| m.get(id.list_id()))
        else {
            return Ok(None);
        };
        let path = self.list_dir(meta).join("entities.jsonl");
        let mut f = File::open(&path).map_err(io_err(&path))?;
        f.seek(SeekFrom::Start(off)).map_err(io_err(&path))?;
        let mut buf = vec![0u8; len as usize];
        f.read_exact(&mut buf).map_err(io_err(&path))?;
        serde_json::from_slice(&buf)
            .map(Some)
            .map_err(|e| SnapshotError::Corrupt {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
    }
}

/// Streams entities from a list version's `entities.jsonl`.
pub struct EntityIter {
    reader: BufReader<File>,
    path: PathBuf,
    line: String,
    n: u64,
}

impl Iterator for EntityIter {
    type Item = Result<Entity, SnapshotError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.line.clear();
        match self.reader.read_line(&mut self.line) {
            Ok(0) => None,
            Ok(_) => {
                self.n += 1;
                Some(
                    serde_json::from_str(&self.line).map_err(|e| SnapshotError::Corrupt {
                        path: self.path.display().to_string(),
                        reason: format!("line {}: {e}", self.n),
                    }),
                )
            }
            Err(e) => Some(Err(io_err(&self.path)(e))),
        }
    }
}
