//! The candidate index: built once per snapshot, persisted beside it, loaded in milliseconds.
//!
//! Layout (all plain vectors and hash maps, serialised with bincode):
//! - `entities`: per listed entity, what scoring needs without touching the snapshot (id,
//!   caption, schema, birth-date ranges, countries) and the range of its names.
//! - `names`: every name variant (the Latin form of each name, plus the own-script form of
//!   names written in another script), with its tokens in a flat array.
//! - `vocab`: every distinct token with its keys (romanisation, skeleton, Korean, given-name
//!   class, OCR fold), document frequency, and lookup tables from each key and from
//!   single-character deletions (a symmetric-delete neighbourhood, which finds every token
//!   one edit or one transposition away without scanning) back to tokens, plus the tokens
//!   sorted for prefix search.
//! - postings (CSR): token → names containing it, in name order.
//! - identifiers: normalised identifier value → entities.
//!
//! Invariant: an index is a pure function of the snapshot's entities and [`MATCHER_VERSION`].

use crate::similarity::TokenKeys;
use model::{DateValue, Entity, NameKind, Schema};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use text::{NameType, Normalizer, TokenKind};

/// Bumped whenever normalisation or index layout changes; a persisted index of another
/// version is rebuilt.
pub const MATCHER_VERSION: &str = "5";
const MAGIC: &[u8; 8] = b"WLINDEX1";

/// What an index was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// The version of the snapshot the entities came from, as given to [`Index::build`]
    /// (the engine passes the manifest's version and rebuilds an index whose version is not
    /// the snapshot's in service; tools and tests pass their own labels).
    pub snapshot_version: String,
    /// The [`MATCHER_VERSION`] of the code that built the index; [`Index::load`] refuses any
    /// other.
    pub matcher_version: String,
    /// Number of entities indexed.
    pub entities: u32,
    /// Number of indexed names: each distinct normalised name of an entity, plus the
    /// own-script form of names in another script.
    pub names: u32,
    /// Number of distinct tokens in the vocabulary.
    pub tokens: u32,
}

/// A birth date as an inclusive range of yyyymmdd numbers, with the publisher's precision
/// (1 year, 2 month, 3 day) and whether it was approximate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// Earliest date the value may stand for, as yyyymmdd (1984-01-08 → 19840108; a year
    /// alone starts on 0101; years before 0 count as 0).
    pub lo: u32,
    /// Latest date the value may stand for, as yyyymmdd; equal to `lo` for an exact day.
    pub hi: u32,
    /// 1 year, 2 month, 3 day, as published; 1 for a range between two dates.
    pub precision: u8,
    /// True for circa dates (`lo` and `hi` already widened by a year each side) and ranges.
    pub approximate: bool,
}

impl DateRange {
    /// The range of a birth date: a partial date covers its whole year or month, a circa
    /// date one year more on each side, a range from its start to its end.
    pub fn from_value(d: &DateValue) -> Self {
        let ((y1, m1, d1), (y2, m2, d2)) = d.bounds();
        let n = |y: i32, m: u8, d: u8| (y.max(0) as u32) * 10000 + m as u32 * 100 + d as u32;
        let (precision, approximate) = match d {
            DateValue::Exact(p) => (p.precision(), false),
            DateValue::Circa(p) => (p.precision(), true),
            DateValue::Range(..) => (1, true),
        };
        DateRange {
            lo: n(y1, m1, d1),
            hi: n(y2, m2, d2),
            precision,
            approximate,
        }
    }
}

/// What scoring needs to know about an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRec {
    /// `list:list_id`
    pub id: String,
    /// The entity's display name (`Entity::caption`), returned as `Match::caption`.
    pub caption: String,
    /// The entity's schema: decides the normaliser's name type for its names and the schema
    /// evidence (`evidence.schema_near_factor`, person never against non-person).
    pub schema: Schema,
    /// Every birth date listed, for the birth-date evidence.
    pub birth_dates: Vec<DateRange>,
    /// ISO alpha-2, lower case.
    pub countries: Vec<String>,
    /// Number, in [`Index::names`], of the entity's first name; its names are contiguous.
    pub first_name: u32,
    /// How many names from `first_name` are the entity's (0 when none of its names has a token).
    pub name_count: u32,
}

impl EntityRec {
    /// The list key: the part of `id` before the first `:` (empty when there is none).
    pub fn list(&self) -> &str {
        self.id.split_once(':').map(|(l, _)| l).unwrap_or("")
    }
    /// The publisher's id within the list: everything after the first `:` of `id`.
    pub fn list_id(&self) -> &str {
        self.id.split_once(':').map(|(_, i)| i).unwrap_or("")
    }
}

/// One indexed name variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameRec {
    /// Number of the entity that has the name, in [`Index::entities`].
    pub entity: u32,
    /// Primary name, alias, weak alias…: a weak alias is scored × `names.weak_alias_factor`.
    pub kind: NameKind,
    /// The own-script form of a non-Latin name.
    pub native: bool,
    /// Who added the name when not the publisher (analyst overlay note).
    pub note: Option<String>,
    /// The name as published.
    pub value: String,
    /// Offset of the name's first token in the index's flat token array (read the tokens
    /// with [`Index::name_tokens`]).
    pub tok_start: u32,
    /// Number of tokens of the name (never 0).
    pub tok_len: u16,
    /// Tokens before the comma of a "SURNAME, Given" name (0 when there is no comma).
    pub surname_len: u16,
}

/// Every distinct token and the tables that find tokens like a query token.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Vocab {
    /// The keys of each token; a token's id is its position here (and in `df`, `rarity`).
    pub keys: Vec<TokenKeys>,
    /// Document frequency: how many indexed names contain each token (once per name).
    pub df: Vec<u32>,
    /// Rarity of each token in [0, 1]: ln(N / df) / ln(N) over the N indexed names.
    pub rarity: Vec<f32>,
    /// Normalised token text → token id.
    pub lookup: FxHashMap<String, u32>,
    /// Romanisation canonical key → tokens with that key (transliteration).
    pub by_canon: FxHashMap<String, Vec<u32>>,
    /// Consonant skeleton (two characters or more) → tokens (phonetic).
    pub by_skeleton: FxHashMap<String, Vec<u32>>,
    /// Korean syllable key → tokens; only tokens of names of Korean parties have one.
    pub by_korean: FxHashMap<String, Vec<u32>>,
    /// Given-name equivalence class → tokens in it.
    pub by_given: FxHashMap<u32, Vec<u32>>,
    /// OCR fold (digits read as letters) → tokens mixing letters and digits.
    pub by_ocr: FxHashMap<String, Vec<u32>>,
    /// Interior vowels removed → tokens of three characters or more written with vowels:
    /// finds "mohammed" for a query "mhmmd".
    pub by_devowel: FxHashMap<String, Vec<u32>>,
    /// Letters in sorted order → tokens of four characters or more (anagrams).
    pub by_sorted: FxHashMap<String, Vec<u32>>,
    /// Hash of a token and of each of its one-character deletions → tokens.
    pub deletes: FxHashMap<u64, Vec<u32>>,
    /// Token ids sorted by text, for prefix search.
    pub sorted: Vec<u32>,
}

/// Hashes of a token and of every string made by deleting one of its characters. Two
/// tokens share a hash when they are within one deletion of each other on each side: one
/// substitution, insertion, deletion or adjacent transposition apart.
pub fn deletion_hashes(text: &str) -> Vec<u64> {
    let build = rustc_hash::FxBuildHasher;
    let mut out = Vec::with_capacity(text.len() + 1);
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    out.push(concat_hash(&build, text, ""));
    for w in bounds.windows(2) {
        out.push(concat_hash(&build, &text[..w[0]], &text[w[1]..]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// [`deletion_hashes`] plus the hashes of two-character deletions, for a query token long
/// enough to carry two edits: meeting the index's one-deletion hashes, they reach tokens up
/// to three edits away.
pub fn query_deletion_hashes(text: &str) -> Vec<u64> {
    let build = rustc_hash::FxBuildHasher;
    let mut out = deletion_hashes(text);
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    if bounds.len() > 10 {
        use std::hash::BuildHasher;
        let mut buf = [0u8; 96];
        for i in 0..bounds.len() - 1 {
            for j in i + 1..bounds.len() - 1 {
                let parts = [
                    &text[..bounds[i]],
                    &text[bounds[i + 1]..bounds[j]],
                    &text[bounds[j + 1]..],
                ];
                let len: usize = parts.iter().map(|p| p.len()).sum();
                if len > buf.len() {
                    continue;
                }
                let mut k = 0;
                for p in parts {
                    buf[k..k + p.len()].copy_from_slice(p.as_bytes());
                    k += p.len();
                }
                out.push(build.hash_one(&buf[..len]));
            }
        }
        out.sort_unstable();
        out.dedup();
    }
    out
}

/// Hash of the concatenation `a + b` (hashed as one string, so every split of the same
/// string hashes alike).
pub fn concat_hash(build: &rustc_hash::FxBuildHasher, a: &str, b: &str) -> u64 {
    use std::hash::BuildHasher;
    let mut buf = [0u8; 96];
    let (la, lb) = (a.len(), b.len());
    if la + lb <= buf.len() {
        buf[..la].copy_from_slice(a.as_bytes());
        buf[la..la + lb].copy_from_slice(b.as_bytes());
        build.hash_one(&buf[..la + lb])
    } else {
        build.hash_one(format!("{a}{b}").as_bytes())
    }
}

impl Vocab {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.lookup.get(text) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(TokenKeys::new(text));
        self.df.push(0);
        self.lookup.insert(text.to_string(), id);
        id
    }

    fn build_tables(&mut self) {
        for (id, k) in self.keys.iter().enumerate() {
            let id = id as u32;
            self.by_canon.entry(k.canon.clone()).or_default().push(id);
            if k.skeleton.len() >= 2 {
                self.by_skeleton
                    .entry(k.skeleton.clone())
                    .or_default()
                    .push(id);
            }
            if let Some(kk) = &k.korean {
                self.by_korean.entry(kk.clone()).or_default().push(id);
            }
            if let Some(g) = k.given {
                self.by_given.entry(g).or_default().push(id);
            }
            if let Some(o) = &k.ocr {
                self.by_ocr.entry(o.clone()).or_default().push(id);
            }
            if k.chars >= 3 && !k.vowelless {
                self.by_devowel
                    .entry(k.devowel.clone())
                    .or_default()
                    .push(id);
            }
            if k.chars >= 4 {
                self.by_sorted.entry(k.sorted.clone()).or_default().push(id);
            }
            if k.chars >= 3 {
                for h in deletion_hashes(&k.text) {
                    self.deletes.entry(h).or_default().push(id);
                }
            }
        }
        let mut sorted: Vec<u32> = (0..self.keys.len() as u32).collect();
        sorted.sort_by(|a, b| {
            self.keys[*a as usize]
                .text
                .cmp(&self.keys[*b as usize].text)
        });
        self.sorted = sorted;
    }

    /// Number of distinct tokens.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no name had a token (an index of no entities, or of nameless ones).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The id of the token with exactly this normalised text.
    pub fn get(&self, text: &str) -> Option<u32> {
        self.lookup.get(text).copied()
    }

    /// Token ids whose text starts with `prefix` (at most `cap`).
    pub fn with_prefix(&self, prefix: &str, cap: usize) -> Vec<u32> {
        let start = self
            .sorted
            .partition_point(|id| self.keys[*id as usize].text.as_str() < prefix);
        self.sorted[start..]
            .iter()
            .take_while(|id| self.keys[**id as usize].text.starts_with(prefix))
            .take(cap)
            .copied()
            .collect()
    }
}

/// Errors reading or writing a persisted index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Opening, reading, writing, syncing or renaming the file failed, or its directory could
    /// not be created (a missing file is `NotFound` here); on save, also a failure to encode.
    #[error("{path}: {source}")]
    Io {
        /// The index file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not an index this code can use: wrong header, content that does not
    /// decode, or another [`MATCHER_VERSION`]. The engine rebuilds the index.
    #[error("{path}: not a watchlist index or written by another version ({reason})")]
    Incompatible {
        /// The index file.
        path: String,
        /// What was wrong: "bad header", the decoding error, or the version found.
        reason: String,
    },
}

/// The candidate index. Its tables are the matcher's own (`pub(crate)`); other crates read it
/// through the accessors below, which hand out read-only views.
///
/// Invariants: `names[n].entity` indexes `entities`; an entity's names are the contiguous
/// range `first_name .. first_name + name_count`; every token id in `tokens` indexes `vocab`;
/// the index is a pure function of the snapshot's entities and [`MATCHER_VERSION`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    pub(crate) meta: IndexMeta,
    pub(crate) entities: Vec<EntityRec>,
    pub(crate) names: Vec<NameRec>,
    pub(crate) tokens: Vec<u32>,
    pub(crate) token_kinds: Vec<TokenKind>,
    pub(crate) vocab: Vocab,
    post_offsets: Vec<u32>,
    postings: Vec<u32>,
    pub(crate) identifiers: FxHashMap<String, Vec<u32>>,
    pub(crate) entity_ids: FxHashMap<String, u32>,
    /// Hash of each Latin name's tokens run together (and, for short names, of its
    /// one-character deletions) → names: finds "EPCFK" for "EP-CFK" and "E-PCFK".
    pub(crate) joined_names: FxHashMap<u64, Vec<u32>>,
}

impl Index {
    /// What the index was built from and its sizes.
    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    /// The listed entities, by entity number.
    pub fn entities(&self) -> &[EntityRec] {
        &self.entities
    }

    /// Every indexed name (published names and their own-script forms), by name number.
    pub fn names(&self) -> &[NameRec] {
        &self.names
    }

    /// The vocabulary: each distinct normalised token with its keys and document frequency.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Every listed identifier (normalised, see [`normalize_identifier`]) with the entities that
    /// list it. Look one up with [`Index::entities_with_identifier`].
    pub fn identifiers(&self) -> &FxHashMap<String, Vec<u32>> {
        &self.identifiers
    }

    /// The entity number of an entity id (`list:list_id`).
    pub fn entity_number(&self, id: &str) -> Option<u32> {
        self.entity_ids.get(id).copied()
    }
}

/// Names whose run-together form is at most this long are also indexed by their deletions.
pub const JOINED_DELETE_MAX: usize = 16;

/// A name's tokens run together.
pub fn joined(texts: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut s = String::new();
    for t in texts {
        s.push_str(t.as_ref());
    }
    s
}

/// Which normaliser table set applies to names of a schema.
pub fn name_type(schema: Schema) -> NameType {
    match schema {
        Schema::Person => NameType::Person,
        Schema::Organization => NameType::Organization,
        Schema::Vessel | Schema::Aircraft => NameType::Vessel,
        Schema::LegalEntity => NameType::Any,
    }
}

/// Whether Korean romanisation rules apply to an entity's names: it is tied to North or
/// South Korea by a country, or listed under a Korea sanctions program.
pub fn korean_context(e: &Entity) -> bool {
    e.all_countries().iter().any(|c| *c == "kp" || *c == "kr")
        || e.programs.iter().any(|p| {
            let p = p.to_ascii_uppercase();
            p.contains("DPRK") || p.contains("NKSR") || p.contains("KOREA")
        })
}

/// Normalises an identifier for exact comparison: upper-case letters and digits only; an
/// 11-character SWIFT/BIC ending in XXX (the head office) is cut to its 8-character form.
pub fn normalize_identifier(value: &str) -> String {
    let mut s: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if s.len() == 11 && s.ends_with("XXX") && s[..6].chars().all(|c| c.is_ascii_alphabetic()) {
        s.truncate(8);
    }
    s
}

/// The keys an identifier is looked up under: its normalised form and, for a branch BIC
/// (11 characters: institution, country, location, branch), the institution's BIC8, which is
/// how lists publish a bank.
pub fn identifier_keys(value: &str) -> Vec<String> {
    let v = normalize_identifier(value);
    let mut keys = Vec::with_capacity(2);
    let bic_shaped = v.len() == 11
        && v[..6].chars().all(|c| c.is_ascii_alphabetic())
        && model::country::is_code(&v[4..6].to_ascii_lowercase());
    if bic_shaped {
        keys.push(v[..8].to_string());
    }
    keys.insert(0, v);
    keys
}

impl Index {
    /// The entities that list an identifier (under any of its [`identifier_keys`]), each
    /// with the key it is listed under.
    pub fn entities_with_identifier(&self, value: &str) -> Vec<(u32, String)> {
        let mut out: Vec<(u32, String)> = Vec::new();
        for k in identifier_keys(value) {
            for &e in self.identifiers.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                if !out.iter().any(|(x, _)| *x == e) {
                    out.push((e, k.clone()));
                }
            }
        }
        out
    }

    /// Builds the index from a snapshot's entities.
    pub fn build<I: IntoIterator<Item = Entity>>(entities: I, snapshot_version: &str) -> Index {
        let norm = Normalizer::new();
        let mut vocab = Vocab::default();
        let mut recs = Vec::new();
        let mut names: Vec<NameRec> = Vec::new();
        let mut tokens: Vec<u32> = Vec::new();
        let mut token_kinds: Vec<TokenKind> = Vec::new();
        let mut identifiers: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut entity_ids = FxHashMap::default();
        let mut korean_tokens: Vec<u32> = Vec::new();
        for e in entities {
            let korean = korean_context(&e);
            let idx = recs.len() as u32;
            let first_name = names.len() as u32;
            let nt = name_type(e.schema);
            let mut seen: Vec<Vec<u32>> = Vec::new();
            for name in &e.names {
                let n = norm.name(&name.value, nt);
                let mut forms = vec![(false, n.tokens)];
                if let Some(native) = n.native {
                    forms.push((true, native));
                }
                let surname_len = match name.value.split_once(',') {
                    Some((head, tail)) if !tail.trim().is_empty() => {
                        norm.name(head, nt).tokens.len() as u16
                    }
                    _ => 0,
                };
                for (native, toks) in forms {
                    if toks.is_empty() {
                        continue;
                    }
                    let ids: Vec<u32> = toks.iter().map(|t| vocab.intern(&t.text)).collect();
                    if korean {
                        korean_tokens.extend(&ids);
                    }
                    if seen.contains(&ids) {
                        continue;
                    }
                    let tok_start = tokens.len() as u32;
                    tokens.extend(&ids);
                    token_kinds.extend(toks.iter().map(|t| t.kind));
                    seen.push(ids);
                    names.push(NameRec {
                        entity: idx,
                        kind: name.kind,
                        native,
                        note: name.note.clone(),
                        value: name.value.clone(),
                        tok_start,
                        tok_len: toks.len().min(u16::MAX as usize) as u16,
                        surname_len: if native {
                            0
                        } else {
                            surname_len.min(toks.len() as u16)
                        },
                    });
                }
            }
            for ident in &e.identifiers {
                let v = normalize_identifier(&ident.value);
                if v.len() >= 4 {
                    let list = identifiers.entry(v).or_default();
                    if !list.contains(&idx) {
                        list.push(idx);
                    }
                }
            }
            entity_ids.insert(e.id.to_string(), idx);
            recs.push(EntityRec {
                id: e.id.to_string(),
                caption: e.caption().to_string(),
                schema: e.schema,
                birth_dates: e.birth_dates.iter().map(DateRange::from_value).collect(),
                countries: e.all_countries().into_iter().map(str::to_string).collect(),
                first_name,
                name_count: names.len() as u32 - first_name,
            });
        }
        // document frequency and postings (CSR), names in order
        let mut df = vec![0u32; vocab.len()];
        for n in &names {
            let toks = &tokens[n.tok_start as usize..n.tok_start as usize + n.tok_len as usize];
            let mut uniq: Vec<u32> = toks.to_vec();
            uniq.sort_unstable();
            uniq.dedup();
            for t in uniq {
                df[t as usize] += 1;
            }
        }
        let mut post_offsets = Vec::with_capacity(df.len() + 1);
        let mut acc = 0u32;
        for d in &df {
            post_offsets.push(acc);
            acc += d;
        }
        post_offsets.push(acc);
        let mut fill = post_offsets.clone();
        let mut postings = vec![0u32; acc as usize];
        for (ni, n) in names.iter().enumerate() {
            let toks = &tokens[n.tok_start as usize..n.tok_start as usize + n.tok_len as usize];
            let mut uniq: Vec<u32> = toks.to_vec();
            uniq.sort_unstable();
            uniq.dedup();
            for t in uniq {
                postings[fill[t as usize] as usize] = ni as u32;
                fill[t as usize] += 1;
            }
        }
        // Korean romanisation rules apply to the names of Korean parties only
        let mut is_korean = vec![false; vocab.len()];
        for t in korean_tokens {
            is_korean[t as usize] = true;
        }
        for (k, korean) in vocab.keys.iter_mut().zip(is_korean) {
            if !korean {
                k.korean = None;
            }
        }
        let n = (names.len().max(2)) as f32;
        vocab.rarity = df
            .iter()
            .map(|&d| ((n / d.max(1) as f32).ln() / n.ln()).clamp(0.0, 1.0))
            .collect();
        vocab.df = df;
        vocab.build_tables();
        let mut joined_names: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        let build = rustc_hash::FxBuildHasher;
        for (ni, n) in names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.native && n.tok_len > 1)
        {
            let toks = &tokens[n.tok_start as usize..n.tok_start as usize + n.tok_len as usize];
            let j = joined(toks.iter().map(|t| vocab.keys[*t as usize].text.as_str()));
            let hashes = if j.len() <= JOINED_DELETE_MAX {
                deletion_hashes(&j)
            } else {
                vec![concat_hash(&build, &j, "")]
            };
            for h in hashes {
                joined_names.entry(h).or_default().push(ni as u32);
            }
        }
        let meta = IndexMeta {
            snapshot_version: snapshot_version.to_string(),
            matcher_version: MATCHER_VERSION.to_string(),
            entities: recs.len() as u32,
            names: names.len() as u32,
            tokens: vocab.len() as u32,
        };
        Index {
            meta,
            entities: recs,
            names,
            tokens,
            token_kinds,
            vocab,
            post_offsets,
            postings,
            identifiers,
            entity_ids,
            joined_names,
        }
    }

    /// Names containing a token, in name order.
    pub fn postings(&self, token: u32) -> &[u32] {
        let (a, b) = (
            self.post_offsets[token as usize],
            self.post_offsets[token as usize + 1],
        );
        &self.postings[a as usize..b as usize]
    }

    /// The tokens and kinds of a name.
    pub fn name_tokens(&self, name: u32) -> (&[u32], &[TokenKind]) {
        let n = &self.names[name as usize];
        let r = n.tok_start as usize..n.tok_start as usize + n.tok_len as usize;
        (&self.tokens[r.clone()], &self.token_kinds[r])
    }

    /// The entity with this id (`list:list_id`).
    pub fn entity(&self, id: &str) -> Option<&EntityRec> {
        self.entity_ids.get(id).map(|i| &self.entities[*i as usize])
    }

    /// Writes the index to `path` atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        let io = |e| IndexError::Io {
            path: path.display().to_string(),
            source: e,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = path.with_extension("tmp");
        {
            let f = std::fs::File::create(&tmp).map_err(io)?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            w.write_all(MAGIC).map_err(io)?;
            bincode::serialize_into(&mut w, self).map_err(|e| IndexError::Io {
                path: path.display().to_string(),
                source: std::io::Error::other(e),
            })?;
            let f = w.into_inner().map_err(|e| io(e.into_error()))?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Loads an index written by [`Index::save`] of the same matcher version.
    pub fn load(path: &Path) -> Result<Index, IndexError> {
        let io = |e| IndexError::Io {
            path: path.display().to_string(),
            source: e,
        };
        let f = std::fs::File::open(path).map_err(io)?;
        let mut r = BufReader::with_capacity(1 << 20, f);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(io)?;
        if &magic != MAGIC {
            return Err(IndexError::Incompatible {
                path: path.display().to_string(),
                reason: "bad header".into(),
            });
        }
        let idx: Index = bincode::deserialize_from(r).map_err(|e| IndexError::Incompatible {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if idx.meta.matcher_version != MATCHER_VERSION {
            return Err(IndexError::Incompatible {
                path: path.display().to_string(),
                reason: format!(
                    "matcher version {} (this is {MATCHER_VERSION})",
                    idx.meta.matcher_version
                ),
            });
        }
        Ok(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_hashes_meet_within_one_edit_each_side() {
        let meet = |a: &str, b: &str| {
            let ha = query_deletion_hashes(a);
            deletion_hashes(b).iter().any(|h| ha.contains(h))
        };
        assert!(meet("mazio", "maaio")); // substitution
        assert!(meet("mzio", "mazio")); // deletion
        assert!(meet("mostfaa", "mostafa")); // transposition
        assert!(meet("tsyplkov", "tsyplakov"));
        assert!(meet("abdulrahmn", "abdlrahman")); // two edits, long token
        assert!(!meet("smith", "jones"));
    }
}
