//! Rosters and counterparties: screen a file of people or companies (`watchlist batch`).
//!
//! Input ([`input`]): CSV with a header row, or JSON lines; read as a stream (bounded memory).
//! Columns are found by name (`name`/`full_name`, `dob`/`birth_date`, `nationality`,
//! `passport`, `employer`, `address`, `country` (work country), `employer_address`, `id`,
//! `type`) or by an explicit mapping (`name=Full Name,dob=Birth Date`). A row with a missing
//! name, the wrong number of fields, bad JSON or invalid UTF-8 is reported with its row and
//! line number and counted; the batch goes on.
//!
//! Per row ([`RosterScreener::screen_row`]):
//! - **list hits**: the name with [`Matcher::search`], with the birth date, nationality and
//!   passport number as evidence (exactly `watchlist screen NAME --dob … --country … --id …`);
//! - **employer hits**: the employer screened as an organisation;
//! - **rule hits**: the rules of `data/rules/roster.toml` (data, see [`rules`]): DPRK nationals
//!   working abroad (UNSCR 2397 OP8), addresses in sanctioned regions, employers linked to
//!   listed parties through the lists' relations ([`relations`]).
//!
//! Rows are screened on all cores in chunks; results come back in row order. Employer and
//! address results are cached (rosters repeat them).
//!
//! [`Matcher::search`]: matcher::Matcher::search

pub mod input;
pub mod relations;
pub mod rules;

use crate::regions::Regions;
use matcher::{Matcher, Query, SearchOptions};
use model::{QueryInput, Schema};
use relations::RelationIndex;
use rules::{Rule, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// One row of a roster, after column mapping. Values are trimmed; an empty cell is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based data row number (the header is not a row).
    pub row: u64,
    /// Line in the file where the row starts.
    pub line: u64,
    /// The row's id column (`id`, `employee id`, `reference`…): shown with its hits, and the
    /// input identity when the row is recorded.
    pub id: Option<String>,
    /// The name to screen (never empty in the rows the readers return).
    pub name: String,
    /// Birth date as written; read leniently, an untidy one is a warning.
    pub dob: Option<String>,
    /// Nationality as written: an ISO code or a country name.
    pub nationality: Option<String>,
    /// Passport or other document number, screened as an identifier.
    pub passport: Option<String>,
    /// The employer's name: screened as an organisation and against the parties the lists'
    /// relations name.
    pub employer: Option<String>,
    /// The person's address or work location, free text (its last comma-separated part may
    /// name the country).
    pub address: Option<String>,
    /// The country the person works in (code or name); when absent, the work country is read
    /// from `employer_address`, then `address`.
    pub country: Option<String>,
    /// The employer's address, free text.
    pub employer_address: Option<String>,
    /// `person` (default) or `company`.
    pub kind: Option<String>,
}

/// A row that could not be screened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based data row number (the header and blank lines are not rows).
    pub row: u64,
    /// Line in the file where the row starts.
    pub line: u64,
    /// What is wrong, in words (`no name`, `3 fields, expected 5 as in the header`).
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} (line {}): {}", self.row, self.line, self.reason)
    }
}

/// One hit: a row of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowHit {
    /// The row's number ([`Row::row`]).
    pub row: u64,
    /// Line in the file where the row starts.
    pub line: u64,
    /// The row's id column.
    pub id: Option<String>,
    /// The row's name (on employer and rule hits too).
    pub name: String,
    /// `list` (the name), `employer` (the employer's name), `rule`.
    pub kind: String,
    /// The roster field the hit is on: `name`, `employer`, `address`, `nationality`…
    pub field: String,
    /// `list:list_id` for list hits, the rule id for rule hits.
    #[serde(rename = "match")]
    pub matched: String,
    /// The score (0-1) of a list or employer hit; none for rule hits.
    pub score: Option<f32>,
    /// The entity's caption or the rule's title.
    pub caption: String,
    /// `hit` or `review` (an employer named in a listed entity's relations, a review rule, a
    /// region reference for review).
    pub severity: String,
    /// Why, in words: the explanation in brief for a list or employer match, the relation for
    /// an employer named in a listed entity's relations, the region references or the rule's
    /// source for a rule hit.
    pub detail: String,
}

impl RowHit {
    /// The CSV columns of a hit (`watchlist batch` and the server's batch hits).
    pub const CSV_HEADER: [&'static str; 11] = [
        "row", "line", "id", "name", "kind", "field", "match", "score", "caption", "severity",
        "detail",
    ];

    /// The hit's cells in [`RowHit::CSV_HEADER`] order (the score to three decimals).
    pub fn csv_cells(&self) -> [String; 11] {
        [
            self.row.to_string(),
            self.line.to_string(),
            self.id.clone().unwrap_or_default(),
            self.name.clone(),
            self.kind.clone(),
            self.field.clone(),
            self.matched.clone(),
            self.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
            self.caption.clone(),
            self.severity.clone(),
            self.detail.clone(),
        ]
    }
}

/// One row screened, with what an audit trail keeps of it.
#[derive(Debug, Clone)]
pub struct RowScreened {
    /// The query the name was screened with ([`RosterScreener::row_query`]).
    pub query: Query,
    /// The matcher's matches for the name, at or above the threshold, with explanations.
    pub matches: Vec<matcher::Match>,
    /// Every hit of the row (list, employer and rule hits).
    pub hits: Vec<RowHit>,
    /// Values of the row that could not be used (an untidy birth date or nationality), each
    /// naming its field; the row was screened on the rest.
    pub warnings: Vec<String>,
}

/// Options of a batch.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Alert threshold (default: the matcher config's).
    pub threshold: Option<f32>,
    /// Only these lists (list keys); default every list.
    pub lists: Option<Vec<String>>,
}

/// Screens roster rows.
pub struct RosterScreener<'m> {
    matcher: &'m Matcher,
    rules: Vec<Rule>,
    relations: RelationIndex,
    regions: &'static Regions,
    opts: SearchOptions,
    employer_cache: Mutex<FxHashMap<String, Vec<RowHit>>>,
    address_cache: Mutex<FxHashMap<String, Vec<crate::regions::RegionHit>>>,
}

const CACHE_MAX: usize = 200_000;

impl<'m> RosterScreener<'m> {
    /// A screener with the shipped rules and the relations of the given entities.
    pub fn new(matcher: &'m Matcher, relations: RelationIndex, opts: BatchOptions) -> Self {
        RosterScreener {
            matcher,
            rules: rules::shipped().to_vec(),
            relations,
            regions: Regions::shipped(),
            opts: SearchOptions {
                limit: 5,
                threshold: opts.threshold,
                min_score: None,
                lists: opts.lists,
            },
            employer_cache: Mutex::default(),
            address_cache: Mutex::default(),
        }
    }

    /// The roster rules applied to every row (`data/rules/roster.toml`).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn hit(row: &Row, kind: &str, field: &str) -> RowHit {
        RowHit {
            row: row.row,
            line: row.line,
            id: row.id.clone(),
            name: row.name.clone(),
            kind: kind.into(),
            field: field.into(),
            matched: String::new(),
            score: None,
            caption: String::new(),
            severity: "hit".into(),
            detail: String::new(),
        }
    }

    /// Screens one row: list hits, employer hits, rule hits.
    pub fn screen_row(&self, row: &Row) -> Vec<RowHit> {
        self.screen_row_full(row).hits
    }

    /// The query a row's name is screened with, as given: the name, as a person or (for a
    /// row of kind `company`, `organization`, `entity`) an organisation, with the birth date,
    /// the nationality and the passport number as evidence. [`QueryInput::read`] turns it into
    /// the matcher's query; an untidy date or nationality is a warning, never a skipped row.
    pub fn row_input(row: &Row) -> QueryInput {
        let company = row.kind.as_deref().is_some_and(|k| {
            matches!(
                k.to_ascii_lowercase().as_str(),
                "company" | "organization" | "organisation" | "entity"
            )
        });
        QueryInput {
            names: vec![row.name.clone()],
            schema: Some(if company { "Organization" } else { "Person" }.to_string()),
            birth_dates: row.dob.iter().cloned().collect(),
            countries: row.nationality.iter().cloned().collect(),
            identifiers: row.passport.iter().cloned().collect(),
            ..Default::default()
        }
    }

    /// The matcher's query for a row and the warnings of reading it (a row whose name is
    /// empty is screened on its passport; with neither, the query is empty and finds
    /// nothing).
    pub fn row_query_read(row: &Row) -> (Query, Vec<String>) {
        match Self::row_input(row).read() {
            Ok(r) => (r.query, r.warnings),
            Err(e) => (Query::default(), vec![e.to_string()]),
        }
    }

    /// The matcher's query for a row ([`RosterScreener::row_query_read`] without warnings).
    pub fn row_query(row: &Row) -> Query {
        Self::row_query_read(row).0
    }

    /// Screens one row and keeps, beside the hits, the name query and the matcher's matches
    /// for it (with their explanations), as an audit trail records them.
    pub fn screen_row_full(&self, row: &Row) -> RowScreened {
        let mut out = Vec::new();
        let nationality = row.nationality.as_deref().and_then(country_code);
        let (q, warnings) = Self::row_query_read(row);
        let matches: Vec<matcher::Match> = self
            .matcher
            .search(&q, &self.opts)
            .into_iter()
            .filter(|m| m.is_match)
            .collect();
        for m in &matches {
            let mut h = Self::hit(row, "list", "name");
            h.detail = explain(m);
            h.matched = m.entity_id.clone();
            h.score = Some(m.score);
            h.caption = m.caption.clone();
            out.push(h);
        }
        let mut linked = false;
        if let Some(emp) = row.employer.as_deref().filter(|e| !e.trim().is_empty()) {
            let hits = self.employer(emp);
            linked = !hits.is_empty();
            for mut h in hits {
                h.row = row.row;
                h.line = row.line;
                h.id = row.id.clone();
                h.name = row.name.clone();
                out.push(h);
            }
        }
        // addresses through the region rules
        let mut region_hits = Vec::new();
        for (field, a) in [
            ("address", &row.address),
            ("employer_address", &row.employer_address),
        ] {
            if let Some(a) = a.as_deref().filter(|a| !a.trim().is_empty()) {
                for r in self.address(a) {
                    region_hits.push((field, r));
                }
            }
        }
        let work_country = self.work_country(row);
        for rule in &self.rules {
            let w = &rule.when;
            if !w.nationality.is_empty()
                && !nationality.is_some_and(|n| w.nationality.iter().any(|x| x == n))
            {
                continue;
            }
            if !w.work_country_not.is_empty()
                && work_country
                    .as_deref()
                    .is_none_or(|c| w.work_country_not.iter().any(|x| x == c))
            {
                continue;
            }
            if w.employer_linked && !linked {
                continue;
            }
            if w.address_region {
                // one hit per address field: the strongest reference, the others in the detail
                for field in ["address", "employer_address"] {
                    let mut refs: Vec<&crate::regions::RegionHit> = region_hits
                        .iter()
                        .filter(|(f, _)| *f == field)
                        .map(|(_, r)| r)
                        .collect();
                    if refs.is_empty() {
                        continue;
                    }
                    refs.sort_by_key(|r| std::cmp::Reverse(r.severity));
                    let mut h = Self::hit(row, "rule", field);
                    h.matched = rule.id.clone();
                    h.caption = rule.title.clone();
                    h.severity = if rule.severity == Severity::Review
                        || refs[0].severity == crate::regions::Severity::Review
                    {
                        "review".into()
                    } else {
                        "hit".into()
                    };
                    h.detail = refs
                        .iter()
                        .map(|r| format!("{} ({}): {}", r.rule, r.matched, r.why))
                        .collect::<Vec<_>>()
                        .join("; ");
                    out.push(h);
                }
                continue;
            }
            let mut h = Self::hit(
                row,
                "rule",
                if w.employer_linked {
                    "employer"
                } else {
                    "nationality"
                },
            );
            h.matched = rule.id.clone();
            h.caption = rule.title.clone();
            h.severity = if rule.severity == Severity::Review {
                "review".into()
            } else {
                "hit".into()
            };
            h.detail = if w.employer_linked {
                format!("employer {:?} matches a listed party or a party named in a listed entity's relations", row.employer.as_deref().unwrap_or(""))
            } else {
                format!(
                    "nationality {} working in {}; {}",
                    nationality.unwrap_or("?"),
                    work_country.as_deref().unwrap_or("?"),
                    rule.source
                )
            };
            out.push(h);
        }
        RowScreened {
            query: q,
            matches,
            hits: out,
            warnings,
        }
    }

    /// The country the person works in: `country`, else the employer's address, else the
    /// address (the last comma-separated part naming a country).
    fn work_country(&self, row: &Row) -> Option<String> {
        if let Some(c) = row.country.as_deref().and_then(country_code) {
            return Some(c.to_string());
        }
        [&row.employer_address, &row.address]
            .into_iter()
            .flatten()
            .find_map(|a| {
                a.rsplit([',', '\n'])
                    .map(str::trim)
                    .find(|p| !p.is_empty())
                    .and_then(country_code)
                    .map(str::to_string)
            })
    }

    fn employer(&self, emp: &str) -> Vec<RowHit> {
        let key = emp.trim().to_lowercase();
        if let Some(h) = self
            .employer_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return h.clone();
        }
        let mut out = Vec::new();
        let blank = Row::default();
        let q = Query {
            names: vec![emp.to_string()],
            schema: Some(Schema::Organization),
            ..Default::default()
        };
        for m in self
            .matcher
            .search(&q, &self.opts)
            .into_iter()
            .filter(|m| m.is_match)
        {
            let mut h = Self::hit(&blank, "employer", "employer");
            h.detail = explain(&m);
            h.matched = m.entity_id;
            h.score = Some(m.score);
            h.caption = m.caption;
            out.push(h);
        }
        for link in self.relations.find(emp, &self.opts) {
            let mut h = Self::hit(&blank, "employer", "employer");
            h.matched = link.listed_id.clone();
            h.score = Some(link.score);
            h.caption = link.listed_caption.clone();
            h.severity = "review".into();
            h.detail = format!(
                "employer matches {:?}, named in the list as {} of {} ({})",
                link.related_name,
                link.kind.replace('_', " "),
                link.listed_caption,
                link.listed_id
            );
            out.push(h);
        }
        let mut c = self
            .employer_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if c.len() > CACHE_MAX {
            c.clear();
        }
        c.insert(key, out.clone());
        out
    }

    fn address(&self, a: &str) -> Vec<crate::regions::RegionHit> {
        if let Some(h) = self
            .address_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(a)
        {
            return h.clone();
        }
        let country = a
            .rsplit([',', '\n'])
            .map(str::trim)
            .find(|p| !p.is_empty())
            .and_then(country_code);
        let hits = self.regions.screen_address(&[("address", a)], country);
        let mut c = self.address_cache.lock().unwrap_or_else(|e| e.into_inner());
        if c.len() > CACHE_MAX {
            c.clear();
        }
        c.insert(a.to_string(), hits.clone());
        hits
    }
}

/// ISO code of a country given as a code or a name.
fn country_code(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    model::country::code(t)
}

/// A one-line reason for a match: the token pairs and the evidence.
fn explain(m: &matcher::Match) -> String {
    m.explanation.brief()
}

#[cfg(test)]
mod tests;

/// Counts of a batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStats {
    /// Rows read (screened and bad).
    pub rows: u64,
    /// Rows screened.
    pub screened: u64,
    /// Bad rows (reported and skipped).
    pub errors: u64,
    /// Screened rows with at least one hit.
    pub rows_with_hits: u64,
    /// Hits over all rows.
    pub hits: u64,
    /// Rows screened with warnings: a value (a birth date, a nationality) that could not be
    /// used was left out and the row screened on the rest ([`RowScreened::warnings`]).
    #[serde(default)]
    pub warned: u64,
}

/// Rows screened per parallel chunk.
pub const CHUNK: usize = 4096;

/// Screens every row of `rows` on all cores, a chunk at a time (memory bounded by the chunk),
/// calling `on_hits` with each row's hits in row order, `on_error` for each bad row and
/// `on_progress` with the rows and bytes read after each chunk.
pub fn run_batch(
    screener: &RosterScreener,
    rows: &mut dyn input::Rows,
    on_hits: &mut dyn FnMut(&[RowHit]) -> std::io::Result<()>,
    on_error: &mut dyn FnMut(&RowError),
    on_progress: &mut dyn FnMut(u64, u64),
) -> std::io::Result<BatchStats> {
    run_batch_full(
        screener,
        rows,
        &mut |_, r| {
            if r.hits.is_empty() {
                Ok(())
            } else {
                on_hits(&r.hits)
            }
        },
        on_error,
        on_progress,
    )
}

/// [`run_batch`] calling `on_row` with every screened row (hits or not) and its full result
/// ([`RosterScreener::screen_row_full`]), in row order.
pub fn run_batch_full(
    screener: &RosterScreener,
    rows: &mut dyn input::Rows,
    on_row: &mut dyn FnMut(&Row, RowScreened) -> std::io::Result<()>,
    on_error: &mut dyn FnMut(&RowError),
    on_progress: &mut dyn FnMut(u64, u64),
) -> std::io::Result<BatchStats> {
    run_batch_with(screener, rows, |_, r| r, on_row, on_error, on_progress)
}

/// [`run_batch_full`] with a step of the caller's run on the screening threads: `map` turns
/// each row's result into the caller's `T` (e.g. the row's screening record, serialised and
/// hashed) in parallel, and `on_row` gets the `T`s in row order. The hits are counted before
/// `map` sees the result.
pub fn run_batch_with<T: Send>(
    screener: &RosterScreener,
    rows: &mut dyn input::Rows,
    map: impl Fn(&Row, RowScreened) -> T + Sync,
    mut on_row: impl FnMut(&Row, T) -> std::io::Result<()>,
    on_error: &mut dyn FnMut(&RowError),
    on_progress: &mut dyn FnMut(u64, u64),
) -> std::io::Result<BatchStats> {
    use rayon::prelude::*;
    let mut stats = BatchStats::default();
    let mut chunk: Vec<Row> = Vec::with_capacity(CHUNK);
    let mut done = false;
    while !done {
        chunk.clear();
        while chunk.len() < CHUNK {
            match rows.next_row() {
                None => {
                    done = true;
                    break;
                }
                Some(Ok(r)) => chunk.push(r),
                Some(Err(e)) => {
                    stats.rows += 1;
                    stats.errors += 1;
                    on_error(&e);
                }
            }
        }
        let results: Vec<((usize, bool), T)> = chunk
            .par_iter()
            .map(|r| {
                let screened = screener.screen_row_full(r);
                let counts = (screened.hits.len(), !screened.warnings.is_empty());
                (counts, map(r, screened))
            })
            .collect();
        for (row, ((hits, warned), r)) in chunk.iter().zip(results) {
            stats.rows += 1;
            stats.screened += 1;
            stats.warned += warned as u64;
            if hits > 0 {
                stats.rows_with_hits += 1;
                stats.hits += hits as u64;
            }
            on_row(row, r)?;
        }
        on_progress(stats.rows, rows.bytes_read());
    }
    Ok(stats)
}
