//! Document scanning: every mention of a listed entity in free text (news, contracts,
//! reports), with byte offsets into the original text, the entity, its score and the
//! matcher's explanation; and references to sanctioned regions.
//!
//! How it stays fast and agrees with `watchlist screen`:
//!
//! 1. **Tokens.** The text is read as [`text::spans::for_each_token`] reads it: the
//!    normaliser's own cleaning, transliteration and tokenisation, per word, with byte offsets.
//!    So "Kim Jong Un's", "KIM JONG UN", "김정은" and a name broken over two lines give the same
//!    tokens as the name screened alone. Each distinct word is tokenised once per thread
//!    ([`text::spans::word_tokens`]) and its tokens kept with their offsets in the word.
//! 2. **Token classes.** Each distinct token is looked up once (cached) in the matcher's
//!    vocabulary: the token itself, and the vocabulary tokens sharing its romanisation key or
//!    Korean syllable key (Yekaterina / Ekaterina, Kim / Gim, Jong / Chong).
//! 3. **Anchors.** Every indexed name is filed under its rarest required word (a word or
//!    number, not a title, particle, stop word or legal form). A text token proposes only the
//!    names filed under one of its classes, and a name becomes a candidate when its other
//!    required words appear in a window around it (one may be missing from a person's name of
//!    three or more words — a middle name, a patronymic — or an organisation's of four or more:
//!    "Mansudae Overseas Project Group" for "… Group of Companies"; "Syrian Arab" is not
//!    "Syrian Arab Airlines"). This is an index-driven pass: work per token is a hash lookup, plus a few
//!    window checks for the rare tokens that anchor names.
//! 4. **Verification.** Each distinct candidate span (from its first to its last matched
//!    token, widened over the name's legal form) is screened ONCE with [`Matcher::search`] —
//!    the same call `watchlist screen` makes with that text — and reported when a result is a
//!    match. Results are cached per span text.
//!
//! Not flagged on their own: ordinary words and common given names. A one-word name is
//! reported only when it is written with a capital, is at least four letters long, is not a
//! given name nor a weak alias, and is rare in the lists; a span with no capital letter is
//! reported only when its anchor word is distinctive (in at most three listed names) or the
//! text has no case to go by (all lower or all upper case).
//!
//! Input ([`input`]): plain UTF-8 text (streamed in blocks with overlap, so memory stays
//! bounded for any size), HTML (tags, scripts and styles removed with `html5gum`, offsets
//! still into the original HTML); binary files are refused.

pub mod input;

use crate::regions::{KeyedToken, RegionHit, Regions};
use matcher::{Explanation, Matcher, Query, SearchOptions};
use model::{NameKind, Schema};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;
use text::TokenKind;

/// Options of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanOptions {
    /// Alert threshold (default: the matcher's).
    pub threshold: Option<f32>,
    /// Only these lists.
    pub lists: Option<Vec<String>>,
    /// Most entities reported per mention.
    pub per_mention: usize,
    /// Also report references to sanctioned regions.
    pub regions: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threshold: None,
            lists: None,
            per_mention: 3,
            regions: true,
        }
    }
}

/// One mention of a listed entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Byte offsets into the original input.
    pub start: usize,
    /// End of the mention: the byte offset just past it.
    pub end: usize,
    /// The text as written.
    pub text: String,
    /// The entity, score and explanation; shared by every mention of the same text.
    #[serde(flatten)]
    pub entity: Arc<MentionEntity>,
}

impl std::ops::Deref for Mention {
    type Target = MentionEntity;
    fn deref(&self) -> &MentionEntity {
        &self.entity
    }
}

/// What a mention matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionEntity {
    /// `list:list_id`
    pub entity_id: String,
    /// The list key.
    pub list: String,
    /// The publisher's own id of the entity.
    pub list_id: String,
    /// The entity's primary name.
    pub caption: String,
    /// The entity's schema.
    pub schema: Schema,
    /// The matcher's score for the mention's text (0-1), at or above the threshold.
    pub score: f32,
    /// The entity's name that matched, as published.
    pub matched_name: String,
    /// The matcher's explanation (its `query_name` is the mention's text, spaces collapsed).
    pub explanation: Explanation,
}

impl MentionEntity {
    /// The mention's entity as the matcher's result for the mention's text (`is_match`:
    /// a mention is reported only at or above the threshold), as an audit trail records it.
    pub fn to_match(&self) -> matcher::Match {
        matcher::Match {
            entity_id: self.entity_id.clone(),
            list: self.list.clone(),
            list_id: self.list_id.clone(),
            caption: self.caption.clone(),
            schema: self.schema,
            score: self.score,
            is_match: true,
            name: self.matched_name.clone(),
            explanation: self.explanation.clone(),
        }
    }
}

/// A reference to a sanctioned region, with offsets into the original input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceMention {
    /// Byte offset into the original input where the reference starts (`hit.span` holds the
    /// same range).
    pub start: usize,
    /// Byte offset just past the reference's end.
    pub end: usize,
    /// The rule that fired and what it matched (serialised flat, beside `start` and `end`).
    #[serde(flatten)]
    pub hit: RegionHit,
}

/// Most names filed under one anchor token that are checked per occurrence.
const MAX_ANCHORED: usize = 4096;
/// A one-word name is reported only if its word is in at most this many listed names.
const SINGLE_WORD_MAX_DF: u32 = 40;
/// A span without capitals is reported only if its anchor is in at most this many names.
const LOWERCASE_MAX_DF: u32 = 3;

/// The widest window, in tokens either side of an anchor, where a name's other words are looked
/// for (a name's word count + 2, at most this).
const MAX_WINDOW: usize = 12;

/// Names filed under their rarest required tokens (CSR arrays).
#[derive(Debug, Default)]
struct Anchors {
    offsets: Vec<u32>,
    names: Vec<u32>,
    /// Per name: its required tokens (CSR).
    req_offsets: Vec<u32>,
    req: Vec<u32>,
    /// Per name: whether one required word may be missing (persons of three or more words,
    /// organisations of four or more).
    tolerant: Vec<bool>,
}

impl Anchors {
    fn build(m: &Matcher) -> Anchors {
        let idx = m.index();
        let mut req_offsets = Vec::with_capacity(idx.names().len() + 1);
        let mut req = Vec::new();
        let mut tolerant = Vec::with_capacity(idx.names().len());
        // (anchor token, name): each name under its rarest required word, and names of three
        // or more required words also under the second rarest (one word may be missing)
        let mut anchor_of: Vec<(u32, u32)> = Vec::with_capacity(idx.names().len());
        for (n, rec) in idx.names().iter().enumerate() {
            req_offsets.push(req.len() as u32);
            let (toks, kinds) = idx.name_tokens(n as u32);
            let start = req.len();
            if !rec.native {
                for (t, k) in toks.iter().zip(kinds) {
                    if matches!(k, TokenKind::Word | TokenKind::Number) && !req[start..].contains(t)
                    {
                        req.push(*t);
                    }
                }
            }
            // rarest first: a candidate is rejected at the first rare word that is absent
            req[start..].sort_by_key(|t| idx.vocab().df[*t as usize]);
            let person = idx.entities()[rec.entity as usize].schema == Schema::Person;
            let words = req.len() - start;
            tolerant.push(if person { words >= 3 } else { words >= 4 });
            let mut by_rarity: Vec<u32> = req[start..].to_vec();
            by_rarity.sort_by_key(|t| {
                (
                    idx.vocab().df[*t as usize],
                    u32::MAX - idx.vocab().keys[*t as usize].chars as u32,
                )
            });
            let anchors = if by_rarity.len() >= 3 { 2 } else { 1 };
            for &a in by_rarity.iter().take(anchors) {
                anchor_of.push((a, n as u32));
            }
        }
        req_offsets.push(req.len() as u32);
        let mut counts = vec![0u32; idx.vocab().len() + 1];
        for &(a, _) in &anchor_of {
            counts[a as usize] += 1;
        }
        let mut offsets = Vec::with_capacity(counts.len());
        let mut acc = 0u32;
        for c in &counts {
            offsets.push(acc);
            acc += c;
        }
        let mut fill = offsets.clone();
        let mut names = vec![0u32; acc as usize];
        for &(a, n) in &anchor_of {
            names[fill[a as usize] as usize] = n;
            fill[a as usize] += 1;
        }
        Anchors {
            tolerant,
            offsets,
            names,
            req_offsets,
            req,
        }
    }

    fn at(&self, token: u32) -> &[u32] {
        let (a, b) = (
            self.offsets[token as usize] as usize,
            self.offsets[token as usize + 1] as usize,
        );
        &self.names[a..b.min(a + MAX_ANCHORED)]
    }

    fn required(&self, name: u32) -> &[u32] {
        &self.req
            [self.req_offsets[name as usize] as usize..self.req_offsets[name as usize + 1] as usize]
    }
}

/// The scanner over one matcher. Build once, share across threads; per-thread caches live in
/// a [`ScanState`].
pub struct Scanner<'m> {
    matcher: &'m Matcher,
    anchors: Anchors,
    opts: ScanOptions,
    /// The region rules, when the options ask for region references (built on first use).
    regions: Option<&'static Regions>,
}

/// Per-thread caches: words read, token classes, legal-form phrases and verified spans.
#[derive(Default)]
pub struct ScanState {
    /// word as written → its tokens, a range of `word_toks` (a word is tokenised once)
    words: FxHashMap<Box<str>, Range<u32>>,
    word_toks: Vec<WordTok>,
    /// token text → index into `entries`
    classes: FxHashMap<String, u32>,
    entries: Vec<Class>,
    arena: Vec<u32>,
    /// legal-form phrase as written → the vocabulary id of its code (see `candidates`)
    legal_phrases: RefCell<FxHashMap<Box<str>, Option<u32>>>,
    verified: FxHashMap<String, Vec<Arc<MentionEntity>>>,
    toks: Vec<Tok>,
    /// The block's tokens with their romanisation keys, for the region rules (emptied).
    keyed: Vec<KeyedToken<'static>>,
    /// Positions of each vocabulary token in the block being scanned (kept from block to
    /// block, emptied, so that scanning a block allocates little).
    at: FxHashMap<u32, Positions>,
}

/// Where a vocabulary token occurs in a block, ascending, and the first position that may
/// still be in the window of a token to come.
#[derive(Default)]
struct Positions {
    at: Vec<u32>,
    next: usize,
}

impl Positions {
    /// The position in `window` nearest to `i` (the earlier of two as near) and not `used`.
    /// Tokens are visited in order: the positions before the widest window of `i` are passed
    /// for good.
    fn nearest(&mut self, i: usize, window: Range<usize>, used: &[usize]) -> Option<usize> {
        let floor = i.saturating_sub(MAX_WINDOW);
        while self
            .at
            .get(self.next)
            .is_some_and(|&p| (p as usize) < floor)
        {
            self.next += 1;
        }
        self.at[self.next..]
            .iter()
            .map(|&p| p as usize)
            .skip_while(|&p| p < window.start)
            .take_while(|&p| p < window.end)
            .filter(|p| !used.contains(p))
            .min_by_key(|&p| p.abs_diff(i))
    }
}

struct Class {
    ids: Range<u32>,
    /// Romanisation key, for the region lookup.
    key: String,
    /// The key starts a phrase of the region rules ([`Regions::starts_phrase`]).
    starts_region: bool,
    /// The token may be part of a legal-form phrase: it is one character long or a word of
    /// the normaliser's legal-form table (a cheap exact pre-check before normalising a phrase).
    legal_word: bool,
}

/// A token of a word as written: its range in the word and what the scanner needs of it.
#[derive(Clone)]
struct WordTok {
    range: Range<u32>,
    class: u32,
    capital: bool,
    legal_form_word: bool,
    may_be_legal: bool,
}

/// Text token with its class.
struct Tok {
    range: Range<usize>,
    ids: Range<u32>,
    class: u32,
    capital: bool,
    /// Its text as written is a one-word legal form ([`is_legal_form_word`]).
    legal_form_word: bool,
    /// It may be a word of a legal-form phrase: its class is a legal-form word (see
    /// [`Class::legal_word`]) or it is not ASCII (see `candidates`).
    may_be_legal: bool,
}

/// What one block of text gave.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    /// Mentions of listed entities, by start offset (a span that names several entities gives
    /// one mention for each).
    pub mentions: Vec<Mention>,
    /// References to sanctioned regions, in text order (none when the options leave regions
    /// out).
    pub places: Vec<PlaceMention>,
}

impl<'m> Scanner<'m> {
    /// Builds the scanner's anchor tables over the matcher's index (a pass over every indexed
    /// name: build once, share across threads).
    pub fn new(matcher: &'m Matcher, opts: ScanOptions) -> Self {
        Scanner {
            matcher,
            anchors: Anchors::build(matcher),
            regions: opts.regions.then(Regions::shipped),
            opts,
        }
    }

    /// The options the scanner was built with.
    pub fn options(&self) -> &ScanOptions {
        &self.opts
    }

    /// Scans a text held in memory. Offsets are relative to `text`.
    pub fn scan_str(&self, text: &str) -> Found {
        let mut st = ScanState::default();
        self.scan_block(&mut st, text, 0)
    }

    /// The class of a token (cached per state); returns its index in `st.entries`.
    fn class(&self, st: &mut ScanState, t: &str) -> u32 {
        if let Some(&c) = st.classes.get(t) {
            return c;
        }
        let v = &self.matcher.index().vocab();
        let start = st.arena.len() as u32;
        if let Some(id) = v.get(t) {
            st.arena.push(id);
        }
        let key = text::keys::canon(t);
        if t.chars().count() >= 3 {
            if let Some(ids) = v.by_canon.get(&key) {
                st.arena.extend(ids.iter().take(32));
            }
        }
        if let Some(ids) = text::keys::korean_key(t).and_then(|k| v.by_korean.get(&k)) {
            st.arena.extend(ids.iter().take(32));
        }
        let slice = &mut st.arena[start as usize..];
        slice.sort_unstable();
        let mut w = 0;
        for r in 0..slice.len() {
            if r == 0 || slice[r] != slice[w - 1] {
                slice[w] = slice[r];
                w += 1;
            }
        }
        st.arena.truncate(start as usize + w);
        let c = st.entries.len() as u32;
        st.entries.push(Class {
            ids: start..st.arena.len() as u32,
            starts_region: self.regions.is_some_and(|r| r.starts_phrase(&key)),
            key,
            legal_word: t.len() <= 1 || text::affixes::is_legal_form_word(t),
        });
        st.classes.insert(t.to_string(), c);
        c
    }

    /// The tokens of a word as written (cached per state); returns their range in
    /// `st.word_toks`.
    fn word(&self, st: &mut ScanState, word: &str) -> Range<u32> {
        if let Some(r) = st.words.get(word) {
            return r.clone();
        }
        let start = st.word_toks.len() as u32;
        let mut found: Vec<(Range<usize>, u32)> = Vec::new();
        let mut buf = String::new();
        text::spans::word_tokens(word, &mut buf, |range, t| {
            found.push((range, self.class(st, t)));
        });
        for (range, class) in found {
            let written = &word[range.clone()];
            // a word of a script without case (Hangul, Han, Arabic…) counts as capitalised:
            // case tells nothing about it
            let capital = written
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || (c.is_alphabetic() && !c.is_lowercase()));
            st.word_toks.push(WordTok {
                range: range.start as u32..range.end as u32,
                class,
                capital,
                legal_form_word: is_legal_form_word(written),
                may_be_legal: st.entries[class as usize].legal_word || !written.is_ascii(),
            });
        }
        let r = start..st.word_toks.len() as u32;
        st.words.insert(word.into(), r.clone());
        r
    }

    /// Scans one block; offsets in the result are `base` + offsets in `text`.
    pub fn scan_block(&self, st: &mut ScanState, text: &str, base: usize) -> Found {
        if st.classes.len() > 500_000 || st.words.len() > 1_000_000 {
            *st = ScanState {
                verified: std::mem::take(&mut st.verified),
                ..Default::default()
            };
        }
        if st.legal_phrases.get_mut().len() > 100_000 {
            st.legal_phrases.get_mut().clear();
        }
        let mut toks = std::mem::take(&mut st.toks);
        toks.clear();
        // at most one token per two bytes ("a b"), usually one per six: reserved once per
        // thread rather than grown by doubling, which leaves the smaller copies to the allocator
        toks.reserve(text.len() / 4);
        text::spans::for_each_word(text, |start, word| {
            let r = self.word(st, word);
            for wt in &st.word_toks[r.start as usize..r.end as usize] {
                toks.push(Tok {
                    range: start + wt.range.start as usize..start + wt.range.end as usize,
                    ids: st.entries[wt.class as usize].ids.clone(),
                    class: wt.class,
                    capital: wt.capital,
                    legal_form_word: wt.legal_form_word,
                    may_be_legal: wt.may_be_legal,
                });
            }
        });
        let has_upper = text.bytes().any(|b| b.is_ascii_uppercase());
        let has_lower = text.bytes().any(|b| b.is_ascii_lowercase());
        let case_informative = has_upper && has_lower;
        let mut at = std::mem::take(&mut st.at);
        let spans = self.candidates(st, &mut at, text, &toks, case_informative);
        st.at = at;
        let mut found = Found::default();
        for span in spans {
            self.verify(st, text, span, base, &mut found.mentions);
        }
        resolve_overlaps(&mut found.mentions);
        if let Some(regions) = self.regions {
            // the list's allocation is kept from block to block
            let mut keys = recycle(std::mem::take(&mut st.keyed));
            keys.extend(toks.iter().map(|t| {
                let class = &st.entries[t.class as usize];
                KeyedToken {
                    range: t.range.clone(),
                    key: class.key.as_str(),
                    starts_phrase: class.starts_region,
                }
            }));
            let hits = regions.find_in_keyed(text, &keys);
            st.keyed = recycle(keys);
            for mut hit in hits {
                let span = hit.span.clone().unwrap_or(0..0);
                let (start, end) = (base + span.start, base + span.end);
                // offsets into the whole input, as `start` and `end`, not into this block
                hit.span = Some(start..end);
                found.places.push(PlaceMention { start, end, hit });
            }
        }
        st.toks = toks;
        found
    }

    /// Candidate spans (byte ranges in `text`), deduplicated, in text order.
    fn candidates(
        &self,
        st: &ScanState,
        at: &mut FxHashMap<u32, Positions>,
        text: &str,
        toks: &[Tok],
        case_informative: bool,
    ) -> Vec<Range<usize>> {
        let idx = self.matcher.index();
        let ids = |i: usize| &st.arena[toks[i].ids.start as usize..toks[i].ids.end as usize];
        // where each vocabulary token occurs in the block (positions ascending; tokens of
        // earlier blocks keep an empty list), and a bitset of the tokens present for a quick
        // "not in this block"
        if at.len() > 200_000 {
            at.clear();
        }
        for ps in at.values_mut() {
            ps.at.clear();
            ps.next = 0;
        }
        let mut present = vec![0u64; idx.vocab().len() / 64 + 1];
        for i in 0..toks.len() {
            for &id in ids(i) {
                at.entry(id).or_default().at.push(i as u32);
                present[id as usize / 64] |= 1 << (id % 64);
            }
        }
        let is_present = |id: u32| present[id as usize / 64] & (1 << (id % 64)) != 0;
        // a legal form in one or several words ("S.A. de C.V.", "OY", "Open Joint-Stock
        // Company") that a name carries as one code: the vocabulary id of the code that the
        // words between two tokens normalise to, read after a placeholder word since a name
        // made only of a legal form is left as is. Normalised once per phrase and thread
        // (the same ranges are tried for every candidate name around a token).
        let legal_form = |from: usize, to: usize| -> Option<u32> {
            // the normaliser makes one legal-form code of a phrase only when every word of it
            // is in its legal-form table; a token's text is the normaliser's token when its
            // range is exact (ASCII: the ranges of some non-ASCII words are the whole word's)
            if !toks[from..=to].iter().all(|t| t.may_be_legal) {
                return None;
            }
            let phrase = &text[toks[from].range.start..toks[to].range.end];
            if let Some(&id) = st.legal_phrases.borrow().get(phrase) {
                return id;
            }
            let n = text::Normalizer::new()
                .name(&format!("Zzqxj {phrase}"), text::NameType::Organization);
            let id = if n.tokens.len() == 2 && n.tokens[1].kind == TokenKind::LegalForm {
                idx.vocab().get(&n.tokens[1].text)
            } else {
                None
            };
            st.legal_phrases.borrow_mut().insert(phrase.into(), id);
            id
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut used: Vec<usize> = Vec::with_capacity(8);
        for i in 0..toks.len() {
            for &a in ids(i) {
                for &n in self.anchors.at(a) {
                    let req = self.anchors.required(n);
                    let rec = &idx.names()[n as usize];
                    let w = (rec.tok_len as usize + 2).min(MAX_WINDOW);
                    let (lo, hi) = (i.saturating_sub(w), (i + w + 1).min(toks.len()));
                    // one required word may be missing from longer names (see `tolerant`)
                    let allowed = usize::from(self.anchors.tolerant[n as usize]);
                    used.clear();
                    used.push(i);
                    let mut missing = 0;
                    for &r in req {
                        if r == a {
                            continue;
                        }
                        let nearest = is_present(r)
                            .then(|| at.get_mut(&r))
                            .flatten()
                            .and_then(|ps| ps.nearest(i, lo..hi, &used));
                        match nearest {
                            Some(j) => used.push(j),
                            None => {
                                missing += 1;
                                if missing > allowed {
                                    break;
                                }
                            }
                        }
                    }
                    if missing > allowed {
                        continue;
                    }
                    let first = *used.iter().min().unwrap_or(&i);
                    let last = *used.iter().max().unwrap_or(&i);
                    // widen over the name's other words next to the span: particles, titles,
                    // initials, stop words, legal forms ("AL ZAWAHIRI, Dr. Ayman", "… LTDA.")
                    let (ntoks, _) = idx.name_tokens(n);
                    let belongs = |j: usize| {
                        ids(j).iter().any(|id| ntoks.contains(id)) || toks[j].legal_form_word
                    };
                    let max_len = ntoks.len() + 2;
                    // a legal form of the name in one or several words (see `legal_form`)
                    let legal = |r: std::ops::RangeInclusive<usize>| {
                        legal_form(*r.start(), *r.end()).is_some_and(|id| ntoks.contains(&id))
                    };
                    let (mut first, mut last) = (first, last);
                    // phrases of up to five words, longest first, among the words next to the
                    // span that may be part of one
                    let after = (last + 1..toks.len())
                        .take(5)
                        .take_while(|&j| toks[j].may_be_legal)
                        .count();
                    if let Some(k) = (1..=after).rev().find(|k| legal(last + 1..=last + k)) {
                        last += k;
                    }
                    while first > 0 && last - first < max_len && belongs(first - 1) {
                        first -= 1;
                    }
                    while last + 1 < toks.len() && last - first < max_len && belongs(last + 1) {
                        last += 1;
                    }
                    let before = (0..first)
                        .rev()
                        .take(5)
                        .take_while(|&j| toks[j].may_be_legal)
                        .count();
                    if let Some(k) = (1..=before).rev().find(|k| legal(first - k..=first - 1)) {
                        first -= k;
                    }
                    // one-word names count only with their legal form or when plausible alone
                    let widened = (first..=last).filter(|j| !used.contains(j)).count();
                    let hit = SpanHit {
                        name: n,
                        anchor: a,
                        used: &used,
                        widened,
                    };
                    if !self.plausible(&hit, toks, text, case_informative) {
                        continue;
                    }
                    let span = toks[first].range.start..toks[last].range.end;
                    // the names around one token often give the same span
                    if out.last() != Some(&span) {
                        out.push(span);
                    }
                }
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        out.dedup();
        out
    }

    /// Filters of the module docs: no ordinary words, no given names alone. `widened` counts the
    /// name's other words (legal form, particles…) found next to the matched ones.
    fn plausible(&self, hit: &SpanHit, toks: &[Tok], text: &str, case_informative: bool) -> bool {
        let SpanHit {
            name,
            anchor,
            used,
            widened,
        } = *hit;
        let idx = self.matcher.index();
        let df = idx.vocab().df[anchor as usize];
        if used.len() == 1 && widened == 0 {
            let rec = &idx.names()[name as usize];
            let t = &toks[used[0]];
            let word = &text[t.range.clone()];
            let key = &idx.vocab().keys[anchor as usize];
            return rec.kind != NameKind::WeakAlias
                && t.capital
                && key.chars >= 4
                && key.given.is_none()
                && df <= SINGLE_WORD_MAX_DF
                && !is_common_word(&key.text)
                && word.chars().count() >= 4;
        }
        !case_informative || df <= LOWERCASE_MAX_DF || used.iter().any(|&j| toks[j].capital)
    }

    /// Screens one span with the matcher (once per distinct span text) and records matches.
    fn verify(
        &self,
        st: &mut ScanState,
        text: &str,
        span: Range<usize>,
        base: usize,
        out: &mut Vec<Mention>,
    ) {
        let q = &text[span.clone()];
        let key: String = q.split_whitespace().collect::<Vec<_>>().join(" ");
        if !st.verified.contains_key(&key) {
            if st.verified.len() > 100_000 {
                st.verified.clear();
            }
            let opts = SearchOptions {
                limit: self.opts.per_mention,
                threshold: self.opts.threshold,
                min_score: None,
                lists: self.opts.lists.clone(),
            };
            let res: Vec<Arc<MentionEntity>> = self
                .matcher
                .search(&Query::name(key.clone()), &opts)
                .into_iter()
                .filter(|m| m.is_match)
                .map(|m| {
                    Arc::new(MentionEntity {
                        entity_id: m.entity_id,
                        list: m.list,
                        list_id: m.list_id,
                        caption: m.caption,
                        schema: m.schema,
                        score: m.score,
                        matched_name: m.name,
                        explanation: m.explanation,
                    })
                })
                .collect();
            st.verified.insert(key.clone(), res);
        }
        for e in &st.verified[&key] {
            out.push(Mention {
                start: base + span.start,
                end: base + span.end,
                text: q.to_string(),
                entity: e.clone(),
            });
        }
    }
}

/// An empty list with the allocation of `v` (the elements differ only in lifetime, so the
/// standard library collects in place).
fn recycle<'a, 'b>(mut v: Vec<KeyedToken<'a>>) -> Vec<KeyedToken<'b>> {
    v.clear();
    v.into_iter()
        .map(|t| KeyedToken {
            range: t.range,
            key: "",
            starts_phrase: false,
        })
        .collect()
}

/// Drops a mention inside a longer one of the same entity or a better-scoring one. Mentions
/// come sorted by start; only mentions that overlap are compared.
fn resolve_overlaps(ms: &mut Vec<Mention>) {
    ms.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(b.score.total_cmp(&a.score))
    });
    ms.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.entity_id == b.entity_id);
    let mut drop = vec![false; ms.len()];
    for i in 0..ms.len() {
        let mut j = i + 1;
        while j < ms.len() && ms[j].start < ms[i].end {
            let (o, m) = (&ms[i], &ms[j]);
            let contains = m.end <= o.end && (o.end - o.start) > (m.end - m.start);
            if contains && (o.entity_id == m.entity_id || o.score + 0.02 >= m.score) {
                drop[j] = true;
            }
            j += 1;
        }
    }
    let mut k = 0;
    ms.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Whether a word as written is a one-word legal form that belongs to the name it follows
/// ("Corp.", "LTDA", "GmbH"): the normaliser's legal-form table
/// ([`text::affixes::ends_name_in_text`]).
fn is_legal_form_word(word: &str) -> bool {
    text::affixes::ends_name_in_text(word)
}

/// English words common enough in news text to be ordinary words whatever the lists say
/// ([`text::common_words`]). A safeguard for one-word names only: anything longer is judged by
/// the matcher.
fn is_common_word(w: &str) -> bool {
    text::common_words::is_common_word(w)
}

#[cfg(test)]
mod tests;

/// A name of the index found in a token window, before the filters of `plausible`.
struct SpanHit<'a> {
    /// The name record that the matched tokens belong to.
    name: u32,
    /// The rarest matched vocabulary token (the anchor of the lookup).
    anchor: u32,
    /// Token positions in the text that matched the name's tokens.
    used: &'a [usize],
    /// The name's other words (legal form, particles…) found next to the matched ones.
    widened: usize,
}
