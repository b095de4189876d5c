//! Country names to ISO 3166-1 alpha-2 codes.
//!
//! The table (`data/countries.tsv`) holds each code's English short name and the other names,
//! adjectives and spellings sanctions lists use ("Korea, North", "Democratic People's Republic
//! of Korea", "Iranian"). Lookup ignores case, diacritics-free punctuation and spacing.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/countries.tsv");

struct Countries {
    by_key: HashMap<String, &'static str>,
    names: HashMap<&'static str, &'static str>,
}

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn table() -> &'static Countries {
    static T: OnceLock<Countries> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_key = HashMap::new();
        let mut names = HashMap::new();
        for line in TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut cols = line.split('\t');
            let (Some(code), Some(name)) = (cols.next(), cols.next()) else {
                continue;
            };
            names.insert(code, name);
            by_key.insert(key(name), code);
            if let Some(aliases) = cols.next() {
                for a in aliases.split('|') {
                    by_key.entry(key(a)).or_insert(code);
                }
            }
        }
        Countries { by_key, names }
    })
}

/// The ISO code for a country name, alias, adjective or an ISO alpha-2 code itself.
/// Returns `None` when the text names no country the table knows.
///
/// ```
/// assert_eq!(model::country::code("Korea, North"), Some("kp"));
/// assert_eq!(model::country::code("Democratic People's Republic of Korea"), Some("kp"));
/// assert_eq!(model::country::code("KP"), Some("kp"));
/// assert_eq!(model::country::code("Atlantis"), None);
/// ```
pub fn code(name: &str) -> Option<&'static str> {
    let t = table();
    let trimmed = name.trim();
    if trimmed.len() == 2 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        let lower = trimmed.to_ascii_lowercase();
        if let Some((code, _)) = t.names.get_key_value(lower.as_str()) {
            return Some(code);
        }
    }
    t.by_key.get(&key(trimmed)).copied()
}

/// The English short name for an ISO alpha-2 code (any case).
pub fn name(code: &str) -> Option<&'static str> {
    table()
        .names
        .get(code.to_ascii_lowercase().as_str())
        .copied()
}

/// True when `code` is a code the table knows (lower case).
pub fn is_code(code: &str) -> bool {
    table().names.contains_key(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_spellings_resolve() {
        assert_eq!(code("Iran (Islamic Republic of)"), Some("ir"));
        assert_eq!(code("Russian Federation"), Some("ru"));
        assert_eq!(code("russian"), Some("ru"));
        assert_eq!(code("Congo, Democratic Republic of the"), Some("cd"));
        assert_eq!(code("Syrian Arab Republic"), Some("sy"));
        assert_eq!(code("United Kingdom"), Some("gb"));
        assert_eq!(name("KP"), Some("North Korea"));
        assert!(table().names.len() > 240);
    }
}
