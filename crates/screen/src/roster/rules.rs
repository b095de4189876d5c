//! Roster rules as data: `data/rules/roster.toml`. Each rule has an id, a title, a severity,
//! its source, and `when` conditions that must all hold (see the file's header for their
//! meaning). The conditions are a fixed vocabulary evaluated by
//! [`RosterScreener::screen_row`](super::RosterScreener::screen_row); adding or changing a
//! rule is an edit of the data file.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The shipped rules file.
pub const RULES_TOML: &str = include_str!("../../../../data/rules/roster.toml");

/// How a rule's hits are reported (the `severity` of a [`super::RowHit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// `hit`: the condition is a finding.
    Hit,
    /// `review`: for an analyst to look at.
    Review,
}

/// Conditions of a rule; all given ones must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The row's nationality is one of these ISO codes.
    #[serde(default)]
    pub nationality: Vec<String>,
    /// The work country is known and none of these.
    #[serde(default)]
    pub work_country_not: Vec<String>,
    /// An address names a sanctioned country or region.
    #[serde(default)]
    pub address_region: bool,
    /// The employer is listed or named in a listed entity's relations.
    #[serde(default)]
    pub employer_linked: bool,
}

/// One rule of `data/rules/roster.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule's id, given as the hit's `match` (`unscr-2397-op8-dprk-worker-abroad`).
    pub id: String,
    /// What the rule finds, given as the hit's caption.
    pub title: String,
    /// How its hits are reported; an address hit is also `review` when its strongest region
    /// reference is for review.
    pub severity: Severity,
    /// Where the rule comes from (a resolution, a regulation); quoted in the hit's detail for
    /// nationality rules.
    pub source: String,
    /// The conditions: all given ones must hold, and a rule has at least one.
    pub when: When,
}

#[derive(Debug, Deserialize)]
struct File {
    rule: Vec<Rule>,
}

/// Parses a rules file.
pub fn parse(text: &str) -> Result<Vec<Rule>, String> {
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for r in &f.rule {
        let w = &r.when;
        if w.nationality.is_empty()
            && w.work_country_not.is_empty()
            && !w.address_region
            && !w.employer_linked
        {
            return Err(format!("rule {}: no condition", r.id));
        }
    }
    Ok(f.rule)
}

/// The shipped rules.
pub fn shipped() -> &'static [Rule] {
    static R: OnceLock<Vec<Rule>> = OnceLock::new();
    R.get_or_init(|| parse(RULES_TOML).expect("data/rules/roster.toml is valid (tested)"))
}
