//! What is known about one imported list.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The lists watchlist knows by key: (key, publisher, title).
pub const KNOWN_LISTS: &[(&str, &str, &str)] = &[
    (
        "us_ofac_sdn",
        "US Treasury, Office of Foreign Assets Control",
        "Specially Designated Nationals and Blocked Persons List (SDN)",
    ),
    (
        "us_ofac_cons",
        "US Treasury, Office of Foreign Assets Control",
        "Consolidated Sanctions List (non-SDN)",
    ),
    (
        "un_sc",
        "United Nations Security Council",
        "UN Security Council Consolidated List",
    ),
    (
        "eu_fsf",
        "European Commission (FPI)",
        "EU Financial Sanctions Files (consolidated list)",
    ),
    (
        "gb_fcdo",
        "UK Foreign, Commonwealth & Development Office",
        "UK Sanctions List",
    ),
    (
        "gb_hmt",
        "UK HM Treasury, Office of Financial Sanctions Implementation",
        "OFSI Consolidated List of Financial Sanctions Targets",
    ),
    (
        "us_bis_dpl",
        "US Department of Commerce, Bureau of Industry and Security",
        "Denied Persons List",
    ),
    (
        "us_csl",
        "US International Trade Administration",
        "Consolidated Screening List",
    ),
    (
        "opensanctions",
        "OpenSanctions",
        "OpenSanctions FollowTheMoney entities",
    ),
];

/// Publisher and title for a known list key.
pub fn describe(list: &str) -> Option<(&'static str, &'static str)> {
    KNOWN_LISTS
        .iter()
        .find(|(k, _, _)| *k == list)
        .map(|(_, p, t)| (*p, *t))
}

/// A source file a list version was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// File name (no directories, so the metadata does not leak local paths).
    pub name: String,
    /// sha256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub bytes: u64,
}

/// One imported version of one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMeta {
    /// List key: `us_ofac_sdn`, `un_sc`, … or a custom list's name.
    pub list: String,
    /// Who publishes the list: the file's own `# publisher:` line (custom lists), else the
    /// publisher in [`KNOWN_LISTS`], else `custom list`.
    pub publisher: String,
    /// The list's title, from the file (custom lists' `# title:`), else [`KNOWN_LISTS`], else
    /// `custom list`.
    pub title: String,
    /// The source format (`ofac_csv`, `un_xml`, …).
    pub format: String,
    /// Publication date or time the file itself carries, as the publisher writes it
    /// normalised to ISO 8601 where possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Content hash of this list version (sha256 over the source files' hashes and the parser
    /// version), hex.
    pub version: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// The files this version was read from.
    pub source_files: Vec<SourceFile>,
    /// Entities per schema name.
    pub counts: BTreeMap<String, u64>,
    /// Entities in this version, of every schema.
    pub entity_count: u64,
}
