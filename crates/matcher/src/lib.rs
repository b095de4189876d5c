//! The watchlist matcher: given a query (names, and optionally schema, birth dates,
//! countries, identifiers), find the listed entities it may denote, score them, explain why.
//!
//! The path: [`Prepared`] normalises the query with the one normaliser (`text`) →
//! [`retrieve`] finds similar vocabulary tokens and candidate names in the [`Index`] →
//! [`align`] aligns tokens and scores each candidate name → [`evidence`] applies schema,
//! birth-date, country and identifier evidence → [`Match`]es with [`Explanation`]s.
//!
//! Invariants:
//! - [`Matcher::search`] is the only scoring code. Explanations are built from the alignment
//!   that produced the score, never recomputed.
//! - Every weight lives in [`Config`]; an explanation names the config field behind each part.
//! - An exact name (identical normalised tokens) scores 1.0 before secondary evidence.
//! - Work per query is bounded by [`config::RetrievalLimits`].

#![warn(missing_docs)]

pub mod align;
pub mod config;
pub mod evidence;
pub mod explain;
pub mod index;
pub mod query;
pub mod retrieve;
pub mod similarity;

pub use config::Config;
pub use explain::{Adjustment, Explanation, TokenMatch};
pub use index::{Index, IndexError, IndexMeta, MATCHER_VERSION};
pub use query::{Prepared, Query};
pub use similarity::Reason;

use align::{Alignment, SimCache};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Per-search options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Most results returned.
    pub limit: usize,
    /// Results at or above this are matches (`is_match`); defaults to the config's threshold.
    pub threshold: Option<f32>,
    /// Results below this are dropped; defaults to the config's `min_score`.
    pub min_score: Option<f32>,
    /// Only these lists (keys), when given.
    pub lists: Option<Vec<String>>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            threshold: None,
            min_score: None,
            lists: None,
        }
    }
}

pub use model::result::Match;

/// The matcher over one index.
#[derive(Debug)]
pub struct Matcher {
    index: Index,
    config: Config,
}

impl Matcher {
    /// A matcher searching `index` with the weights and thresholds of `config`, both kept for
    /// the matcher's lifetime (a new snapshot or config means a new matcher).
    pub fn new(index: Index, config: Config) -> Self {
        Matcher { index, config }
    }

    /// The index searched, for reading its entities, names and identifiers.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The weights and thresholds every search uses ([`SearchOptions`] may override
    /// `threshold` and `min_score` for one search).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Screens one query.
    pub fn search(&self, q: &Query, opts: &SearchOptions) -> Vec<Match> {
        let idx = &self.index;
        let cfg = &self.config;
        let prepared = Prepared::new(idx, q);
        let mut cache: SimCache = FxHashMap::default();
        let expansions: retrieve::Expansions = prepared
            .distinct
            .iter()
            .enumerate()
            .map(|(slot, (keys, kind))| {
                let qt = query::QToken {
                    keys: keys.clone(),
                    kind: *kind,
                    vocab: idx.vocab.get(&keys.text),
                    joined: false,
                    slot: slot as u32,
                };
                let e = retrieve::expand(idx, cfg, &qt);
                for (id, s) in &e {
                    cache.insert((slot as u32, *id), Some(*s));
                }
                e
            })
            .collect();
        let mut names = retrieve::candidates(idx, cfg, &prepared, &expansions);
        names.extend(retrieve::joined_candidates(idx, &prepared));
        // entities that carry one of the query's identifiers are candidates whatever their name
        let mut by_identifier: Vec<u32> = Vec::new();
        for v in &q.identifiers {
            for (e, _) in idx.entities_with_identifier(v).into_iter().take(64) {
                let rec = &idx.entities[e as usize];
                names.extend(rec.first_name..rec.first_name + rec.name_count);
                by_identifier.push(e);
            }
        }
        let lists = opts.lists.as_ref();
        // per entity: its best name, by the name score after the name-kind factor
        let mut best: FxHashMap<u32, (f32, Alignment)> = FxHashMap::default();
        for name in names {
            let rec = &idx.names[name as usize];
            let ent = &idx.entities[rec.entity as usize];
            if lists.is_some_and(|l| !l.iter().any(|k| k == ent.list())) {
                continue;
            }
            for (vi, var) in prepared.variants.iter().enumerate() {
                if var.native != rec.native {
                    continue;
                }
                let a = align::align(idx, cfg, &mut cache, var, vi, name);
                let s = a.score * cfg.names.kind_factor(rec.kind);
                match best.get(&rec.entity) {
                    Some((b, _)) if *b >= s => {}
                    _ => {
                        best.insert(rec.entity, (s, a));
                    }
                }
            }
        }
        // found by identifier alone (no query name, or none comparable): name score 0, the
        // identifier evidence decides
        for e in by_identifier {
            let ent = &idx.entities[e as usize];
            if lists.is_some_and(|l| !l.iter().any(|k| k == ent.list())) {
                continue;
            }
            best.entry(e)
                .or_insert_with(|| (0.0, Alignment::identifier_only(ent.first_name)));
        }
        let min_score = opts.min_score.unwrap_or(cfg.min_score);
        let threshold = opts.threshold.unwrap_or(cfg.threshold);
        let mut scored: Vec<(u32, f32, Vec<Adjustment>, Alignment)> = best
            .into_iter()
            .filter_map(|(e, (s, a))| {
                let mut adj = Vec::new();
                let kind = idx.names[a.name as usize].kind;
                if s < a.score {
                    adj.push(Adjustment::factor(
                        "names.weak_alias_factor",
                        "the listed name is a weak alias, rated low quality by the publisher"
                            .to_string(),
                        cfg.names.kind_factor(kind),
                        s,
                    ));
                }
                let (score, more) = evidence::apply(cfg, idx, q, &idx.entities[e as usize], s)?;
                adj.extend(more);
                (score >= min_score).then_some((e, score, adj, a))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.1.total_cmp(&a.1).then_with(|| {
                idx.entities[a.0 as usize]
                    .id
                    .cmp(&idx.entities[b.0 as usize].id)
            })
        });
        scored.truncate(opts.limit);
        scored
            .into_iter()
            .map(|(e, score, adjustments, a)| {
                let ent = &idx.entities[e as usize];
                let explanation = self.explain(q, &prepared, &a, adjustments);
                Match {
                    entity_id: ent.id.clone(),
                    list: ent.list().to_string(),
                    list_id: ent.list_id().to_string(),
                    caption: ent.caption.clone(),
                    schema: ent.schema,
                    score,
                    is_match: score >= threshold,
                    name: idx.names[a.name as usize].value.clone(),
                    explanation,
                }
            })
            .collect()
    }

    fn explain(
        &self,
        q: &Query,
        prepared: &Prepared,
        a: &Alignment,
        adjustments: Vec<Adjustment>,
    ) -> Explanation {
        let idx = &self.index;
        let rec = &idx.names[a.name as usize];
        let identifier = evidence::listed_identifier(idx, q, &idx.entities[rec.entity as usize]);
        if a.variant == align::IDENTIFIER_ONLY {
            return Explanation {
                query_name: identifier.clone().unwrap_or_default(),
                matched_name: rec.value.clone(),
                matched_name_kind: rec.kind,
                native_script: rec.native,
                name_source: rec.note.clone(),
                name_score: 0.0,
                query_coverage: 0.0,
                candidate_coverage: 0.0,
                tokens: Vec::new(),
                unmatched_query: Vec::new(),
                unmatched_candidate: Vec::new(),
                identifier,
                identifier_only: true,
                joined: false,
                fuzzy_penalty: None,
                adjustments,
            };
        }
        let var = &prepared.variants[a.variant];
        let (ctoks, _) = idx.name_tokens(a.name);
        let ctext = |i: usize| idx.vocab.keys[ctoks[i] as usize].text.clone();
        if let Some((qj, cj, s)) = &a.joined {
            return Explanation {
                query_name: q.names.get(var.name).cloned().unwrap_or_default(),
                matched_name: rec.value.clone(),
                matched_name_kind: rec.kind,
                native_script: rec.native,
                name_source: rec.note.clone(),
                name_score: a.score,
                query_coverage: a.query_coverage,
                candidate_coverage: a.candidate_coverage,
                tokens: vec![TokenMatch {
                    query: qj.clone(),
                    candidate: cj.clone(),
                    similarity: s.sim,
                    reason: s.reason,
                    why: s.reason.describe().to_string(),
                    weight: 1.0,
                }],
                unmatched_query: Vec::new(),
                unmatched_candidate: Vec::new(),
                identifier,
                identifier_only: false,
                joined: true,
                fuzzy_penalty: None,
                adjustments,
            };
        }
        // words in query order
        let mut pairs = a.pairs.clone();
        pairs.sort_by_key(|p| p.q);
        let tokens: Vec<TokenMatch> = pairs
            .iter()
            .map(|p| TokenMatch {
                query: var.tokens[p.q].keys.text.clone(),
                candidate: ctext(p.c),
                similarity: p.sim.sim,
                reason: p.sim.reason,
                why: p.sim.reason.describe().to_string(),
                weight: a.c_weights[p.c],
            })
            .collect();
        let unmatched_query = (0..var.tokens.len())
            .filter(|i| !a.pairs.iter().any(|p| p.q == *i))
            .map(|i| var.tokens[i].keys.text.clone())
            .collect();
        let unmatched_candidate = (0..ctoks.len())
            .filter(|i| !a.pairs.iter().any(|p| p.c == *i))
            .map(ctext)
            .collect();
        Explanation {
            query_name: q.names.get(var.name).cloned().unwrap_or_default(),
            matched_name: rec.value.clone(),
            matched_name_kind: rec.kind,
            native_script: rec.native,
            name_source: rec.note.clone(),
            name_score: a.score,
            query_coverage: a.query_coverage,
            candidate_coverage: a.candidate_coverage,
            tokens,
            unmatched_query,
            unmatched_candidate,
            identifier,
            identifier_only: false,
            joined: false,
            fuzzy_penalty: a.all_fuzzy.then_some(self.config.names.all_fuzzy_factor),
            adjustments,
        }
    }
}
