//! A screening query and its prepared form.

use crate::index::{name_type, Index};
use crate::similarity::TokenKeys;
use text::{Normalizer, TokenKind};

pub use model::Query;

/// One query token with its keys.
#[derive(Debug, Clone)]
pub struct QToken {
    /// The keys of the token's normalised text, shared with its slot in
    /// [`Prepared::distinct`].
    pub keys: TokenKeys,
    /// The token's kind, classified for the query's schema (any type when none is given); a
    /// word made by joining two query words is a `Word`.
    pub kind: TokenKind,
    /// The vocabulary id when the token occurs in the index as is.
    pub vocab: Option<u32>,
    /// True when the token came from joining or splitting query words.
    pub joined: bool,
    /// Index into [`Prepared::distinct`]: the cache key for this token's similarities.
    pub slot: u32,
}

/// One reading of one query name.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Which query name it reads.
    pub name: usize,
    /// The own-script form.
    pub native: bool,
    /// The reading's tokens in query order.
    pub tokens: Vec<QToken>,
}

/// The query normalised once: every reading of every name, and each distinct token.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The readings of every query name, in name order: as written, then with run-together
    /// words split into known words, then with adjacent words joined into a known word (each
    /// only when it differs), then the own-script form.
    pub variants: Vec<Variant>,
    /// Distinct (text, kind) pairs over all variants.
    pub distinct: Vec<(TokenKeys, TokenKind)>,
}

/// Most parts a run-together word is split into.
const MAX_PARTS: usize = 8;

/// Splits a long token into 2–8 parts that all exist in the vocabulary, or are legal-form
/// words, or single digits ("mohammadgholami" → "mohammad" "gholami",
/// "ryesonggang1" → "rye" "song" "gang" "1"), preferring fewer and longer parts.
fn segment(index: &Index, t: &str) -> Option<Vec<String>> {
    if !t.is_ascii() {
        return None;
    }
    let n = t.len();
    if !(7..=96).contains(&n) {
        return None;
    }
    let known = |p: &str| {
        index.vocab.get(p).is_some()
            || text::affixes::is_legal_form_word(p)
            || (p.len() == 1 && p.as_bytes()[0].is_ascii_digit())
    };
    // best[i] = fewest parts covering t[..i], and where the last part starts
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for i in 0..n {
        let Some((parts, _)) = best[i] else { continue };
        if parts >= MAX_PARTS {
            continue;
        }
        for j in (i + 1)..=(n.min(i + 32)) {
            let piece = &t[i..j];
            if (piece.len() >= 2 || piece.as_bytes()[0].is_ascii_digit())
                && known(piece)
                && best[j].is_none_or(|(p, _)| p > parts + 1)
            {
                best[j] = Some((parts + 1, i));
            }
        }
    }
    let (parts, _) = best[n]?;
    if parts < 2 {
        return None;
    }
    let mut out = Vec::new();
    let mut j = n;
    while j > 0 {
        let (_, i) = best[j]?;
        out.push(t[i..j].to_string());
        j = i;
    }
    out.reverse();
    Some(out)
}

/// Classifies a re-tokenised reading with the normaliser's affix rules (so a split-out
/// "company" becomes the legal form `co`), marking tokens not in the original reading joined.
fn reclassify(
    words: Vec<String>,
    nt: text::NameType,
    original: &[(String, TokenKind, bool)],
) -> Vec<(String, TokenKind, bool)> {
    let toks = words
        .into_iter()
        .map(|w| text::Token {
            text: w,
            kind: TokenKind::Word,
            joined_next: false,
            phrase: None,
        })
        .collect();
    text::affixes::classify(toks, nt)
        .into_iter()
        .map(|t| {
            let joined = !original.iter().any(|(o, _, _)| *o == t.text);
            (t.text, t.kind, joined)
        })
        .collect()
}

impl Prepared {
    /// Normalises each name of `q` (name type from its schema) and reads it every way the
    /// index suggests: splits keep only words the vocabulary knows (or legal-form words and
    /// single digits), joins only a joined word it knows.
    pub fn new(index: &Index, q: &Query) -> Self {
        let norm = Normalizer::new();
        let nt = q.schema.map(name_type).unwrap_or(text::NameType::Any);
        let mut p = Prepared {
            variants: Vec::new(),
            distinct: Vec::new(),
        };
        for (ni, name) in q.names.iter().enumerate() {
            let n = norm.name(name, nt);
            let base: Vec<(String, TokenKind, bool)> = n
                .tokens
                .iter()
                .map(|t| (t.text.clone(), t.kind, false))
                .collect();
            if !base.is_empty() {
                // split long words into known words
                let mut split_words = Vec::new();
                let mut any_split = false;
                for (t, k, _) in &base {
                    match (
                        k,
                        index
                            .vocab
                            .get(t)
                            .is_none()
                            .then(|| segment(index, t))
                            .flatten(),
                    ) {
                        (TokenKind::Word, Some(parts)) => {
                            any_split = true;
                            split_words.extend(parts);
                        }
                        _ => split_words.push(t.clone()),
                    }
                }
                let split = if any_split {
                    reclassify(split_words, nt, &base)
                } else {
                    Vec::new()
                };
                // join adjacent words that form a known word
                let mut merged = Vec::new();
                let mut any_merge = false;
                let mut i = 0;
                while i < base.len() {
                    if i + 1 < base.len() {
                        let joined = format!("{}{}", base[i].0, base[i + 1].0);
                        if index.vocab.get(&joined).is_some()
                            && base[i].0.len() + base[i + 1].0.len() >= 4
                        {
                            merged.push((joined, TokenKind::Word, true));
                            any_merge = true;
                            i += 2;
                            continue;
                        }
                    }
                    merged.push(base[i].clone());
                    i += 1;
                }
                p.push(index, ni, false, base);
                if any_split {
                    p.push(index, ni, false, split);
                }
                if any_merge {
                    p.push(index, ni, false, merged);
                }
            }
            if let Some(native) = n.native {
                let toks = native
                    .into_iter()
                    .map(|t| (t.text, t.kind, false))
                    .collect();
                p.push(index, ni, true, toks);
            }
        }
        p
    }

    fn push(
        &mut self,
        index: &Index,
        name: usize,
        native: bool,
        toks: Vec<(String, TokenKind, bool)>,
    ) {
        let tokens = toks
            .into_iter()
            .map(|(text, kind, joined)| {
                let slot = match self
                    .distinct
                    .iter()
                    .position(|(k, kk)| k.text == text && *kk == kind)
                {
                    Some(s) => s,
                    None => {
                        self.distinct.push((TokenKeys::new(&text), kind));
                        self.distinct.len() - 1
                    }
                } as u32;
                QToken {
                    keys: self.distinct[slot as usize].0.clone(),
                    kind,
                    vocab: index.vocab.get(&text),
                    joined,
                    slot,
                }
            })
            .collect();
        self.variants.push(Variant {
            name,
            native,
            tokens,
        });
    }
}
