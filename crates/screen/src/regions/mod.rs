//! Comprehensively sanctioned countries and regions: North Korea, Iran, Syria, Cuba, and the
//! Russia-occupied regions of Ukraine (Crimea and Sevastopol, Donetsk, Luhansk, Zaporizhzhia
//! and Kherson oblasts).
//!
//! The rules are data: `data/regions/rules.toml` names each region, its towns, the countries
//! that claim it and the legal acts behind it; `data/regions/gazetteer.tsv` lists the
//! settlements of the Ukrainian regions in Ukrainian, Latin and Russian spellings with their
//! occupation status (see [`data`]). Every spelling is read with the watchlist normaliser and
//! keyed by the romanisation key of each word, so Donetsk, Donetsk', Донецьк and Донецк meet,
//! and Makiivka, Makeevka and Makeyevka too.
//!
//! Two entry points:
//! - [`Regions::find_in_text`]: references in free text. Names of a country or region, and the
//!   large towns the rules list, fire on their own; a smaller place fires only when its region,
//!   oblast or raion is named nearby (a village name alone is too often a place elsewhere).
//! - [`Regions::screen_address`]: an address, as fields. The country code fires for sanctioned
//!   countries; places fire unless the address's country is another one (a Donetsk in Russia's
//!   Rostov oblast, a Sevastopol in Wisconsin), per the rules' `claims` and `[[homonym]]` entries.
//!
//! A hit says which rule fired (`region:ua-dpr`), what was matched, the place's level, KATOTTG
//! code and occupation status, and whether it is a hit or for review (a place in one of the
//! oblasts that Order No. 376 does not list as occupied, or an oblast named as a whole).

pub mod data;

use data::{Homonym, Level, Place, Region, Status};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::OnceLock;

/// How strong a region reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Ambiguous: a whole oblast that is only partly occupied, a town there that is not listed
    /// as occupied, a postal code.
    Review,
    /// The country or region itself, or a place in it that is occupied.
    Hit,
}

/// What a hit matched in the gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceRef {
    /// The Ukrainian name.
    pub name: String,
    /// Administrative level (`raion`, `city`, `town`, `village`).
    pub level: Level,
    /// KATOTTG code (or postal prefix).
    pub code: String,
    /// Occupation status per Order No. 376: `occupied`, `deoccupied` or `unlisted`.
    pub status: Status,
    /// Occupation start date (`YYYY-MM-DD`) when Order No. 376 lists the place (also when
    /// the occupation has ended); empty, and left out of JSON, otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub since: String,
}

/// One reference to a sanctioned country or region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionHit {
    /// The rule that fired: `region:kp`, `region:ua-dpr`…
    pub rule: String,
    /// The region's id (`kp`, `ua-dpr`); `rule` is `region:` and this.
    pub region: String,
    /// The region's name, in English.
    pub title: String,
    /// A hit, or a reference for review.
    pub severity: Severity,
    /// The text as written.
    pub matched: String,
    /// Byte range in the text (free text) or in the field's value (addresses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Range<usize>>,
    /// The address field, for addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The gazetteer place matched; none when the hit is a name of the region, a town the
    /// rules list, a country code or a postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<PlaceRef>,
    /// Why it fired, in words.
    pub why: String,
    /// The legal acts behind the rule.
    pub sources: Vec<String>,
}

/// What a key stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The country or region as a whole.
    Name,
    /// A whole oblast, partly occupied.
    Oblast,
    /// Ambiguous alone; counts in addresses.
    Weak,
    /// A town the rules list.
    City,
    /// A gazetteer place.
    Place(u32),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    region: u16,
    kind: Kind,
}

/// The loaded rules, gazetteer and lookup tables.
#[derive(Debug)]
pub struct Regions {
    regions: Vec<Region>,
    homonyms: Vec<(Vec<String>, Homonym, Vec<Vec<String>>)>,
    places: Vec<Place>,
    /// Romanisation keys of a phrase's words, joined by spaces → what it names.
    lookup: FxHashMap<String, Vec<Entry>>,
    /// Longest phrase in words.
    max_words: usize,
    /// Keys that start some phrase.
    first_words: rustc_hash::FxHashSet<String>,
    /// Two-digit postal prefix → region.
    postal: FxHashMap<String, u16>,
}

/// A token of the text being searched: its byte range and the romanisation key
/// ([`text::keys::canon`]) of its normalised text.
#[derive(Debug, Clone)]
pub struct KeyedToken<'a> {
    /// Byte range of the token in the text.
    pub range: Range<usize>,
    /// The token's romanisation key.
    pub key: &'a str,
    /// Whether the key is the first word of a phrase of the rules
    /// ([`Regions::starts_phrase`]); only such tokens are looked up.
    pub starts_phrase: bool,
}

type Tok<'a> = KeyedToken<'a>;

/// Romanisation keys of a phrase's tokens.
fn keys(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    text::spans::for_each_token(s, |_, t| out.push(text::keys::canon(t)));
    out
}

/// Byte ranges and romanisation keys of a text's tokens.
fn keyed_tokens(s: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    text::spans::for_each_token(s, |range, t| out.push((range, text::keys::canon(t))));
    out
}

/// Words that make a place name the name of an administrative area ("Donetsk Oblast").
const AREA_WORDS: &[&str] = &[
    "oblast",
    "region",
    "province",
    "oblasti",
    "obl",
    "область",
    "области",
    "raion",
    "rayon",
    "district",
    "район",
];

impl Regions {
    /// The shipped rules and gazetteer, loaded once per process.
    pub fn shipped() -> &'static Regions {
        static R: OnceLock<Regions> = OnceLock::new();
        R.get_or_init(|| {
            Regions::from_data(data::RULES_TOML, data::GAZETTEER_TSV)
                .expect("the shipped region data is valid (tested)")
        })
    }

    /// Builds the tables from a rules file and a gazetteer.
    pub fn from_data(rules_toml: &str, gazetteer_tsv: &str) -> Result<Regions, data::DataError> {
        let rules = data::parse_rules(rules_toml)?;
        let places = data::parse_gazetteer(gazetteer_tsv)?;
        let mut r = Regions {
            regions: rules.regions,
            homonyms: Vec::new(),
            places: Vec::new(),
            lookup: FxHashMap::default(),
            max_words: 1,
            first_words: Default::default(),
            postal: FxHashMap::default(),
        };
        for h in rules.homonyms {
            let ctx = h
                .context
                .iter()
                .map(|c| keys(c))
                .filter(|k| !k.is_empty())
                .collect();
            r.homonyms.push((keys(&h.name), h, ctx));
        }
        for ri in 0..r.regions.len() {
            let reg = r.regions[ri].clone();
            let region = ri as u16;
            for (list, kind) in [
                (&reg.names, Kind::Name),
                (&reg.oblast, Kind::Oblast),
                (&reg.weak, Kind::Weak),
                (&reg.cities, Kind::City),
            ] {
                for n in list {
                    r.add(n, Entry { region, kind });
                }
            }
            for p in &reg.postal {
                r.postal.insert(p.clone(), region);
            }
        }
        for p in places {
            let Some(region) = r.regions.iter().position(|g| g.id == p.region) else {
                return Err(data::DataError::Gazetteer {
                    line: 0,
                    reason: format!("unknown region {}", p.region),
                });
            };
            let region = region as u16;
            let idx = r.places.len() as u32;
            if p.level == Level::Postal {
                r.postal.insert(p.code.clone(), region);
            } else if p.level != Level::Oblast {
                for n in &p.names {
                    r.add(
                        n,
                        Entry {
                            region,
                            kind: Kind::Place(idx),
                        },
                    );
                }
            }
            r.places.push(p);
        }
        Ok(r)
    }

    fn add(&mut self, phrase: &str, e: Entry) {
        let k = keys(phrase);
        if k.is_empty() {
            return;
        }
        self.max_words = self.max_words.max(k.len());
        self.first_words.insert(k[0].clone());
        let v = self.lookup.entry(k.join(" ")).or_default();
        if !v.iter().any(|x| x.region == e.region && x.kind == e.kind) {
            v.push(e);
        }
    }

    fn borrow<'k>(&self, keyed: &'k [(Range<usize>, String)]) -> Vec<Tok<'k>> {
        keyed
            .iter()
            .map(|(range, key)| Tok {
                range: range.clone(),
                key,
                starts_phrase: self.starts_phrase(key),
            })
            .collect()
    }

    /// Whether a romanisation key is the first word of a place name or phrase of the rules.
    pub fn starts_phrase(&self, key: &str) -> bool {
        self.first_words.contains(key)
    }

    /// The rules.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The gazetteer.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The region rule for a sanctioned country code (`kp`, `ir`, `sy`, `cu`).
    pub fn country(&self, code: &str) -> Option<&Region> {
        let code = code.trim().to_ascii_lowercase();
        self.regions
            .iter()
            .find(|r| r.is_country() && r.country == code)
    }

    /// Phrases found in a token list: (first token, end token, entries), longest first at
    /// each position, not overlapping.
    fn phrases<'a>(&'a self, toks: &[Tok]) -> Vec<(usize, usize, &'a [Entry])> {
        let mut out = Vec::new();
        let (mut key, mut ends) = (String::new(), Vec::new());
        let mut i = 0;
        while i < toks.len() {
            if !toks[i].starts_phrase {
                i += 1;
                continue;
            }
            let mut found = None;
            // the keys of the next words joined, and where each phrase length ends in it
            key.clear();
            ends.clear();
            for (j, tok) in toks.iter().enumerate().skip(i).take(self.max_words) {
                if j > i {
                    key.push(' ');
                }
                key.push_str(tok.key);
                ends.push(key.len());
            }
            for (n, &end) in ends.iter().enumerate().rev() {
                if let Some(e) = self.lookup.get(&key[..end]) {
                    found = Some((i, i + n + 1, e.as_slice()));
                    break;
                }
            }
            match found {
                Some(f) => {
                    i = f.1;
                    out.push(f);
                }
                None => i += 1,
            }
        }
        out
    }

    /// Whether a homonym's context words appear among the keys near a place.
    fn homonym(&self, name: &[String], nearby: &[&str]) -> Option<&Homonym> {
        self.homonyms.iter().find_map(|(hk, h, ctx)| {
            (hk.as_slice() == name && ctx.iter().any(|c| contains_seq(nearby, c))).then_some(h)
        })
    }

    /// A country named right after a place, after a comma or in brackets ("Sevastopol,
    /// Wisconsin, USA" gives none; "Donetsk, Russia" gives ru; "Havana, IL" gives il).
    fn country_after(&self, text: &str, toks: &[Tok], end: usize) -> Option<String> {
        let next = toks.get(end)?;
        let gap = text[toks[end - 1].range.end..next.range.start].trim();
        if !matches!(gap, "," | "(" | "-" | "–" | "/") {
            return None;
        }
        for len in (1..=3).rev() {
            let Some(last) = toks.get(end + len - 1) else {
                continue;
            };
            let phrase = &text[next.range.start..last.range.end];
            if phrase.len() == 2 && phrase.chars().any(|c| c.is_lowercase()) {
                continue; // "in", "to": two-letter codes count only in capitals
            }
            if let Some(c) = model::country::code(phrase) {
                // "Crimea, Iran and Syria" is a list of sanctioned places, not an address
                return self.country(c).is_none().then(|| c.to_string());
            }
        }
        None
    }

    /// References to sanctioned countries and regions in free text.
    pub fn find_in_text(&self, text: &str) -> Vec<RegionHit> {
        let keyed = keyed_tokens(text);
        self.find_in_tokens(text, &self.borrow(&keyed), None, None)
    }

    /// [`Regions::find_in_text`] on tokens already read.
    pub fn find_in_keyed(&self, text: &str, toks: &[KeyedToken]) -> Vec<RegionHit> {
        self.find_in_tokens(text, toks, None, None)
    }

    fn find_in_tokens(
        &self,
        text: &str,
        toks: &[Tok],
        field: Option<&str>,
        country: Option<&str>,
    ) -> Vec<RegionHit> {
        let address = field.is_some() || country.is_some();
        let phrases = self.phrases(toks);
        let mut hits = Vec::new();
        for &(i, j, entries) in &phrases {
            let lo = i.saturating_sub(20);
            let hi = (j + 20).min(toks.len());
            let nearby: Vec<&str> = if address {
                toks.iter().map(|t| t.key).collect()
            } else {
                toks[lo..hi].iter().map(|t| t.key).collect()
            };
            let name_keys: Vec<String> = toks[i..j].iter().map(|t| t.key.to_string()).collect();
            if self.homonym(&name_keys, &nearby).is_some() {
                continue;
            }
            let stated = country
                .map(str::to_string)
                .or_else(|| self.country_after(text, toks, j));
            // regions named in the same address or nearby, for corroborating small places
            // (phrases come in text order: those nearby are found by bisection)
            let near = if address {
                &phrases[..]
            } else {
                let from = phrases.partition_point(|&(a, _, _)| a + 30 < i);
                let to = phrases.partition_point(|&(a, _, _)| a <= j + 30);
                &phrases[from..to.max(from)]
            };
            let area_named = |region: u16| {
                near.iter().any(|&(a, b, es)| {
                    (a, b) != (i, j)
                        && es.iter().any(|e| {
                            e.region == region
                                && match e.kind {
                                    Kind::Name | Kind::Oblast | Kind::Weak => true,
                                    Kind::Place(p) => self.places[p as usize].level == Level::Raion,
                                    Kind::City => false,
                                }
                        })
                })
            };
            let followed_by_area = toks.get(j).is_some_and(|t| AREA_WORDS.contains(&t.key));
            let best = entries
                .iter()
                .filter_map(|e| {
                    self.judge(e, address, followed_by_area, stated.as_deref(), &area_named)
                })
                .max_by_key(|(sev, _, _)| *sev);
            if let Some((severity, e, why)) = best {
                let reg = &self.regions[e.region as usize];
                let span = toks[i].range.start..toks[j - 1].range.end;
                let place = match e.kind {
                    Kind::Place(p) => {
                        let p = &self.places[p as usize];
                        Some(PlaceRef {
                            name: p.names[0].clone(),
                            level: p.level,
                            code: p.code.clone(),
                            status: p.status,
                            since: p.since.clone(),
                        })
                    }
                    _ => None,
                };
                hits.push(RegionHit {
                    rule: reg.rule(),
                    region: reg.id.clone(),
                    title: reg.title.clone(),
                    severity,
                    matched: text[span.clone()].to_string(),
                    span: Some(span),
                    field: field.map(str::to_string),
                    place,
                    why,
                    sources: reg.sources.clone(),
                });
            }
        }
        hits
    }

    /// Decides whether one reading of a phrase fires, how strongly, and why.
    fn judge<'e>(
        &self,
        e: &'e Entry,
        address: bool,
        followed_by_area: bool,
        stated: Option<&str>,
        area_named: &dyn Fn(u16) -> bool,
    ) -> Option<(Severity, &'e Entry, String)> {
        let reg = &self.regions[e.region as usize];
        if let Some(c) = stated {
            if !reg.allows_country(c) {
                return None;
            }
        }
        let status_sev = |s: Status| {
            if s == Status::Occupied {
                Severity::Hit
            } else {
                Severity::Review
            }
        };
        match e.kind {
            Kind::Name => Some((
                if reg.is_country() || !followed_by_area {
                    Severity::Hit
                } else {
                    Severity::Review
                },
                e,
                format!("names {}", reg.title),
            )),
            Kind::Oblast => Some((
                Severity::Review,
                e,
                format!(
                    "names the oblast as a whole; only part of it is occupied ({})",
                    reg.title
                ),
            )),
            Kind::Weak if address || followed_by_area => Some((
                Severity::Review,
                e,
                format!(
                    "names the oblast ({}); only part of it is occupied",
                    reg.title
                ),
            )),
            Kind::Weak => None,
            Kind::City => Some((Severity::Hit, e, format!("a town of {}", reg.title))),
            Kind::Place(p) => {
                let p = &self.places[p as usize];
                let what = match p.status {
                    Status::Occupied => format!(
                        "listed as temporarily occupied since {} (Order No. 376)",
                        p.since
                    ),
                    Status::Deoccupied => {
                        "in the region; its occupation has ended per Order No. 376".to_string()
                    }
                    Status::Unlisted => {
                        "in the region; not listed as occupied by Order No. 376".to_string()
                    }
                };
                let level = format!("{:?}", p.level).to_lowercase();
                let corroborated = area_named(e.region) || followed_by_area;
                let in_country = stated.is_some_and(|c| reg.allows_country(c));
                let fires = match p.level {
                    Level::Raion => true,
                    Level::City => {
                        corroborated
                            || (p.status == Status::Occupied && (p.elsewhere == 0 || in_country))
                    }
                    Level::Town | Level::Village => {
                        corroborated || (address && in_country && p.elsewhere == 0)
                    }
                    Level::Oblast | Level::Postal => false,
                };
                if !fires {
                    return None;
                }
                if !address && p.status != Status::Occupied && !corroborated {
                    return None;
                }
                Some((
                    status_sev(p.status),
                    e,
                    format!("{} {} of {}: {what}", level, p.names[0], reg.title),
                ))
            }
        }
    }

    /// References in an address given as fields (street, town, region, postal code, free
    /// lines…) with its country (an ISO code or a country name), if known.
    pub fn screen_address(&self, fields: &[(&str, &str)], country: Option<&str>) -> Vec<RegionHit> {
        let code = country.and_then(|c| {
            let c = c.trim();
            if c.len() == 2 && c.is_ascii() {
                Some(c.to_ascii_lowercase())
            } else {
                model::country::code(c).map(str::to_string)
            }
        });
        let mut hits = Vec::new();
        if let Some(reg) = code.as_deref().and_then(|c| self.country(c)) {
            hits.push(RegionHit {
                rule: reg.rule(),
                region: reg.id.clone(),
                title: reg.title.clone(),
                severity: Severity::Hit,
                matched: country.unwrap_or_default().to_string(),
                span: None,
                field: Some("country".into()),
                place: None,
                why: format!("the address is in {}", reg.title),
                sources: reg.sources.clone(),
            });
        }
        // all fields as one text, so that a town in one field and its oblast in another
        // corroborate each other; each hit names its field
        let mut joined = String::new();
        let mut bounds = Vec::new();
        for (name, value) in fields {
            if !joined.is_empty() {
                joined.push_str(" ,\n");
            }
            let start = joined.len();
            joined.push_str(value);
            bounds.push((*name, start, joined.len()));
        }
        let keyed = keyed_tokens(&joined);
        let toks = self.borrow(&keyed);
        let mut found = self.find_in_tokens(
            &joined,
            &toks,
            Some(""),
            code.as_deref().or(Some("")).filter(|c| !c.is_empty()),
        );
        for h in &mut found {
            let at = h.span.as_ref().map(|s| s.start).unwrap_or(0);
            if let Some((name, start, _)) = bounds.iter().find(|(_, s, e)| (*s..=*e).contains(&at))
            {
                h.field = Some((*name).to_string());
                h.span = h.span.as_ref().map(|s| s.start - start..s.end - start);
            }
        }
        let place_hit = found.iter().any(|h| h.region != "kp" && h.place.is_some());
        hits.extend(found);
        // postal codes, when the address is in Ukraine or names the region
        if !place_hit {
            for t in &toks {
                let raw = &joined[t.range.clone()];
                let digits = raw.len() == 5 && raw.bytes().all(|b| b.is_ascii_digit());
                let Some(&region) = digits.then(|| self.postal.get(&raw[..2])).flatten() else {
                    continue;
                };
                let reg = &self.regions[region as usize];
                let named = hits.iter().any(|h| h.region == reg.id);
                if code.as_deref() != Some(&reg.country) && !named {
                    continue;
                }
                let (name, start, _) = bounds
                    .iter()
                    .find(|(_, s, e)| (*s..=*e).contains(&t.range.start))
                    .copied()
                    .unwrap_or(("", 0, 0));
                hits.push(RegionHit {
                    rule: reg.rule(),
                    region: reg.id.clone(),
                    title: reg.title.clone(),
                    severity: Severity::Review,
                    matched: joined[t.range.clone()].to_string(),
                    span: Some(t.range.start - start..t.range.end - start),
                    field: Some(name.to_string()),
                    place: None,
                    why: format!("postal code of {}", reg.title),
                    sources: reg.sources.clone(),
                });
                break;
            }
        }
        hits
    }
}

/// Whether `needle` occurs as a contiguous run in `hay`.
fn contains_seq(hay: &[&str], needle: &[String]) -> bool {
    !needle.is_empty()
        && hay
            .windows(needle.len())
            .any(|w| w.iter().zip(needle).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests;
