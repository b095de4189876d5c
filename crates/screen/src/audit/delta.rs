//! Snapshot differences and delta rescreening.
//!
//! [`diff`] compares two snapshots list by list: a list whose version is the same in both is
//! unchanged; otherwise each entity's JSON record is compared by id, giving the ids added,
//! removed and changed, and for a change the top-level fields that differ.
//!
//! [`rescreen`] screens the monitored records against only what was added or changed:
//! 1. a small matcher [`Index`] is built over just the added and changed entities, and every
//!    monitored record is searched in it with the ordinary [`Matcher`] and config, at the
//!    config's `min_score` (well below the alert threshold). This is the cheap pass: the index
//!    holds hundreds of entities, not tens of thousands.
//! 2. Each record that found something there (a candidate) is screened again with the full
//!    engine on the new snapshot — the screening any other path would do — and recorded, with
//!    alerts opened only for the added and changed entities. Scores and explanations in the
//!    audit trail are therefore exactly those of a full screening against the snapshot they
//!    name; the small index only chooses which records to screen (its token rarities come from
//!    a few hundred entities, so its scores are not the recorded ones).
//!
//! Removed and changed entities are noted on their open alerts. The run is written and the
//! monitoring cursor moved in one transaction at the end (see [`store::monitor`]).

use engine::Engine;
use matcher::{Index, Matcher, SearchOptions, MATCHER_VERSION};
use model::Entity;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use sources::snapshot::Snapshot;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;
use store::{
    entity_hash, EntityNote, MonitoredRecord, NewScreening, Recorded, RescreenRun, Result, Store,
    StoreError,
};

/// An entity whose record changed, and which top-level fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The entity's id, `list:list_id`.
    pub id: String,
    /// The top-level keys of the entity's JSON record whose values differ (`names`,
    /// `addresses`, `programs`, …), sorted; a key present on one side only counts.
    pub fields: Vec<String>,
}

/// The difference in one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListDiff {
    /// The list key (`un_sc`, `us_ofac_sdn`, …).
    pub list: String,
    /// The list's version in the old snapshot (none: the list is new).
    pub old_version: Option<String>,
    /// The list's version in the new snapshot (none: the list was dropped).
    pub new_version: Option<String>,
    /// Ids (`list:list_id`) of the entities only the new version has, sorted.
    pub added: Vec<String>,
    /// Ids of the entities only the old version has, sorted (all of them when the list was
    /// dropped).
    pub removed: Vec<String>,
    /// Entities in both versions whose records differ, sorted by id.
    pub changed: Vec<Changed>,
}

/// The difference between two snapshots: one entry per list whose version differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotDiff {
    /// The old snapshot's version.
    pub old: String,
    /// The new snapshot's version.
    pub new: String,
    /// One entry per list whose version differs (lists added or dropped included), by list
    /// key.
    pub lists: Vec<ListDiff>,
}

impl SnapshotDiff {
    /// Entities added, over all lists.
    pub fn added(&self) -> usize {
        self.lists.iter().map(|l| l.added.len()).sum()
    }
    /// Entities removed, over all lists.
    pub fn removed(&self) -> usize {
        self.lists.iter().map(|l| l.removed.len()).sum()
    }
    /// Entities changed, over all lists.
    pub fn changed(&self) -> usize {
        self.lists.iter().map(|l| l.changed.len()).sum()
    }
}

/// A diff and the added and changed entities as they are in the new snapshot.
pub struct Delta {
    /// The difference, list by list.
    pub diff: SnapshotDiff,
    /// The added and changed entities as the new snapshot has them, in its order.
    pub entities: Vec<Entity>,
}

impl Delta {
    /// Ids of the added and changed entities.
    pub fn ids(&self) -> BTreeSet<String> {
        self.entities.iter().map(|e| e.id.to_string()).collect()
    }
}

/// The entities of one list as id → JSON record.
fn records(s: &Snapshot, list: &str) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for e in s.entities_of(list).map_err(StoreError::lists)? {
        let e = e.map_err(StoreError::lists)?;
        out.insert(
            e.id.to_string(),
            serde_json::to_string(&e).expect("entities serialise"),
        );
    }
    Ok(out)
}

/// The top-level fields in which two JSON records differ.
fn changed_fields(old: &str, new: &str) -> Vec<String> {
    let parse = |s: &str| -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(s).unwrap_or_default()
    };
    let (a, b) = (parse(old), parse(new));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// Compares two snapshots (see the module documentation).
pub fn diff(old: &Snapshot, new: &Snapshot) -> Result<SnapshotDiff> {
    Ok(compute(old, new)?.diff)
}

/// Compares two snapshots and keeps the added and changed entities.
pub fn compute(old: &Snapshot, new: &Snapshot) -> Result<Delta> {
    let (om, nm) = (&old.manifest.lists, &new.manifest.lists);
    let lists: BTreeSet<&String> = om.keys().chain(nm.keys()).collect();
    let mut out = Vec::new();
    let mut entities = Vec::new();
    for list in lists {
        let (ov, nv) = (
            om.get(list).map(|m| m.version.clone()),
            nm.get(list).map(|m| m.version.clone()),
        );
        if ov == nv {
            continue;
        }
        let mut before = match ov {
            Some(_) => records(old, list)?,
            None => HashMap::new(),
        };
        let mut d = ListDiff {
            list: list.clone(),
            old_version: ov,
            new_version: nv.clone(),
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        if nv.is_some() {
            for e in new.entities_of(list).map_err(StoreError::lists)? {
                let e = e.map_err(StoreError::lists)?;
                let id = e.id.to_string();
                let json = serde_json::to_string(&e).expect("entities serialise");
                match before.remove(&id) {
                    None => d.added.push(id),
                    Some(prev) if prev != json => d.changed.push(Changed {
                        fields: changed_fields(&prev, &json),
                        id,
                    }),
                    Some(_) => continue,
                }
                entities.push(e);
            }
        }
        d.removed = before.into_keys().collect();
        d.added.sort();
        d.removed.sort();
        d.changed.sort_by(|a, b| a.id.cmp(&b.id));
        out.push(d);
    }
    Ok(Delta {
        diff: SnapshotDiff {
            old: old.manifest.version.clone(),
            new: new.manifest.version.clone(),
            lists: out,
        },
        entities,
    })
}

/// How to screen monitored records.
#[derive(Debug, Clone)]
pub struct ScreenOptions {
    /// Most results per record.
    pub limit: usize,
    /// Alert threshold (default: the matcher config's).
    pub threshold: Option<f32>,
    /// Who screens: recorded on every screening record and on the run (default: the
    /// operating-system user, [`store::os_user`]).
    pub actor: String,
    /// Records per recording transaction.
    pub chunk: usize,
    /// Screen but record nothing (timings only).
    pub dry_run: bool,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            limit: 10,
            threshold: None,
            actor: store::os_user(),
            chunk: 1000,
            dry_run: false,
        }
    }
}

/// Counts from screening a set of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScreenCounts {
    /// Records screened (with `dry_run`, the only count that moves).
    pub screened: u64,
    /// Screening records written.
    pub recorded: u64,
    /// Screenings whose idempotency key was already recorded (a repeated or resumed run):
    /// nothing new was written for them.
    pub duplicates: u64,
    /// Alerts the recorded screenings opened.
    pub alerts_opened: u64,
    /// Open alerts of the same record and entity that the screenings hit again.
    pub alerts_hit: u64,
    /// Results at or above the threshold that opened no alert because a false-positive
    /// decision whitelisted the pair.
    pub whitelisted: u64,
}

impl ScreenCounts {
    fn add(&mut self, r: &Recorded) {
        self.recorded += u64::from(!r.duplicate);
        self.duplicates += u64::from(r.duplicate);
        if !r.duplicate {
            self.alerts_opened += r.alerts_opened.len() as u64;
            self.alerts_hit += r.alerts_hit.len() as u64;
            self.whitelisted += r.whitelisted.len() as u64;
        }
    }
}

/// The idempotency key of a monitored record's screening against a snapshot: a repeated or
/// resumed run finds the screening already recorded.
pub fn monitor_key(rec: &MonitoredRecord, snapshot: &str, threshold: f32, limit: usize) -> String {
    let text = format!(
        "{}\n{}\n{snapshot}\n{MATCHER_VERSION}\n{}\n{limit}",
        rec.key,
        rec.record_hash,
        store::chain::real_text(threshold as f64)
    );
    format!("monitor:{}", store::sha256_hex(text.as_bytes()))
}

/// What every screening of one [`screen_records`] call shares.
struct Batch<'a> {
    engine: &'a Engine,
    opts: &'a ScreenOptions,
    threshold: f32,
    source: &'a str,
    scope: Option<&'a BTreeSet<String>>,
    hashes: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

impl Batch<'_> {
    /// Screens one monitored record and builds its screening record.
    fn screen(&self, rec: &MonitoredRecord, search: &SearchOptions) -> NewScreening {
        let results = self.engine.search(&rec.query, search);
        let snapshot = self.engine.snapshot.manifest.version.clone();
        let entity_hashes = results
            .iter()
            .filter(|m| m.score >= self.threshold)
            .filter_map(|m| Some((m.entity_id.clone(), (self.hashes)(&m.entity_id)?)))
            .collect();
        NewScreening {
            idempotency_key: Some(monitor_key(rec, &snapshot, self.threshold, self.opts.limit)),
            actor: self.opts.actor.clone(),
            source: self.source.to_string(),
            identity: Some(rec.key.clone()),
            query: rec.query.clone(),
            context: Some(json!({ "monitored": { "key": rec.key, "kind": rec.kind } })),
            snapshot,
            matcher_version: MATCHER_VERSION.to_string(),
            threshold: self.threshold,
            options: json!({ "limit": self.opts.limit }),
            results,
            entity_hashes,
            alert_scope: self.scope.cloned(),
            monitored: Some(rec.key.clone()),
        }
    }
}

/// The [`entity_hash`] of an entity in the engine's snapshot.
pub fn snapshot_entity_hash(engine: &Engine, id: &str) -> Option<String> {
    let id: model::EntityId = id.parse().ok()?;
    engine.entity(&id).ok().flatten().map(|e| entity_hash(&e))
}

/// Screens records with the full engine and records them (`monitor add`, and step 2 of a
/// rescreen). Alerts open only for entities in `scope` when it is given.
pub fn screen_records(
    store: &dyn Store,
    engine: &Engine,
    records: &[MonitoredRecord],
    opts: &ScreenOptions,
    source: &str,
    scope: Option<&BTreeSet<String>>,
    hashes: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<ScreenCounts> {
    let threshold = opts
        .threshold
        .unwrap_or(engine.matcher().config().threshold);
    let search = SearchOptions {
        limit: opts.limit,
        threshold: Some(threshold),
        min_score: None,
        lists: None,
    };
    let ctx = Batch {
        engine,
        opts,
        threshold,
        source,
        scope,
        hashes,
    };
    let mut counts = ScreenCounts::default();
    let mut chunks = records.chunks(opts.chunk.max(1));
    let mut produce = || {
        let batch: Vec<NewScreening> = chunks
            .next()?
            .par_iter()
            .map(|rec| ctx.screen(rec, &search))
            .collect();
        counts.screened += batch.len() as u64;
        Some(batch)
    };
    if opts.dry_run {
        while produce().is_some() {}
        return Ok(counts);
    }
    let recorded = store::record::record_pipelined(store, &mut produce)?;
    for r in recorded.iter().flatten() {
        counts.add(r);
    }
    Ok(counts)
}

/// Monitored records read per page.
const PAGE: usize = 50_000;

/// Rescreens the monitored records after a change from `from` to the engine's snapshot (see
/// the module documentation), writes the run and moves the cursor (unless `dry_run`).
pub fn rescreen(
    store: &dyn Store,
    engine: &Engine,
    from: &Snapshot,
    opts: &ScreenOptions,
) -> Result<RescreenRun> {
    let started_at = store::now();
    let t0 = Instant::now();
    let delta = compute(from, &engine.snapshot)?;
    let diff_ms = t0.elapsed().as_millis();
    let to = engine.snapshot.manifest.version.clone();

    let notes = entity_notes(&delta.diff);
    let noted = if opts.dry_run {
        0
    } else {
        store.note_entities(&notes, &opts.actor)?
    };

    let t1 = Instant::now();
    let scope = delta.ids();
    let hashes: HashMap<String, String> = delta
        .entities
        .iter()
        .map(|e| (e.id.to_string(), entity_hash(e)))
        .collect();
    let small = Matcher::new(
        Index::build(delta.entities.clone(), &format!("delta:{to}")),
        engine.matcher().config().clone(),
    );
    let index_ms = t1.elapsed().as_millis();

    let prefilter = SearchOptions {
        limit: 1,
        threshold: None,
        min_score: None,
        lists: None,
    };
    let (mut records, mut candidates) = (0u64, Vec::new());
    let (mut scan_ms, mut after) = (0u128, 0i64);
    let t2 = Instant::now();
    if !scope.is_empty() {
        loop {
            let page = store.monitored(after, PAGE, false)?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            records += page.len() as u64;
            let t = Instant::now();
            candidates.extend(
                page.into_par_iter()
                    .filter(|(_, r)| !small.search(&r.query, &prefilter).is_empty())
                    .map(|(_, r)| r)
                    .collect::<Vec<_>>(),
            );
            scan_ms += t.elapsed().as_millis();
        }
    } else {
        records = store.monitored_count()?;
    }
    let load_ms = t2.elapsed().as_millis() - scan_ms;

    let t3 = Instant::now();
    let hash_of = |id: &str| hashes.get(id).cloned();
    let counts = screen_records(
        store,
        engine,
        &candidates,
        opts,
        "rescreen",
        Some(&scope),
        &hash_of,
    )?;
    let verify_ms = t3.elapsed().as_millis();

    let summary = json!({
        "added": delta.diff.added(),
        "removed": delta.diff.removed(),
        "changed": delta.diff.changed(),
        "lists": delta.diff.lists.iter().map(|l| json!({
            "list": l.list, "added": l.added.len(), "removed": l.removed.len(), "changed": l.changed.len()
        })).collect::<Vec<_>>(),
        "notes": noted,
        "counts": counts,
        "dry_run": opts.dry_run,
        "ms": { "diff": diff_ms, "index": index_ms, "load": load_ms, "scan": scan_ms,
                "screen_and_record": verify_ms, "total": t0.elapsed().as_millis() },
    });
    let mut run = RescreenRun {
        id: 0,
        from_snapshot: Some(from.manifest.version.clone()),
        to_snapshot: to,
        started_at,
        finished_at: store::now(),
        actor: opts.actor.clone(),
        records,
        candidates: candidates.len() as u64,
        screened: counts.screened,
        alerts_opened: counts.alerts_opened,
        summary,
    };
    if !opts.dry_run {
        run.id = store.finish_rescreen(&run)?;
    }
    Ok(run)
}

/// Notes for the open alerts of removed and changed entities.
pub fn entity_notes(d: &SnapshotDiff) -> Vec<EntityNote> {
    let mut out = Vec::new();
    for l in &d.lists {
        out.extend(l.removed.iter().map(|id| EntityNote {
            entity_id: id.clone(),
            kind: "entity_removed".into(),
            snapshot: d.new.clone(),
            fields: Vec::new(),
        }));
        out.extend(l.changed.iter().map(|c| EntityNote {
            entity_id: c.id.clone(),
            kind: "entity_changed".into(),
            snapshot: d.new.clone(),
            fields: c.fields.clone(),
        }));
    }
    out
}

/// Per-list counts of a diff, for summaries.
pub fn counts_by_list(d: &SnapshotDiff) -> BTreeMap<String, (usize, usize, usize)> {
    d.lists
        .iter()
        .map(|l| {
            (
                l.list.clone(),
                (l.added.len(), l.removed.len(), l.changed.len()),
            )
        })
        .collect()
}
