//! Name similarity: align the query's tokens with a candidate name's tokens, order-free, and
//! turn the alignment into a score from coverage on both sides weighted by rarity and kind.
//!
//! score = (query coverage)^`query_coverage_exponent` × (candidate coverage)^`candidate_coverage_exponent`
//!
//! where a side's coverage is the weighted share of its tokens that found a partner, each
//! counted by the pair's similarity. Token weight = kind weight × rarity, rarity =
//! `rarity_floor` + (1 − `rarity_floor`) × ln(N / df) / ln(N) over the N indexed names.
//! Identical token lists give 1.0 exactly.

use crate::config::Config;
use crate::index::Index;
use crate::query::Variant;
use crate::similarity::{token_sim, Reason, Sim};
use rustc_hash::FxHashMap;
use text::TokenKind;

/// Similarities between query token slots and vocabulary tokens, filled by retrieval and
/// completed lazily during scoring.
pub type SimCache = FxHashMap<(u32, u32), Option<Sim>>;

/// One aligned token pair.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    /// Position of the query token in the reading's tokens ([`Variant::tokens`]).
    pub q: usize,
    /// Position of the candidate token in the name's tokens ([`Index::name_tokens`]).
    pub c: usize,
    /// The pair's similarity in [0, 1] and its reason. In a finished [`Alignment`], a pair
    /// that is not `Exact` already carries the `names.fuzzy_common_penalty` deduction.
    pub sim: Sim,
}

/// The best alignment of a query reading with a candidate name.
#[derive(Debug, Clone)]
pub struct Alignment {
    /// The candidate name's number in [`Index::names`].
    pub name: u32,
    /// The query reading aligned: an index into `Prepared::variants`, or [`IDENTIFIER_ONLY`].
    pub variant: usize,
    /// The aligned pairs; each query token and each candidate token is in at most one. Greedy
    /// order: best similarity first, then the pairs found comparing leftover words in full.
    pub pairs: Vec<Pair>,
    /// Weight of each query token: its kind weight (`kinds.*`; a word paired with a legal
    /// form weighs as one) × the rarity weight of its partner, or of the token itself when
    /// unpaired (`names.unknown_token_rarity` when no listed name has it).
    pub q_weights: Vec<f32>,
    /// Weight of each candidate token: kind weight (`kinds.*`) × rarity weight ([`rarity`]).
    pub c_weights: Vec<f32>,
    /// Share of the query's weight covered by the pairs, each counted by its similarity, in
    /// [0, 1]. Set to the joined similarity when the run-together comparison won.
    pub query_coverage: f32,
    /// Share of the candidate name's weight covered by the pairs, as `query_coverage`.
    pub candidate_coverage: f32,
    /// True when no pair agrees exactly or by rule, so the fuzzy penalty applied.
    pub all_fuzzy: bool,
    /// Set when the names compared better run together: (query, candidate, similarity).
    pub joined: Option<(String, String, Sim)>,
    /// The name score in [0, 1], before the weak-alias factor and evidence: the coverages
    /// raised to `names.query_coverage_exponent` and `names.candidate_coverage_exponent` and
    /// multiplied, × `names.all_fuzzy_factor` when `all_fuzzy`; 1.0 when every token on both
    /// sides pairs exactly; the run-together similarity when that is higher; 0 for
    /// [`IDENTIFIER_ONLY`].
    pub score: f32,
}

/// The `variant` of an [`Alignment`] that compared no name: the entity was found by a query
/// identifier alone (its name score is 0 and the identifier evidence decides).
pub const IDENTIFIER_ONLY: usize = usize::MAX;

impl Alignment {
    /// The alignment of an entity found by identifier alone, on its name `name`.
    pub fn identifier_only(name: u32) -> Alignment {
        Alignment {
            name,
            variant: IDENTIFIER_ONLY,
            pairs: Vec::new(),
            q_weights: Vec::new(),
            c_weights: Vec::new(),
            query_coverage: 0.0,
            candidate_coverage: 0.0,
            all_fuzzy: false,
            joined: None,
            score: 0.0,
        }
    }
}

/// Rarity weight from a token's raw rarity in [0, 1] (see `Vocab::rarity`); tokens the
/// index has never seen count as rarest.
pub fn rarity(cfg: &Config, raw: f32) -> f32 {
    cfg.names.rarity_floor + (1.0 - cfg.names.rarity_floor) * raw
}

/// The similarity of a query token and a candidate token. Retrieval already computed it for
/// every vocabulary token that can reach `min_token_sim` (exact, key-equal, one-deletion and
/// prefix neighbours), so a pair it did not see is unmatched — except the pairs retrieval
/// never expands: initials and legal forms, which are compared here.
fn pair_sim(
    index: &Index,
    cfg: &Config,
    cache: &mut SimCache,
    qt: &crate::query::QToken,
    qkind: TokenKind,
    ctok: u32,
    ckind: TokenKind,
) -> Option<Sim> {
    let (slot, qkeys) = (qt.slot, &qt.keys);
    if let Some(s) = cache.get(&(slot, ctok)) {
        return *s;
    }
    let ck = &index.vocab.keys[ctok as usize];
    let direct = qkind == TokenKind::Initial
        || ckind == TokenKind::Initial
        || qkind == TokenKind::LegalForm
        || ckind == TokenKind::LegalForm
        || qkeys.chars <= 1
        || ck.chars <= 1;
    if !direct {
        return None;
    }
    let s = token_sim(qkeys, qkind, ck, ckind, &cfg.tokens);
    cache.insert((slot, ctok), s);
    s
}

/// Aligns one query reading with one indexed name.
pub fn align(
    index: &Index,
    cfg: &Config,
    cache: &mut SimCache,
    variant: &Variant,
    vi: usize,
    name: u32,
) -> Alignment {
    let (ctoks, ckinds) = index.name_tokens(name);
    let q = &variant.tokens;
    // all pairs above the floor, best first
    let mut cand: Vec<Pair> = Vec::with_capacity(q.len() * ctoks.len());
    for (qi, qt) in q.iter().enumerate() {
        for (ci, (&ct, &ck)) in ctoks.iter().zip(ckinds).enumerate() {
            let kind = if qt.kind == TokenKind::Initial && ck != TokenKind::Initial {
                TokenKind::Initial
            } else {
                qt.kind
            };
            if let Some(mut s) = pair_sim(index, cfg, cache, qt, kind, ct, ck) {
                if qt.joined && s.reason == Reason::Exact {
                    s = Sim {
                        sim: cfg.tokens.joined,
                        reason: Reason::Joined,
                    };
                }
                cand.push(Pair {
                    q: qi,
                    c: ci,
                    sim: s,
                });
            }
        }
    }
    let c_weights: Vec<f32> = ctoks
        .iter()
        .zip(ckinds)
        .map(|(&t, &k)| cfg.kinds.of(k) * rarity(cfg, index.vocab.rarity[t as usize]))
        .collect();
    cand.sort_by(|a, b| {
        b.sim
            .sim
            .total_cmp(&a.sim.sim)
            .then(c_weights[b.c].total_cmp(&c_weights[a.c]))
            .then(a.q.cmp(&b.q))
            .then(a.c.cmp(&b.c))
    });
    let mut q_used = vec![false; q.len()];
    let mut c_used = vec![false; ctoks.len()];
    let mut pairs = Vec::new();
    for p in cand {
        if !q_used[p.q] && !c_used[p.c] {
            q_used[p.q] = true;
            c_used[p.c] = true;
            pairs.push(p);
        }
    }
    // Words left over on both sides are compared in full (sound-aware edit distance and every
    // other reason): retrieval only looked at close neighbours, and a name whose other words
    // agree deserves the closer look.
    if pairs.len() < q.len() && pairs.len() < ctoks.len() {
        let mut extra: Vec<Pair> = Vec::new();
        for (qi, qt) in q.iter().enumerate().filter(|(i, _)| !q_used[*i]) {
            for (ci, (&ct, &ck)) in ctoks
                .iter()
                .zip(ckinds)
                .enumerate()
                .filter(|(i, _)| !c_used[*i])
            {
                let ckeys = &index.vocab.keys[ct as usize];
                let worth = qt.keys.chars.abs_diff(ckeys.chars) <= 3
                    || ck == TokenKind::LegalForm
                    || (qt.keys.nick && ckeys.nick)
                    || (qt.keys.given.is_some() && qt.keys.given == ckeys.given);
                if !worth {
                    continue;
                }
                let s = *cache.entry((qt.slot, ct)).or_insert_with(|| {
                    token_sim(
                        &qt.keys,
                        qt.kind,
                        &index.vocab.keys[ct as usize],
                        ck,
                        &cfg.tokens,
                    )
                });
                if let Some(s) = s {
                    extra.push(Pair {
                        q: qi,
                        c: ci,
                        sim: s,
                    });
                }
            }
        }
        extra.sort_by(|a, b| {
            b.sim
                .sim
                .total_cmp(&a.sim.sim)
                .then(a.q.cmp(&b.q))
                .then(a.c.cmp(&b.c))
        });
        for p in extra {
            if !q_used[p.q] && !c_used[p.c] {
                q_used[p.q] = true;
                c_used[p.c] = true;
                pairs.push(p);
            }
        }
    }
    // query weights: the rarity of the partner when matched, else the token's own rarity
    // (a word the lists never use is as rare as can be)
    let mut q_weights: Vec<f32> = q
        .iter()
        .map(|t| {
            let raw = t
                .vocab
                .map(|v| index.vocab.rarity[v as usize])
                .unwrap_or(cfg.names.unknown_token_rarity);
            cfg.kinds.of(t.kind) * rarity(cfg, raw)
        })
        .collect();
    for p in &pairs {
        let partner = rarity(cfg, index.vocab.rarity[ctoks[p.c] as usize]);
        // a word matched to a legal form weighs as a legal form (a misspelt "Limited")
        let kind = if ckinds[p.c] == TokenKind::LegalForm {
            TokenKind::LegalForm
        } else {
            q[p.q].kind
        };
        q_weights[p.q] = cfg.kinds.of(kind) * partner;
    }
    if cfg.names.fuzzy_common_penalty > 0.0 {
        for p in pairs.iter_mut().filter(|p| p.sim.reason != Reason::Exact) {
            let common = 1.0 - index.vocab.rarity[ctoks[p.c] as usize];
            p.sim.sim = (p.sim.sim - cfg.names.fuzzy_common_penalty * common).max(0.0);
        }
    }
    let total_q: f32 = q_weights.iter().sum();
    let total_c: f32 = c_weights.iter().sum();
    let cov_q: f32 = pairs
        .iter()
        .map(|p| q_weights[p.q] * p.sim.sim)
        .sum::<f32>();
    let cov_c: f32 = pairs
        .iter()
        .map(|p| c_weights[p.c] * p.sim.sim)
        .sum::<f32>();
    let query_coverage = if total_q > 0.0 {
        (cov_q / total_q).min(1.0)
    } else {
        0.0
    };
    let candidate_coverage = if total_c > 0.0 {
        (cov_c / total_c).min(1.0)
    } else {
        0.0
    };
    let all_fuzzy = !pairs.is_empty() && !pairs.iter().any(|p| p.sim.reason.is_strong());
    let mut score = query_coverage.powf(cfg.names.query_coverage_exponent)
        * candidate_coverage.powf(cfg.names.candidate_coverage_exponent);
    if all_fuzzy {
        score *= cfg.names.all_fuzzy_factor;
    }
    if pairs.len() == q.len()
        && pairs.len() == ctoks.len()
        && pairs.iter().all(|p| p.sim.reason == Reason::Exact)
    {
        score = 1.0;
    }
    let mut a = Alignment {
        name,
        variant: vi,
        pairs,
        q_weights,
        c_weights,
        query_coverage,
        candidate_coverage,
        all_fuzzy,
        joined: None,
        score: score.clamp(0.0, 1.0),
    };
    let leftovers = a.pairs.len() < q.len() || a.pairs.len() < ctoks.len();
    if !variant.native
        && a.score < cfg.tokens.joined
        && (q.len() > 1 || ctoks.len() > 1)
        && (leftovers || a.score < 0.85)
    {
        joined_compare(index, cfg, variant, name, ctoks, &mut a);
    }
    a
}

/// Compares the names run together — in the listed order, with a "SURNAME, Given" name's
/// surname moved to the end, and with the first word moved to the end — and keeps the result
/// when it beats the token alignment. Also recognises a query that is the listed name cut
/// short in the middle of a word.
fn joined_compare(
    index: &Index,
    cfg: &Config,
    variant: &Variant,
    name: u32,
    ctoks: &[u32],
    a: &mut Alignment,
) {
    let qj = crate::index::joined(variant.tokens.iter().map(|t| t.keys.text.as_str()));
    if qj.len() < 4 || !qj.is_ascii() {
        return;
    }
    let text = |t: &u32| index.vocab.keys[*t as usize].text.as_str();
    let surname = index.names[name as usize].surname_len as usize;
    let mut orders = vec![crate::index::joined(ctoks.iter().map(text))];
    if surname > 0 && surname < ctoks.len() {
        orders.push(crate::index::joined(
            ctoks[surname..].iter().chain(&ctoks[..surname]).map(text),
        ));
    }
    if surname != 1 && ctoks.len() > 1 {
        orders.push(crate::index::joined(
            ctoks.iter().skip(1).chain(ctoks.first()).map(text),
        ));
    }
    // a cut mid-word leaves a fragment, not a word the lists use ("Ibrahi", not "Ivanov")
    let last = variant.tokens.last();
    let last_query_word = last.map(|t| t.keys.text.as_str()).unwrap_or("");
    let cut_mid_word = last.is_some_and(|t| t.vocab.is_none());
    for cj in orders {
        if !cj.is_ascii() {
            continue;
        }
        let mut best = None;
        // cut short mid-word: the query is a prefix of the listed name and its last word is a
        // strict prefix of a listed word
        if cut_mid_word
            && qj.len() >= cfg.names.truncated_min_chars
            && cj.len() > qj.len()
            && cj.starts_with(&qj)
            && ctoks.iter().any(|t| {
                text(t).len() > last_query_word.len() && text(t).starts_with(last_query_word)
            })
        {
            let sim = cfg.names.truncated_base
                + cfg.names.truncated_gain * qj.len() as f32 / cj.len() as f32;
            best = Some(Sim {
                sim,
                reason: Reason::Prefix,
            });
        }
        let len = qj.len().max(cj.len());
        let max = (len / cfg.names.joined_name_chars_per_edit.max(1)).clamp(1, 4) as f32
            + cfg.tokens.typo_slack;
        let close_enough =
            crate::similarity::bag_distance(qj.as_bytes(), cj.as_bytes()) as f32 * 0.6 <= max;
        if let Some(d) = close_enough
            .then(|| {
                crate::similarity::sound_distance_t(
                    qj.as_bytes(),
                    cj.as_bytes(),
                    max,
                    cfg.tokens.transposition_cost,
                )
            })
            .flatten()
        {
            let sim = (1.0 - d / len as f32).min(cfg.tokens.joined);
            if best.is_none_or(|b: Sim| sim > b.sim) {
                best = Some(Sim {
                    sim,
                    reason: Reason::Joined,
                });
            }
        }
        if let Some(b) = best.filter(|b| b.sim > a.score) {
            a.score = b.sim;
            a.query_coverage = b.sim;
            a.candidate_coverage = b.sim;
            a.all_fuzzy = false;
            a.joined = Some((qj.clone(), cj, b));
        }
    }
}
