//! Candidate retrieval: from each query token to similar vocabulary tokens, and from those to
//! the names containing them, accumulating a cheap score per name. Work is bounded: a fixed
//! number of similar tokens per query token, common tokens skipped when rarer ones exist,
//! and a fixed number of names passed on to full scoring.

use crate::config::Config;
use crate::index::{query_deletion_hashes, Index};
use crate::query::{Prepared, QToken};
use crate::similarity::{token_sim, Sim};
use rustc_hash::FxHashSet;

use text::TokenKind;

/// Similar vocabulary tokens per distinct query token slot, with their similarity. Also the
/// similarity cache that scoring reads, so retrieval and scoring agree by construction.
pub type Expansions = Vec<Vec<(u32, Sim)>>;

/// Vocabulary tokens similar to a query token, best first, at most `limit`.
pub fn expand(index: &Index, cfg: &Config, q: &QToken) -> Vec<(u32, Sim)> {
    let v = &index.vocab;
    let mut cands: Vec<u32> = Vec::with_capacity(256);
    if let Some(id) = q.vocab {
        cands.push(id);
    }
    if q.kind == TokenKind::Initial || q.keys.chars <= 1 {
        return cands
            .into_iter()
            .map(|id| {
                (
                    id,
                    Sim {
                        sim: 1.0,
                        reason: crate::Reason::Exact,
                    },
                )
            })
            .collect();
    }
    let k = &q.keys;
    let keyed = [
        v.by_canon.get(&k.canon),
        k.korean.as_ref().and_then(|kk| v.by_korean.get(kk)),
        k.given.and_then(|g| v.by_given.get(&g)),
        (k.skeleton.len() >= 2)
            .then(|| v.by_skeleton.get(&k.skeleton))
            .flatten(),
        k.ocr.as_ref().and_then(|o| v.by_ocr.get(o)),
        k.vowelless
            .then(|| v.by_devowel.get(&text::keys::collapse_doubles(&k.text)))
            .flatten(),
        (k.chars >= 4).then(|| v.by_sorted.get(&k.sorted)).flatten(),
    ];
    for ids in keyed.into_iter().flatten() {
        cands.extend(ids.iter().take(64));
    }
    if let Some(id) = k.ocr.as_ref().and_then(|o| v.get(o)) {
        cands.push(id);
    }
    cands.extend(
        text::keys::nickname_expansions(&k.text)
            .iter()
            .filter_map(|f| v.get(f)),
    );
    if k.chars as usize >= cfg.tokens.prefix_min_len {
        cands.extend(v.with_prefix(&k.text, 16));
    }
    // typo neighbours: tokens within one deletion on each side
    if k.chars >= 3 {
        for h in query_deletion_hashes(&k.text) {
            if let Some(ids) = v.deletes.get(&h) {
                cands.extend(ids.iter().take(64));
            }
        }
    }
    cands.sort_unstable();
    cands.dedup();
    let mut out: Vec<(u32, Sim)> = cands
        .into_iter()
        .filter_map(|id| {
            let ck = &v.keys[id as usize];
            let ckind = if q.kind == TokenKind::LegalForm {
                TokenKind::LegalForm
            } else {
                TokenKind::Word
            };
            let s = token_sim(k, q.kind, ck, ckind, &cfg.tokens)?;
            Some((id, s))
        })
        .collect();
    out.sort_unstable_by(|a, b| b.1.sim.total_cmp(&a.1.sim).then(a.0.cmp(&b.0)));
    out.truncate(cfg.retrieval.expansions_per_token);
    out
}

/// Names whose run-together form equals, or is one edit from, a reading of the query run
/// together.
pub fn joined_candidates(index: &Index, prepared: &Prepared) -> Vec<u32> {
    let build = rustc_hash::FxBuildHasher;
    let mut out = Vec::new();
    for var in prepared.variants.iter().filter(|v| !v.native) {
        let j = crate::index::joined(var.tokens.iter().map(|t| t.keys.text.as_str()));
        if j.len() < 3 {
            continue;
        }
        let hashes = if j.len() <= crate::index::JOINED_DELETE_MAX {
            query_deletion_hashes(&j)
        } else {
            vec![crate::index::concat_hash(&build, &j, "")]
        };
        for h in hashes {
            if let Some(names) = index.joined_names.get(&h) {
                out.extend(names.iter().take(32));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Clone, Copy)]
struct Acc {
    total: f32,
    cur: f32,
    slot: u32,
}

impl Acc {
    const EMPTY: Acc = Acc {
        total: 0.0,
        cur: 0.0,
        slot: u32::MAX,
    };
}

thread_local! {
    /// Per-thread accumulator, one cell per indexed name, reset after each query (only the
    /// cells touched), so retrieval does no hashing and no allocation per posting.
    static SCRATCH: std::cell::RefCell<(Vec<Acc>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Names worth scoring in full, best cheap score first.
pub fn candidates(index: &Index, cfg: &Config, prepared: &Prepared, exp: &Expansions) -> Vec<u32> {
    // query token slots used for retrieval: those with expansions, rarest first
    let mut slots: Vec<(u32, u32)> = Vec::new(); // (slot, smallest df among expansions)
    let mut seen = FxHashSet::default();
    for var in &prepared.variants {
        for t in &var.tokens {
            if !seen.insert(t.slot)
                || exp[t.slot as usize].is_empty()
                || t.kind == TokenKind::Initial
            {
                continue;
            }
            let min_df = exp[t.slot as usize]
                .iter()
                .map(|(id, _)| index.vocab.df[*id as usize])
                .min()
                .unwrap_or(0);
            slots.push((t.slot, min_df));
        }
    }
    slots.sort_by_key(|s| s.1);
    slots.truncate(cfg.retrieval.max_query_tokens);
    let common = cfg.retrieval.common_postings as u32;
    let have_rare = slots.iter().any(|s| s.1 <= common);
    SCRATCH.with(|cell| {
        let (acc, touched) = &mut *cell.borrow_mut();
        if acc.len() < index.names.len() {
            acc.resize(index.names.len(), Acc::EMPTY);
        }
        accumulate(index, cfg, exp, &slots, have_rare, acc, touched);
        let mut scored: Vec<(u32, f32)> = touched
            .iter()
            .map(|&n| (n, acc[n as usize].total + acc[n as usize].cur))
            .collect();
        for &n in touched.iter() {
            acc[n as usize] = Acc::EMPTY;
        }
        touched.clear();
        top(cfg, &mut scored)
    })
}

fn top(cfg: &Config, scored: &mut Vec<(u32, f32)>) -> Vec<u32> {
    let k = cfg.retrieval.candidates.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // names far behind the best cheap score cannot reach a competitive name score
    let floor = scored
        .first()
        .map(|s| s.1 * cfg.retrieval.relative_floor)
        .unwrap_or(0.0);
    let keep = cfg.retrieval.min_candidates;
    scored
        .iter()
        .enumerate()
        .filter(|(i, s)| *i < keep || s.1 >= floor)
        .map(|(_, (n, _))| *n)
        .collect()
}

fn accumulate(
    index: &Index,
    cfg: &Config,
    exp: &Expansions,
    slots: &[(u32, u32)],
    have_rare: bool,
    acc: &mut [Acc],
    touched: &mut Vec<u32>,
) {
    let n_names = index.names.len().max(2) as f32;
    let rarity = |df: u32| (n_names / df.max(1) as f32).ln().max(0.0) + 0.1;
    let common = cfg.retrieval.common_postings as u32;
    for (slot, min_df) in slots {
        let mut budget = if have_rare {
            usize::MAX
        } else {
            4 * cfg.retrieval.common_postings
        };
        if have_rare && *min_df > common {
            continue;
        }
        for (id, sim) in &exp[*slot as usize] {
            let df = index.vocab.df[*id as usize];
            if have_rare && df > common {
                continue;
            }
            let w = sim.sim * rarity(df);
            for &name in index.postings(*id) {
                if budget == 0 {
                    break;
                }
                budget -= 1;
                let e = &mut acc[name as usize];
                if e.slot == u32::MAX {
                    touched.push(name);
                }
                if e.slot != *slot {
                    e.total += e.cur;
                    e.cur = w;
                    e.slot = *slot;
                } else if w > e.cur {
                    e.cur = w;
                }
            }
        }
    }
}
