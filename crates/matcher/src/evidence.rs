//! Secondary evidence: schema compatibility, birth dates, countries and identifiers. Each is
//! a small function returning an [`Adjustment`] that names the config field it applied.

use crate::config::Config;
use crate::explain::Adjustment;
use crate::index::{DateRange, EntityRec, Index};
use crate::query::Query;
use model::Schema;

/// Whether a query of one schema may denote an entity of another: `Some(1.0)` compatible,
/// `Some(f)` compatible with a penalty, `None` never (a person is not a vessel).
pub fn schema_factor(cfg: &Config, query: Option<Schema>, entity: Schema) -> Option<f32> {
    use Schema::*;
    let Some(q) = query else { return Some(1.0) };
    match (q, entity) {
        (a, b) if a == b => Some(1.0),
        (LegalEntity, _) | (_, LegalEntity) => Some(1.0),
        (Person, _) | (_, Person) => None,
        (Organization, Vessel | Aircraft)
        | (Vessel | Aircraft, Organization)
        | (Vessel, Aircraft)
        | (Aircraft, Vessel) => Some(cfg.evidence.schema_near_factor),
        _ => Some(1.0),
    }
}

/// Applies schema, birth date, country and identifier evidence to a name score.
pub fn apply(
    cfg: &Config,
    index: &Index,
    q: &Query,
    e: &EntityRec,
    name_score: f32,
) -> Option<(f32, Vec<Adjustment>)> {
    let ev = &cfg.evidence;
    let mut score = name_score;
    let mut adj = Vec::new();
    let factor = schema_factor(cfg, q.schema, e.schema)?;
    if factor < 1.0 {
        score *= factor;
        adj.push(Adjustment::factor(
            "evidence.schema_near_factor",
            format!(
                "query is {:?}, entity is {:?}",
                q.schema.unwrap_or(Schema::LegalEntity),
                e.schema
            ),
            factor,
            score,
        ));
    }
    if let Some(a) = birth_date(cfg, q, e, &mut score) {
        adj.push(a);
    }
    if let Some(a) = country(cfg, q, e, &mut score) {
        adj.push(a);
    }
    if let Some(hit) = listed_identifier(index, q, e) {
        if score < ev.identifier_floor {
            score = ev.identifier_floor;
        }
        adj.push(Adjustment::floor(
            "evidence.identifier_floor",
            format!("identifier {hit} is listed for this entity"),
            ev.identifier_floor,
            score,
        ));
    }
    Some((score.clamp(0.0, 1.0), adj))
}

/// The first of the query's identifiers that the entity lists (as the key it is listed
/// under: a branch BIC finds its bank's BIC8).
pub fn listed_identifier(index: &Index, q: &Query, e: &EntityRec) -> Option<String> {
    q.identifiers.iter().find_map(|i| {
        index
            .entities_with_identifier(i)
            .into_iter()
            .find(|(x, _)| index.entities[*x as usize].id == e.id)
            .map(|(_, k)| k)
    })
}

fn ymd(n: u32) -> (u32, u32, u32) {
    (n / 10000, n / 100 % 100, n % 100)
}

/// Compares the query's birth dates with the entity's; the best agreement counts.
fn birth_date(cfg: &Config, q: &Query, e: &EntityRec, score: &mut f32) -> Option<Adjustment> {
    let ev = &cfg.evidence;
    if q.birth_dates.is_empty() || e.birth_dates.is_empty() {
        return None;
    }
    // 3 exact, 2 partial agreement, 1 near, 0 contradiction
    let mut best = (0u8, String::new());
    for qd in &q.birth_dates {
        let qr = DateRange::from_value(qd);
        for er in &e.birth_dates {
            let overlap = qr.lo <= er.hi && er.lo <= qr.hi;
            let (ql, el) = (ymd(qr.lo), ymd(er.lo));
            let outcome = if overlap {
                if qr.precision == 3 && er.precision == 3 && !er.approximate && qr.lo == er.lo {
                    3
                } else {
                    2
                }
            } else if (ql.0.abs_diff(el.0) <= 1
                && (qr.precision == 1 || er.precision == 1 || (ql.1 == el.1 && ql.2 == el.2)))
                || (qr.precision == 3
                    && er.precision == 3
                    && ql.0 == el.0
                    && ql.1 == el.2
                    && ql.2 == el.1)
            {
                // a year apart, or day and month swapped
                1
            } else {
                0
            };
            if outcome >= best.0 || best.1.is_empty() {
                best = (outcome, format!("query {} vs listed {}", qd, fmt_range(er)));
            }
        }
    }
    let (o, detail) = best;
    Some(match o {
        3 => {
            *score += (1.0 - *score) * ev.dob_exact_boost;
            Adjustment::boost(
                "evidence.dob_exact_boost",
                format!("birth date agrees: {detail}"),
                ev.dob_exact_boost,
                *score,
            )
        }
        2 => {
            *score += (1.0 - *score) * ev.dob_partial_boost;
            Adjustment::boost(
                "evidence.dob_partial_boost",
                format!("birth date agrees at the precision given: {detail}"),
                ev.dob_partial_boost,
                *score,
            )
        }
        1 => {
            *score *= ev.dob_near_factor;
            Adjustment::factor(
                "evidence.dob_near_factor",
                format!("birth date close but not equal: {detail}"),
                ev.dob_near_factor,
                *score,
            )
        }
        _ => {
            *score *= ev.dob_mismatch_factor;
            Adjustment::factor(
                "evidence.dob_mismatch_factor",
                format!("birth date contradicts: {detail}"),
                ev.dob_mismatch_factor,
                *score,
            )
        }
    })
}

fn fmt_range(r: &DateRange) -> String {
    let (y, m, d) = ymd(r.lo);
    match (r.precision, r.lo == r.hi) {
        (3, true) => format!("{y:04}-{m:02}-{d:02}"),
        (2, _) => format!("{y:04}-{m:02}"),
        _ if ymd(r.hi).0 != y => format!("{y:04}..{:04}", ymd(r.hi).0),
        _ => format!("{y:04}"),
    }
}

fn country(cfg: &Config, q: &Query, e: &EntityRec, score: &mut f32) -> Option<Adjustment> {
    let ev = &cfg.evidence;
    if q.countries.is_empty() || e.countries.is_empty() {
        return None;
    }
    let qc: Vec<String> = q
        .countries
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if let Some(c) = qc.iter().find(|c| e.countries.contains(c)) {
        *score += (1.0 - *score) * ev.country_boost;
        Some(Adjustment::boost(
            "evidence.country_boost",
            format!("country agrees: {c}"),
            ev.country_boost,
            *score,
        ))
    } else {
        *score *= ev.country_mismatch_factor;
        Some(Adjustment::factor(
            "evidence.country_mismatch_factor",
            format!(
                "countries differ: query {} vs listed {}",
                qc.join(","),
                e.countries.join(",")
            ),
            ev.country_mismatch_factor,
            *score,
        ))
    }
}
