//! Payment messages: parse ISO 20022 `pacs.008` (FI-to-FI customer credit transfer) and
//! `pain.001` (customer credit transfer initiation) and SWIFT MT103 / MT101, then screen every
//! party and agent, the free text and the places.
//!
//! - Parties (debtor, creditor, ultimate parties, initiating party; MT 50a, 59a…): their names
//!   with [`Matcher::search`] (with the party's country and identifiers as evidence), as
//!   `watchlist screen` would.
//! - Agents (debtor agent, creditor agent, intermediaries; MT 52a–57a): BICs through the
//!   matcher like any identifier (a branch BIC11 finds the BIC8 a list publishes; scored by
//!   `evidence.identifier_floor`, as `watchlist screen --id` scores it), the BIC's country
//!   against the sanctioned-country rules, and names when given.
//! - Free text (remittance information, instructions, MT 70, 72, 77B): through the document
//!   scanner ([`crate::scan`]).
//! - Addresses and countries: through the region rules ([`crate::regions`]).
//!
//! Every hit names the message field (`CdtTrfTxInf[1]/Cdtr/Nm`, `:59:`); entity ids are
//! `list:list_id`; region hits carry the rule that fired. Parsing errors give the position
//! (line and column for files, byte for bytes) and, for a SWIFT message missing a mandatory
//! field, the field.
//!
//! [`Matcher::search`]: matcher::Matcher::search

pub mod iso20022;
pub mod mt;

use crate::regions::{RegionHit, Regions};
use crate::scan::{MentionEntity, Scanner};
use matcher::{Matcher, SearchOptions};
use model::QueryInput;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A message field and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Where in the message: `CdtTrfTxInf[1]/Cdtr/Nm`, `:59:`.
    pub field: String,
    /// The value as the message gives it (for an MT option F party, the `1/` name lines
    /// joined with spaces).
    pub value: String,
}

impl Field {
    /// A value at a message field (`CdtTrfTxInf[1]/Cdtr/Nm`, `:59:`).
    pub fn new(field: impl Into<String>, value: impl Into<String>) -> Self {
        Field {
            field: field.into(),
            value: value.into(),
        }
    }
}

/// A party or agent of a payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// `debtor`, `creditor`, `ultimate_debtor`, `debtor_agent`, `ordering_customer`…
    pub role: String,
    /// Where the party is in the message (`CdtTrfTxInf[1]/Cdtr`, `:50K:`).
    pub field: String,
    /// A financial institution rather than a customer.
    pub agent: bool,
    /// The party's name, with its field (`…/Cdtr/Nm`, `:59:`); none when the message gives
    /// no name (an agent given by its BIC only).
    pub name: Option<Field>,
    /// Address parts (street, town, lines…), each with its field.
    pub address: Vec<Field>,
    /// ISO country code, with its field.
    pub country: Option<Field>,
    /// BICs, LEIs and other identifiers, with their fields.
    pub identifiers: Vec<Field>,
    /// The BICs among `identifiers` (each is in both); their country code (characters 5–6)
    /// is checked against the sanctioned-country rules.
    pub bics: Vec<Field>,
}

/// One parsed message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `pacs.008.001.08`, `pain.001.001.03`, `MT103`, `MT101`.
    pub format: String,
    /// The message's reference (`MsgId`, `:20:`).
    pub reference: Option<String>,
    /// Parties and agents, in message order.
    pub parties: Vec<Party>,
    /// Free text: remittance information, instructions.
    pub texts: Vec<Field>,
}

/// What kind of hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A party's or agent's name matched a listed entity.
    Name,
    /// An identifier (BIC, LEI…) is listed for an entity.
    Identifier,
    /// A listed entity is mentioned in free text.
    Mention,
    /// A sanctioned country or region: an address, a country, a BIC's country, a place in text.
    Region,
}

/// One hit, naming the message field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// What matched: a name, an identifier, a mention in free text, a region.
    pub kind: HitKind,
    /// The message field the hit is on: an ISO 20022 path from the message element
    /// (`CdtTrfTxInf[1]/Cdtr/Nm`, `PmtInf[1]/Dbtr/PstlAdr/Ctry`) or a SWIFT tag with its
    /// option letter (`:59:`, `:50K:`; in an MT101, `A/:50H:` for sequence A and `B1/:59:`
    /// for the first transaction).
    pub field: String,
    /// The value that was screened (for mentions: the text as written).
    pub value: String,
    /// The party's role, when the hit is on a party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The listed entity (`entity_id` is `list:list_id`), score and explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<Arc<MentionEntity>>,
    /// The region rule that fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionHit>,
}

/// A screened message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screened {
    /// The message's format, as [`Message::format`].
    pub format: String,
    /// The message's reference (`MsgId`, `:20:`), when it has one.
    pub reference: Option<String>,
    /// How many parties and agents were screened.
    pub parties: usize,
    /// Every hit: the parties' first (in message order), then those in the free text.
    pub hits: Vec<Hit>,
}

/// Errors reading a payment file.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The content starts like XML or SWIFT FIN but cannot be read: malformed, not UTF-8, a
    /// DOCTYPE, XML with no pacs.008 or pain.001 in it, a SWIFT block not closed, a mandatory
    /// field missing. The error gives the position.
    #[error("{0}")]
    Parse(#[from] sources::ParseError),
    /// The content is neither XML nor SWIFT FIN: its first character (after whitespace and a
    /// byte-order mark) is not `<`, `{` or `:`.
    #[error("{name}: {reason}")]
    Unknown {
        /// The name the input was given (a file name, `the message`).
        name: String,
        /// Why it was refused, in words.
        reason: String,
    },
}

/// Parses a payment file of any supported format (decided from the content).
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Message>, PaymentError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
        .unwrap_or(0);
    match bytes.get(start) {
        Some(b'<') => Ok(iso20022::parse(name, bytes)?),
        Some(b'{') | Some(b':') => Ok(mt::parse(name, bytes)?),
        _ => Err(PaymentError::Unknown {
            name: name.to_string(),
            reason: "not a payment message: expected ISO 20022 XML (pacs.008, pain.001) or a SWIFT FIN message ({1:…}{2:…}{4:…})".into(),
        }),
    }
}

/// Screens parsed messages.
pub struct PaymentScreener<'m> {
    matcher: &'m Matcher,
    scanner: Scanner<'m>,
    regions: &'static Regions,
    opts: SearchOptions,
}

impl<'m> PaymentScreener<'m> {
    /// A screener over `matcher`: `threshold` replaces the matcher config's, `lists` (list
    /// keys) keeps results to those lists; a party's search keeps at most five results.
    pub fn new(matcher: &'m Matcher, threshold: Option<f32>, lists: Option<Vec<String>>) -> Self {
        let scan_opts = crate::scan::ScanOptions {
            threshold,
            lists: lists.clone(),
            ..Default::default()
        };
        PaymentScreener {
            matcher,
            scanner: Scanner::new(matcher, scan_opts),
            regions: Regions::shipped(),
            opts: SearchOptions {
                limit: 5,
                threshold,
                min_score: None,
                lists,
            },
        }
    }

    /// Screens one message.
    pub fn screen(&self, m: &Message) -> Screened {
        let mut hits = Vec::new();
        for p in &m.parties {
            self.party(p, &mut hits);
        }
        for t in &m.texts {
            let found = self.scanner.scan_str(&t.value);
            for x in found.mentions {
                hits.push(Hit {
                    kind: HitKind::Mention,
                    field: t.field.clone(),
                    value: x.text.clone(),
                    role: None,
                    entity: Some(x.entity.clone()),
                    region: None,
                });
            }
            for pl in found.places {
                hits.push(Hit {
                    kind: HitKind::Region,
                    field: t.field.clone(),
                    value: pl.hit.matched.clone(),
                    role: None,
                    entity: None,
                    region: Some(pl.hit),
                });
            }
        }
        Screened {
            format: m.format.clone(),
            reference: m.reference.clone(),
            parties: m.parties.len(),
            hits,
        }
    }

    fn party(&self, p: &Party, hits: &mut Vec<Hit>) {
        let role = Some(p.role.clone());
        // the name and the identifiers (BICs, LEIs, account and registration numbers) in one
        // query through the matcher, as `watchlist screen NAME --id ID` screens them: an
        // identifier a list publishes scores `evidence.identifier_floor` wherever it is found
        let name = p.name.as_ref().filter(|n| !n.value.trim().is_empty());
        let mut input = QueryInput {
            names: name.iter().map(|n| n.value.clone()).collect(),
            countries: p.country.iter().map(|c| c.value.clone()).collect(),
            ..Default::default()
        };
        for id in p.identifiers.iter().chain(&p.bics) {
            if !input.identifiers.contains(&id.value) {
                input.identifiers.push(id.value.clone());
            }
        }
        let threshold = self
            .opts
            .threshold
            .unwrap_or(self.matcher.config().threshold);
        if let Ok(read) = input.read() {
            for m in self
                .matcher
                .search(&read.query, &self.opts)
                .into_iter()
                .filter(|m| m.is_match)
            {
                let e = &m.explanation;
                let by_name = !e.identifier_only && e.name_score >= threshold;
                let id_field = e.identifier.as_ref().and_then(|key| {
                    p.identifiers
                        .iter()
                        .chain(&p.bics)
                        .find(|f| matcher::index::identifier_keys(&f.value).contains(key))
                });
                let entity = Arc::new(entity_of(m.clone()));
                if let (true, Some(name)) = (by_name, name) {
                    hits.push(Hit {
                        kind: HitKind::Name,
                        field: name.field.clone(),
                        value: name.value.clone(),
                        role: role.clone(),
                        entity: Some(entity.clone()),
                        region: None,
                    });
                }
                if let Some(f) = id_field {
                    hits.push(Hit {
                        kind: HitKind::Identifier,
                        field: f.field.clone(),
                        value: f.value.clone(),
                        role: role.clone(),
                        entity: Some(entity),
                        region: None,
                    });
                }
            }
        }
        // a BIC's country (characters 5–6)
        for b in &p.bics {
            let v = matcher::index::normalize_identifier(&b.value);
            if let Some(reg) = v.get(4..6).and_then(|cc| self.regions.country(cc)) {
                hits.push(Hit {
                    kind: HitKind::Region,
                    field: b.field.clone(),
                    value: b.value.clone(),
                    role: role.clone(),
                    entity: None,
                    region: Some(RegionHit {
                        rule: reg.rule(),
                        region: reg.id.clone(),
                        title: reg.title.clone(),
                        severity: crate::regions::Severity::Hit,
                        matched: b.value.clone(),
                        span: None,
                        field: Some(b.field.clone()),
                        place: None,
                        why: format!("the BIC's country code is {} ({})", &v[4..6], reg.title),
                        sources: reg.sources.clone(),
                    }),
                });
            }
        }
        // address and country
        let fields: Vec<(&str, &str)> = p
            .address
            .iter()
            .map(|f| (f.field.as_str(), f.value.as_str()))
            .collect();
        let mut found = self
            .regions
            .screen_address(&fields, p.country.as_ref().map(|c| c.value.as_str()));
        if p.address.is_empty() && p.country.is_none() {
            found.clear();
        }
        for mut r in found {
            let field = match r.field.as_deref() {
                Some("country") => p
                    .country
                    .as_ref()
                    .map(|c| c.field.clone())
                    .unwrap_or_default(),
                Some(f) => f.to_string(),
                None => p.field.clone(),
            };
            r.field = Some(field.clone());
            let value = if r.field.as_deref() == p.country.as_ref().map(|c| c.field.as_str()) {
                p.country
                    .as_ref()
                    .map(|c| c.value.clone())
                    .unwrap_or_default()
            } else {
                r.matched.clone()
            };
            hits.push(Hit {
                kind: HitKind::Region,
                field,
                value,
                role: role.clone(),
                entity: None,
                region: Some(r),
            });
        }
    }
}

fn entity_of(m: matcher::Match) -> MentionEntity {
    MentionEntity {
        entity_id: m.entity_id,
        list: m.list,
        list_id: m.list_id,
        caption: m.caption,
        schema: m.schema,
        score: m.score,
        matched_name: m.name,
        explanation: m.explanation,
    }
}

#[cfg(test)]
mod tests;
