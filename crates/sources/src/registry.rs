//! The one list of formats watchlist reads, and the [`ListFormat`] trait each one implements.
//!
//! Detection ([`crate::detect_paths`]), parsing ([`crate::parse`]) and the [`Format`] handle
//! stored in every [`SourceSet`] all go through [`FORMATS`]; nothing else names the formats.

use crate::{formats, Emit, Head, ListInfo, ParseError, SourceSet};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// One list format: how to recognise its files, group them into sets and parse a set.
///
/// A format is a unit struct in its module under [`formats`] with a `pub static FORMAT` of it,
/// listed once in [`FORMATS`].
pub trait ListFormat: Send + Sync + 'static {
    /// Short machine name, stored in list metadata and hashed into list versions (`ofac_csv`,
    /// `un_xml`, …). Must never change once shipped.
    fn name(&self) -> &'static str;

    /// What people call the format, listed in the "unknown list format" error (`OFAC CSV`, …).
    fn describe(&self) -> &'static str;

    /// Whether the file whose head is given looks like this format. Formats are asked in
    /// [`FORMATS`] order and the first that says yes gets the file.
    fn sniff(&self, head: &Head) -> bool;

    /// Streams the entities of one set of this format to `emit`.
    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError>;

    /// Whether [`group`](ListFormat::group) combines several files into one set (OFAC's
    /// companion files, FtM's delta files). When true, `group` gets every file of this format
    /// in one detection at once, and its sets come before those of one-file formats (in
    /// [`FORMATS`] order). When false (the default), `group` gets one file at a time, in path
    /// order. Override both or neither.
    fn combines_files(&self) -> bool {
        false
    }

    /// Groups files this format claimed into source sets. The default makes each file a set
    /// of its own.
    fn group(&self, heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
        let format = Format::named(self.name()).ok_or_else(|| {
            ParseError::file(
                heads.first().map_or(Path::new(""), |h| h.path.as_path()),
                format!("list format {} is not in the registry", self.name()),
            )
        })?;
        Ok(heads
            .into_iter()
            .map(|h| SourceSet::single(format, h.path))
            .collect())
    }
}

/// Every format, in sniffing order: a file belongs to the first format whose `sniff` claims
/// it, so more specific formats come before more lenient ones. A new format is one line here.
pub static FORMATS: &[&dyn ListFormat] = &[
    &formats::ofac_csv::FORMAT,
    &formats::un_xml::FORMAT,
    &formats::eu_fsf::FORMAT,
    &formats::gb_fcdo::FORMAT,
    &formats::gb_ofsi::FORMAT,
    &formats::bis_dpl::FORMAT,
    &formats::us_csl::FORMAT,
    &formats::ftm_json::FORMAT,
    &formats::custom_csv::FORMAT,
];

const COUNT: usize = FORMATS.len();

/// A handle on one entry of [`FORMATS`]: cheap to copy, compared, hashed and shown by its
/// [`name`](ListFormat::name), ordered by its place in the registry.
#[derive(Clone, Copy)]
pub struct Format(&'static dyn ListFormat);

/// Handles on the built-in formats, for code that names one (the engine's overlay check,
/// tests). A new format does not need one: use [`Format::named`] or [`Format::ALL`].
#[allow(non_upper_case_globals)]
impl Format {
    /// OFAC legacy CSV set: sdn.csv (or cons_prim.csv) with optional alt, add and comments files.
    pub const OfacCsv: Format = Format(&formats::ofac_csv::FORMAT);
    /// UN Security Council consolidated list XML.
    pub const UnXml: Format = Format(&formats::un_xml::FORMAT);
    /// EU Financial Sanctions Files XML.
    pub const EuFsfXml: Format = Format(&formats::eu_fsf::FORMAT);
    /// FCDO UK Sanctions List XML.
    pub const GbFcdoXml: Format = Format(&formats::gb_fcdo::FORMAT);
    /// OFSI consolidated list CSV (ConList.csv layout).
    pub const GbOfsiCsv: Format = Format(&formats::gb_ofsi::FORMAT);
    /// BIS Denied Persons List, tab-separated.
    pub const BisDpl: Format = Format(&formats::bis_dpl::FORMAT);
    /// US Consolidated Screening List CSV (trade.gov).
    pub const UsCsl: Format = Format(&formats::us_csl::FORMAT);
    /// OpenSanctions FollowTheMoney entities (JSON lines), including delta files.
    pub const FtmJson: Format = Format(&formats::ftm_json::FORMAT);
    /// watchlist's own custom-list CSV.
    pub const CustomCsv: Format = Format(&formats::custom_csv::FORMAT);
}

impl Format {
    /// Every registered format, in [`FORMATS`] (sniffing) order.
    pub const ALL: [Format; COUNT] = {
        let mut all = [Format(FORMATS[0]); COUNT];
        let mut i = 0;
        while i < COUNT {
            all[i] = Format(FORMATS[i]);
            i += 1;
        }
        all
    };

    /// The registered format with this [`name`](ListFormat::name) (as stored in list metadata).
    pub fn named(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The format's implementation.
    pub fn list_format(&self) -> &'static dyn ListFormat {
        self.0
    }

    /// Short machine name, stored in list metadata.
    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    /// What people call the format (`OFAC CSV`, …).
    pub fn describe(&self) -> &'static str {
        self.0.describe()
    }

    /// Whether the file whose head is given looks like this format.
    pub fn sniff(&self, head: &Head) -> bool {
        self.0.sniff(head)
    }

    /// Parses one set with this format's parser.
    pub fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        self.0.parse(set, emit)
    }

    /// Place in [`FORMATS`]; formats not in it sort after all that are.
    fn position(&self) -> usize {
        FORMATS
            .iter()
            .position(|f| f.name() == self.as_str())
            .unwrap_or(COUNT)
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Format {}

impl Hash for Format {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Format {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Format {
    fn cmp(&self, other: &Self) -> Ordering {
        self.position()
            .cmp(&other.position())
            .then_with(|| self.as_str().cmp(other.as_str()))
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Format").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reason given for a file no format claims: every format's description, in registry
/// order.
pub(crate) fn unknown_format_reason() -> String {
    let names: Vec<&str> = FORMATS.iter().map(|f| f.describe()).collect();
    let list = match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("unknown list format: not {list} (see docs/formats.md)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The names of the formats shipped before the registry, in their detection order. They
    /// are stored in list metadata and hashed into list versions, so they never change.
    const SHIPPED: [&str; 9] = [
        "ofac_csv",
        "un_xml",
        "eu_fsf_xml",
        "gb_fcdo_xml",
        "gb_ofsi_csv",
        "bis_dpl",
        "us_csl",
        "ftm_json",
        "custom_csv",
    ];

    #[test]
    fn names_are_unique_and_shipped_names_keep_their_order() {
        let names: Vec<&str> = FORMATS.iter().map(|f| f.name()).collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(
            unique.len(),
            names.len(),
            "duplicate format name in {names:?}"
        );
        // Formats added later may sit anywhere; the shipped ones stay, in the same order.
        let shipped: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| SHIPPED.contains(n))
            .collect();
        assert_eq!(shipped, SHIPPED);
    }

    #[test]
    fn descriptions_are_unique_and_not_empty() {
        let all: HashSet<&str> = FORMATS.iter().map(|f| f.describe()).collect();
        assert_eq!(all.len(), FORMATS.len());
        assert!(all.iter().all(|d| !d.trim().is_empty()));
    }

    #[test]
    fn handles_follow_the_registry() {
        let names: Vec<&str> = Format::ALL.iter().map(Format::as_str).collect();
        let registry: Vec<&str> = FORMATS.iter().map(|f| f.name()).collect();
        assert_eq!(names, registry);
        for (i, f) in Format::ALL.into_iter().enumerate() {
            assert_eq!(Format::named(f.as_str()), Some(f));
            assert_eq!(f.position(), i);
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!(Format::named("no_such_format"), None);
        let named = [
            (Format::OfacCsv, "ofac_csv"),
            (Format::UnXml, "un_xml"),
            (Format::EuFsfXml, "eu_fsf_xml"),
            (Format::GbFcdoXml, "gb_fcdo_xml"),
            (Format::GbOfsiCsv, "gb_ofsi_csv"),
            (Format::BisDpl, "bis_dpl"),
            (Format::UsCsl, "us_csl"),
            (Format::FtmJson, "ftm_json"),
            (Format::CustomCsv, "custom_csv"),
        ];
        for (f, name) in named {
            assert_eq!(f.as_str(), name);
            assert_eq!(Format::named(name), Some(f));
        }
        assert!(Format::OfacCsv < Format::UnXml && Format::FtmJson < Format::CustomCsv);
        assert_ne!(Format::OfacCsv, Format::UnXml);
        assert_eq!(format!("{:?}", Format::UnXml), "Format(\"un_xml\")");
    }

    #[test]
    fn unknown_format_reason_lists_every_format() {
        assert_eq!(
            unknown_format_reason(),
            "unknown list format: not OFAC CSV, UN XML, EU FSF XML, UK FCDO XML, OFSI CSV, BIS DPL, CSL CSV, FollowTheMoney JSON or watchlist custom CSV (see docs/formats.md)"
        );
    }

    #[test]
    fn default_grouping_makes_one_set_per_file() {
        let heads = vec![
            Head::from_bytes("b.xml", b"<x/>"),
            Head::from_bytes("a.xml", b"<x/>"),
        ];
        let sets = formats::un_xml::FORMAT.group(heads).unwrap();
        assert_eq!(
            sets,
            [
                SourceSet::single(Format::UnXml, "b.xml"),
                SourceSet::single(Format::UnXml, "a.xml"),
            ]
        );
        assert!(FORMATS
            .iter()
            .filter(|f| f.combines_files())
            .map(|f| f.name())
            .eq(["ofac_csv", "ftm_json"]));
    }
}
