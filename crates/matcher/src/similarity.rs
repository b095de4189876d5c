//! Token similarity: why two tokens may be the same word, and how sure that is.
//!
//! Each reason is one small function of the two tokens' keys (computed once by the
//! normaliser's `keys` module); [`token_sim`] returns the best reason and its similarity from
//! [`TokenWeights`]. The same function serves retrieval and scoring, so an explanation is
//! always the computation that produced the score.

use crate::config::TokenWeights;
use serde::{Deserialize, Serialize};
use text::keys;
use text::TokenKind;

pub use model::result::Reason;

/// The keys of one token, computed once (for vocabulary tokens at index time, for query tokens
/// per query).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenKeys {
    /// The normalised token: lower-case ASCII for the Latin form, the own script for a
    /// native-script name. Equal texts are [`Reason::Exact`].
    pub text: String,
    /// Romanisation canonical key ([`keys::canon`]); equal keys of tokens of four characters
    /// or more are [`Reason::Transliteration`].
    pub canon: String,
    /// Consonant skeleton with sound classes ([`keys::skeleton`]); equal skeletons (three
    /// characters or more, lengths within two) are [`Reason::Phonetic`].
    pub skeleton: String,
    /// Korean syllable key ([`keys::korean_key`]) of a token that reads as one or two
    /// romanised Korean syllables. Query tokens always carry it; in the index only tokens of
    /// names of Korean parties keep it (see [`crate::index::korean_context`]).
    pub korean: Option<String>,
    /// Given-name equivalence class (`text/data/given_names.tsv`), when the table knows the
    /// name; equal classes are [`Reason::GivenNameEquivalent`].
    pub given: Option<u32>,
    /// The token with digits read as look-alike letters ([`keys::ocr_fold`]), when it mixes
    /// letters and digits.
    pub ocr: Option<String>,
    /// The token is written without interior vowels ("mhmmd"); such a query token is compared
    /// with the candidates' `devowel`.
    pub vowelless: bool,
    /// Interior vowels removed (first and last letter kept).
    pub devowel: String,
    /// Letters in sorted order.
    pub sorted: String,
    /// The token is a nickname or a name with nicknames.
    pub nick: bool,
    /// Length in characters (capped at 65535).
    pub chars: u16,
}

impl TokenKeys {
    /// Computes every key of one normalised token (the Korean key whatever the context:
    /// [`Index::build`](crate::Index::build) drops it for tokens of non-Korean names).
    pub fn new(text: &str) -> Self {
        let canon = keys::canon(text);
        TokenKeys {
            text: text.to_string(),
            given: keys::given_name_class_of_canon(&canon),
            skeleton: keys::skeleton_of_canon(&canon),
            canon,
            korean: keys::korean_key(text),
            ocr: keys::ocr_fold(text),
            vowelless: keys::is_vowelless(text),
            devowel: keys::devowel(text),
            sorted: keys::sorted_letters(text),
            nick: keys::in_nickname_table(text),
            chars: text.chars().count().min(u16::MAX as usize) as u16,
        }
    }
}

/// A similarity with its reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sim {
    /// Similarity in [0, 1]: the [`TokenWeights`] field of the reason (`exact`,
    /// `transliteration`…), or computed from it for typos and prefixes.
    pub sim: f32,
    /// Why the two tokens may be the same word; shown with its `describe` text in
    /// explanations.
    pub reason: Reason,
}

impl Sim {
    fn better(self, other: Option<Sim>) -> Sim {
        match other {
            Some(o) if o.sim > self.sim => o,
            _ => self,
        }
    }
}

/// Longest token (in characters) compared by edit distance; longer tokens only match by keys.
pub const MAX_EDIT_LEN: usize = 64;

/// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions),
/// bounded: returns `None` as soon as the distance must exceed `max`. Works on any slice of
/// comparable items (bytes for ASCII, chars otherwise) without allocating.
pub fn edit_distance<T: PartialEq>(a: &[T], b: &[T], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max || n > MAX_EDIT_LEN || m > MAX_EDIT_LEN {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m)).filter(|d| *d <= max);
    }
    let mut rows = [[0u8; MAX_EDIT_LEN + 1]; 3];
    for (j, v) in rows[1].iter_mut().enumerate().take(m + 1) {
        *v = j as u8;
    }
    // rows[(i+1)%3] = previous row, rows[i%3] = the one before, rows[(i+2)%3] = current
    for i in 1..=n {
        let (cur_i, prev_i, prev2_i) = ((i + 1) % 3, i % 3, (i + 2) % 3);
        rows[cur_i][0] = i as u8;
        let mut row_min = i as u8;
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev_i][j] + 1)
                .min(rows[cur_i][j - 1] + 1)
                .min(rows[prev_i][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2_i][j - 2] + 1);
            }
            rows[cur_i][j] = v;
            row_min = row_min.min(v);
        }
        if row_min as usize > max {
            return None;
        }
    }
    let d = rows[(n + 1) % 3][m] as usize;
    (d <= max).then_some(d)
}

/// Cost, in tenths of an edit, of substituting one ASCII letter for another: 6 within a sound
/// class (b/p/v/f/w, d/t, g/k/c/q, s/z/c/x, j/g/y, m/n, l/r), 7 between two vowels, else 10.
/// Other bytes cost 10 unless equal.
fn sub_cost_tenths(a: u8, b: u8) -> u16 {
    static TABLE: std::sync::OnceLock<[[u8; 26]; 26]> = std::sync::OnceLock::new();
    if a == b {
        return 0;
    }
    if !(a.is_ascii_lowercase() && b.is_ascii_lowercase()) {
        return 10;
    }
    let t = TABLE.get_or_init(|| {
        const CLASSES: [&[u8]; 7] = [b"bpvfw", b"dt", b"gkcq", b"szcx", b"jgy", b"mn", b"lr"];
        let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
        let mut t = [[10u8; 26]; 26];
        for x in b'a'..=b'z' {
            for y in b'a'..=b'z' {
                let c = if x == y {
                    0
                } else if vowel(x) && vowel(y) {
                    7
                } else if CLASSES.iter().any(|c| c.contains(&x) && c.contains(&y)) {
                    6
                } else {
                    10
                };
                t[(x - b'a') as usize][(y - b'a') as usize] = c;
            }
        }
        t
    });
    t[(a - b'a') as usize][(b - b'a') as usize] as u16
}

/// Optimal-string-alignment distance over ASCII bytes where a substitution costs less for
/// similar sounds and vowels (see `sub_cost_tenths`), bounded by `max`.
pub fn sound_distance(a: &[u8], b: &[u8], max: f32) -> Option<f32> {
    sound_distance_t(a, b, max, 1.0)
}

/// [`sound_distance`] with a given cost for adjacent transpositions. Only cells within
/// `max` of the diagonal are computed (a path outside the band costs more than `max`).
/// Works in integer tenths of an edit.
pub fn sound_distance_t(a: &[u8], b: &[u8], max: f32, transposition: f32) -> Option<f32> {
    let (n, m) = (a.len(), b.len());
    if (n.abs_diff(m) as f32) > max || n > MAX_EDIT_LEN || m > MAX_EDIT_LEN {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m) as f32).filter(|d| *d <= max);
    }
    const INF: u16 = u16::MAX / 2;
    let maxt = (max * 10.0).round() as u16;
    let tr = (transposition * 10.0).round() as u16;
    let band = max.ceil() as usize + 1;
    let mut rows = [[INF; MAX_EDIT_LEN + 2]; 3];
    for (j, v) in rows[1].iter_mut().enumerate().take(m + 1) {
        *v = j as u16 * 10;
    }
    for i in 1..=n {
        let (cur_i, prev_i, prev2_i) = ((i + 1) % 3, i % 3, (i + 2) % 3);
        let (lo, hi) = (i.saturating_sub(band).max(1), (i + band).min(m));
        // cells just outside the band are read by the next rows: keep them infinite
        rows[cur_i][lo.saturating_sub(2)..=(hi + 1).min(m)].fill(INF);
        rows[cur_i][0] = i as u16 * 10;
        let mut row_min = rows[cur_i][0];
        for j in lo..=hi {
            let sub = rows[prev_i][j - 1] + sub_cost_tenths(a[i - 1], b[j - 1]);
            let mut v = (rows[prev_i][j] + 10).min(rows[cur_i][j - 1] + 10).min(sub);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2_i][j - 2] + tr);
            }
            rows[cur_i][j] = v;
            row_min = row_min.min(v);
        }
        if row_min > maxt {
            return None;
        }
    }
    let d = rows[(n + 1) % 3][m];
    (d <= maxt).then_some(d as f32 / 10.0)
}

fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        edit_distance(a.as_bytes(), b.as_bytes(), max)
    } else {
        let mut ca = ['\0'; MAX_EDIT_LEN];
        let mut cb = ['\0'; MAX_EDIT_LEN];
        let (mut n, mut m) = (0, 0);
        for c in a.chars() {
            if n == MAX_EDIT_LEN {
                return None;
            }
            ca[n] = c;
            n += 1;
        }
        for c in b.chars() {
            if m == MAX_EDIT_LEN {
                return None;
            }
            cb[m] = c;
            m += 1;
        }
        edit_distance(&ca[..n], &cb[..m], max)
    }
}

/// Lower bound on edits between two ASCII strings: letters one has that the other lacks
/// (counted with multiplicity, the larger side). A substitution fixes one on each side, an
/// insertion or deletion one; transpositions none. Cheap next to the edit-distance table.
/// Letters are counted in 64 buckets (byte & 63): letters sharing a bucket can only cancel
/// out, so the result stays a lower bound.
pub fn bag_distance(a: &[u8], b: &[u8]) -> usize {
    let mut counts = [0i16; 64];
    for &x in a {
        counts[(x & 63) as usize] += 1;
    }
    for &x in b {
        counts[(x & 63) as usize] -= 1;
    }
    // visit only the letters present; clear each count once it is added
    let (mut pos, mut neg) = (0usize, 0usize);
    for &x in a {
        let c = &mut counts[(x & 63) as usize];
        if *c > 0 {
            pos += *c as usize;
            *c = 0;
        }
    }
    for &x in b {
        let c = &mut counts[(x & 63) as usize];
        if *c < 0 {
            neg += (-*c) as usize;
            *c = 0;
        }
    }
    pos.max(neg)
}

fn typo(q: &str, qn: usize, c: &str, cn: usize, w: &TokenWeights) -> Option<Sim> {
    let max = w.max_edits(qn.min(cn));
    if max == 0 || qn.abs_diff(cn) > max {
        return None;
    }
    if q.is_ascii() && c.is_ascii() {
        // the cheapest edit (a sound-alike substitution) costs 0.6
        let budget = max as f32 + w.typo_slack;
        if bag_distance(q.as_bytes(), c.as_bytes()) as f32 * 0.6 > budget {
            return None;
        }
    }
    let d = if q.is_ascii() && c.is_ascii() {
        let budget = if qn.min(cn) >= 4 {
            max as f32 + w.typo_slack
        } else {
            max as f32
        };
        sound_distance_t(q.as_bytes(), c.as_bytes(), budget, w.transposition_cost)?
    } else {
        distance(q, c, max)? as f32
    };
    let len = qn.max(cn) as f32;
    let sim = (1.0 - d / len).min(w.typo_cap);
    Some(Sim {
        sim,
        reason: Reason::Typo,
    })
}

/// How similar a query token is to a candidate token, and why. Kinds matter for initials
/// and legal forms; everything else is decided by the keys.
pub fn token_sim(
    q: &TokenKeys,
    qk: TokenKind,
    c: &TokenKeys,
    ck: TokenKind,
    w: &TokenWeights,
) -> Option<Sim> {
    if q.text == c.text {
        return Some(Sim {
            sim: w.exact,
            reason: Reason::Exact,
        });
    }
    if qk == TokenKind::LegalForm || ck == TokenKind::LegalForm {
        if qk == ck
            && text::affixes::legal_form_family(&q.text)
                == text::affixes::legal_form_family(&c.text)
        {
            return Some(Sim {
                sim: w.transliteration,
                reason: Reason::LegalFormFamily,
            });
        }
        // a misspelt legal form: a query word one edit from a spelling of the listed form
        if ck == TokenKind::LegalForm
            && qk != TokenKind::LegalForm
            && q.text.is_ascii()
            && q.chars >= 2
        {
            let close = text::affixes::legal_form_words(&c.text).iter().any(|v| {
                let max = if v.len() <= 3 {
                    1.0
                } else {
                    w.max_edits(v.len().min(q.chars as usize)).max(1) as f32
                };
                sound_distance_t(q.text.as_bytes(), v.as_bytes(), max, w.transposition_cost)
                    .is_some()
            });
            if close {
                return Some(Sim {
                    sim: w.legal_form_typo,
                    reason: Reason::Typo,
                });
            }
        }
        return None;
    }
    // One side is an initial (a single letter): it matches a word with that first letter.
    let q_initial = q.chars == 1 && q.text.chars().all(char::is_alphabetic);
    let c_initial = c.chars == 1 && c.text.chars().all(char::is_alphabetic);
    if q_initial || c_initial {
        if q_initial && c_initial {
            return None;
        }
        return (q.text.chars().next() == c.text.chars().next()).then_some(Sim {
            sim: w.initial,
            reason: Reason::Initial,
        });
    }
    let mut best: Option<Sim> = None;
    let offer = |best: &mut Option<Sim>, s: Sim| *best = Some(s.better(*best));
    if let Some(o) = &q.ocr {
        if *o == c.text || c.ocr.as_ref() == Some(o) {
            offer(
                &mut best,
                Sim {
                    sim: w.ocr,
                    reason: Reason::Ocr,
                },
            );
        }
    }
    // romanisation rules need a few letters to be meaningful ("EQT" / "EKT" are two codes)
    if q.canon == c.canon && q.chars >= 4 && c.chars >= 4 {
        offer(
            &mut best,
            Sim {
                sim: w.transliteration,
                reason: Reason::Transliteration,
            },
        );
    }
    if q.korean.is_some() && q.korean == c.korean {
        offer(
            &mut best,
            Sim {
                sim: w.korean,
                reason: Reason::KoreanRomanization,
            },
        );
    }
    if (q.given.is_some() && q.given == c.given)
        || (q.nick && c.nick && keys::is_nickname_of(&q.text, &c.text))
    {
        offer(
            &mut best,
            Sim {
                sim: w.given_name,
                reason: Reason::GivenNameEquivalent,
            },
        );
    }
    if best.is_some_and(|b| b.sim >= w.transliteration) {
        return best;
    }
    if q.vowelless && !c.vowelless && q.chars >= 2 && keys::collapse_doubles(&q.text) == c.devowel {
        offer(
            &mut best,
            Sim {
                sim: w.vowel_drop,
                reason: Reason::VowelDrop,
            },
        );
    }
    if q.skeleton == c.skeleton && q.skeleton.len() >= 3 && q.chars.abs_diff(c.chars) <= 2 {
        offer(
            &mut best,
            Sim {
                sim: w.phonetic,
                reason: Reason::Phonetic,
            },
        );
    }
    if q.chars >= 4 && q.sorted == c.sorted {
        offer(
            &mut best,
            Sim {
                sim: w.anagram,
                reason: Reason::Anagram,
            },
        );
    }
    let qn = q.chars as usize;
    let cn = c.chars as usize;
    let text_typo = typo(&q.text, qn, &c.text, cn, w);
    if let Some(t) = text_typo {
        offer(&mut best, t);
    }
    if text_typo.is_none() && (q.canon != q.text || c.canon != c.text) {
        let (qcn, ccn) = (q.canon.len(), c.canon.len());
        if let Some(t) = typo(&q.canon, qcn, &c.canon, ccn, w) {
            offer(
                &mut best,
                Sim {
                    sim: t.sim * w.transliteration,
                    reason: Reason::Typo,
                },
            );
        }
    }
    if let Some(o) = &q.ocr {
        if let Some(t) = typo(o, qn, &c.text, cn, w) {
            offer(
                &mut best,
                Sim {
                    sim: t.sim * w.ocr,
                    reason: Reason::Ocr,
                },
            );
        }
    }
    if qn >= w.prefix_min_len && qn < cn && c.text.starts_with(q.text.as_str()) {
        offer(
            &mut best,
            Sim {
                sim: w.prefix_base + w.prefix_gain * qn as f32 / cn as f32,
                reason: Reason::Prefix,
            },
        );
    }
    best.filter(|b| b.sim >= w.min_token_sim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> Option<(f32, Reason)> {
        let w = TokenWeights::default();
        token_sim(
            &TokenKeys::new(a),
            TokenKind::Word,
            &TokenKeys::new(b),
            TokenKind::Word,
            &w,
        )
        .map(|s| (s.sim, s.reason))
    }

    #[test]
    fn reasons() {
        assert_eq!(sim("kim", "kim").unwrap().1, Reason::Exact);
        assert_eq!(
            sim("ekaterina", "yekaterina").unwrap().1,
            Reason::Transliteration
        );
        assert_eq!(sim("chong", "jeong").unwrap().1, Reason::KoreanRomanization);
        assert_eq!(sim("hi1da", "hilda").unwrap().1, Reason::Ocr);
        assert_eq!(
            sim("yusif", "joseph").unwrap().1,
            Reason::GivenNameEquivalent
        );
        assert_eq!(sim("mhmmd", "mohammed").unwrap().1, Reason::VowelDrop);
        assert_eq!(sim("zfezta", "zvezda").unwrap().1, Reason::Typo); // two sound-alike letters
        assert_eq!(sim("tekrt", "decart").unwrap().1, Reason::Phonetic);
        assert_eq!(sim("mazio", "maaio").unwrap().1, Reason::Typo);
        assert_eq!(sim("palaci", "palacios").unwrap().1, Reason::Prefix);
        assert_eq!(sim("preciois", "precious").unwrap().1, Reason::Typo);
        assert_eq!(sim("compa", "company").unwrap().1, Reason::Prefix);
        assert!(sim("smith", "jones").is_none());
        assert!(sim("ali", "eli").is_none());
    }

    #[test]
    fn bag_distance_bounds_edits() {
        assert_eq!(bag_distance(b"sahan", b"hasan"), 0);
        assert_eq!(bag_distance(b"mazio", b"maaio"), 1);
        assert_eq!(bag_distance(b"smith", b"jones"), 4);
        assert_eq!(bag_distance(b"aab", b"abb"), 1);
    }

    #[test]
    fn edit_distance_is_bounded_osa() {
        assert_eq!(distance("mostafa", "mostfaa", 2), Some(1));
        assert_eq!(distance("abc", "xyz", 2), None);
        assert_eq!(distance("", "ab", 2), Some(2));
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("донецк", "донецьк", 1), Some(1));
    }
}
