//! Partial dates as sanctions lists publish them: a year, a year and month, a full date,
//! "circa" dates and ranges ("1950 to 1951").
//!
//! Text form (used in JSON, snapshots and the custom-list format):
//! `1984`, `1984-01`, `1984-01-08`, `~1960` (circa), `1950..1951` (range, inclusive).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar date known to year, month or day precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// The year; [`PartialDate::new`] and the parsers accept 1000 to 2999.
    pub year: i32,
    /// The month, 1 to 12; `None` for a date known to the year only.
    pub month: Option<u8>,
    /// The day of the month; only set together with `month`, and a day that month has
    /// when the date was built by [`PartialDate::new`] or parsed.
    pub day: Option<u8>,
}

/// A published date: exact at some precision, approximate, or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateValue {
    /// Exactly this date, at the precision given.
    Exact(PartialDate),
    /// "circa", "approximately": the publisher is unsure.
    Circa(PartialDate),
    /// An inclusive range: "1950 to 1951", "between 1955 and 1958".
    Range(PartialDate, PartialDate),
}

/// Error for a date string that is not one of the forms above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a date: {0:?} (expected YYYY, YYYY-MM, YYYY-MM-DD, ~YYYY or YYYY..YYYY)")]
pub struct DateError(pub String);

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

impl PartialDate {
    /// A date of year precision.
    pub fn year(year: i32) -> Self {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// Builds a date, checking that month and day exist (a day needs a month).
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Option<Self> {
        if !(1000..=2999).contains(&year) {
            return None;
        }
        match (month, day) {
            (None, Some(_)) => None,
            (Some(m), _) if !(1..=12).contains(&m) => None,
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => None,
            _ => Some(PartialDate { year, month, day }),
        }
    }

    /// Precision: 1 = year, 2 = month, 3 = day.
    pub fn precision(&self) -> u8 {
        1 + self.month.is_some() as u8 + self.day.is_some() as u8
    }

    /// Parses the ISO-like forms `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (a time part after `T` is
    /// ignored) and the forms lists use in prose: `08 Jan 1984`, `8 January 1984`, `Jan 1984`,
    /// `January 08, 1984`, `DD/MM/YYYY`, `DD.MM.YYYY`. Returns `None` for anything else.
    pub fn parse_loose(s: &str) -> Option<Self> {
        let s = s.trim().trim_end_matches('.');
        let s = s.split('T').next().unwrap_or(s).trim();
        if s.is_empty() {
            return None;
        }
        if let Ok(d) = parse_iso(s) {
            return Some(d);
        }
        // DD/MM/YYYY or DD.MM.YYYY (European order; US lists use prose months).
        for sep in ['/', '.'] {
            let parts: Vec<&str> = s.split(sep).collect();
            if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
                let (d, m, y) = (
                    parts[0].parse().ok()?,
                    parts[1].parse().ok()?,
                    parts[2].parse().ok()?,
                );
                if parts[2].len() == 4 {
                    return PartialDate::new(y, Some(m), Some(d));
                }
                if parts[0].len() == 4 {
                    return PartialDate::new(d as i32, Some(m), Some(y as u8));
                }
                return None;
            }
        }
        // Prose: tokens of day, month name, year in any of the usual orders.
        let mut year = None;
        let mut month = None;
        let mut day = None;
        for tok in s
            .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
            .filter(|t| !t.is_empty())
        {
            let lower = tok.to_ascii_lowercase();
            let lower = lower.trim_end_matches('.');
            if let Some(i) = MONTHS
                .iter()
                .position(|m| lower.len() >= 3 && lower.starts_with(m))
            {
                if month.is_some() {
                    return None;
                }
                month = Some(i as u8 + 1);
            } else if lower.chars().all(|c| c.is_ascii_digit()) {
                let n: i32 = lower.parse().ok()?;
                if lower.len() == 4 && year.is_none() {
                    year = Some(n);
                } else if lower.len() <= 2 && day.is_none() {
                    day = Some(n as u8);
                } else {
                    return None;
                }
            } else {
                return None;
            }
        }
        PartialDate::new(year?, month, if month.is_some() { day } else { None }).filter(|_| {
            // a bare day number without a month is not a date
            month.is_some() || day.is_none()
        })
    }

    /// Earliest and latest full dates (y, m, d) this partial date may stand for.
    pub fn bounds(&self) -> ((i32, u8, u8), (i32, u8, u8)) {
        match (self.month, self.day) {
            (Some(m), Some(d)) => ((self.year, m, d), (self.year, m, d)),
            (Some(m), None) => (
                (self.year, m, 1),
                (self.year, m, days_in_month(self.year, m)),
            ),
            _ => ((self.year, 1, 1), (self.year, 12, 31)),
        }
    }
}

fn parse_iso(s: &str) -> Result<PartialDate, DateError> {
    let err = || DateError(s.to_string());
    let parts: Vec<&str> = s.split('-').collect();
    if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
        return Err(err());
    }
    let num = |p: &str, len: usize| -> Result<u32, DateError> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        p.parse().map_err(|_| err())
    };
    let year = num(parts[0], 4)? as i32;
    let month = parts
        .get(1)
        .map(|p| num(p, 2))
        .transpose()?
        .map(|m| m as u8);
    let day = parts
        .get(2)
        .map(|p| num(p, 2))
        .transpose()?
        .map(|d| d as u8);
    PartialDate::new(year, month, day).ok_or_else(err)
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_iso(s.trim())
    }
}

impl DateValue {
    /// The earliest and latest full dates this value may stand for. A circa date widens
    /// by one year on each side.
    pub fn bounds(&self) -> ((i32, u8, u8), (i32, u8, u8)) {
        match self {
            DateValue::Exact(d) => d.bounds(),
            DateValue::Circa(d) => {
                let (lo, hi) = d.bounds();
                ((lo.0 - 1, lo.1, lo.2), (hi.0 + 1, hi.1, hi.2))
            }
            DateValue::Range(a, b) => (a.bounds().0, b.bounds().1),
        }
    }

    /// The single date for exact and circa values; the start for ranges.
    pub fn start(&self) -> PartialDate {
        match self {
            DateValue::Exact(d) | DateValue::Circa(d) | DateValue::Range(d, _) => *d,
        }
    }

    /// Parses prose as lists write it: "circa 1960", "ca. 1960", "approximately 1960",
    /// "1950 to 1951", "between 1955 and 1958", "1984-01-08", "08 Jan 1984". `None` otherwise.
    pub fn parse_loose(s: &str) -> Option<Self> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        for prefix in [
            "circa",
            "approximately",
            "approx.",
            "approx",
            "ca.",
            "c.",
            "about",
        ] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                if rest.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit()) {
                    return PartialDate::parse_loose(rest).map(DateValue::Circa);
                }
            }
        }
        let body = lower.strip_prefix("between ").unwrap_or(&lower);
        for sep in [" to ", " and ", "..", " - ", "–"] {
            if let Some((a, b)) = body.split_once(sep) {
                let (a, b) = (PartialDate::parse_loose(a)?, PartialDate::parse_loose(b)?);
                return (a <= b).then_some(DateValue::Range(a, b));
            }
        }
        PartialDate::parse_loose(t).map(DateValue::Exact)
    }
}

/// A date read leniently from what a person or a system typed: the value, and a note when
/// only part of it could be used (the precision that is valid is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientDate {
    /// The date as read, at the precision that could be used.
    pub value: DateValue,
    /// What was not used, for a warning (`None` when the whole text was read).
    pub note: Option<String>,
}

/// Keeps the valid precision of a year, month and day: `1974-01-32` is 1974-01 (day 32 is
/// no day of January), `1974-13-01` is 1974. `None` when the year itself is out of range.
fn keep_valid(
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
) -> Option<(PartialDate, Option<String>)> {
    let y = PartialDate::new(year, None, None)?;
    let Some(m) = month else {
        return Some((y, None));
    };
    let Some(ym) = u8::try_from(m)
        .ok()
        .and_then(|m| PartialDate::new(year, Some(m), None))
    else {
        return Some((
            y,
            Some(format!(
                "month {m} does not exist; only the year {year} was used"
            )),
        ));
    };
    let Some(d) = day else {
        return Some((ym, None));
    };
    match u8::try_from(d)
        .ok()
        .and_then(|d| PartialDate::new(year, ym.month, Some(d)))
    {
        Some(full) => Some((full, None)),
        None => Some((
            ym,
            Some(format!(
                "day {d} does not exist in {ym}; only {ym} was used"
            )),
        )),
    }
}

impl DateValue {
    /// Reads a date as leniently as it can be read without guessing: every form
    /// [`DateValue::parse_loose`] and `FromStr` take, unpadded numbers (`1969-7-16`,
    /// `16.7.1969`), month/day order when the day cannot be a month (`7/16/1969`), a time
    /// part, and a date whose day or month does not exist (`1974-01-32` is 1974-01, with a
    /// note). The error says why nothing could be read.
    pub fn read_lenient(s: &str) -> Result<LenientDate, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty".into());
        }
        let exact = |value| LenientDate { value, note: None };
        if let Ok(v) = t.parse::<DateValue>() {
            return Ok(exact(v));
        }
        if let Some(v) = DateValue::parse_loose(t) {
            return Ok(exact(v));
        }
        // a time part after the date (`1969-7-16T00:00`, `1969-7-16 12:00:00`) is dropped
        let day_part = match t.split_once(['T', ' ']) {
            Some((d, time)) if time.contains(':') => d,
            _ => t,
        }
        .trim_end_matches(['Z', '.']);
        let parts: Vec<&str> = day_part.split(['-', '/', '.']).collect();
        let numeric = parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
        if numeric && (1..=3).contains(&parts.len()) {
            let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
            let read = if parts[0].len() == 4 {
                keep_valid(n[0] as i32, n.get(1).copied(), n.get(2).copied())
            } else if parts.len() == 3 && parts[2].len() == 4 {
                let (a, b, y) = (n[0], n[1], n[2] as i32);
                if a <= 31 && b > 12 && a <= 12 {
                    // month/day/year: the second number cannot be a month
                    keep_valid(y, Some(a), Some(b)).map(|(d, note)| {
                        (d, note.or(Some(format!("read as month/day/year ({d})"))))
                    })
                } else {
                    keep_valid(y, Some(b), Some(a))
                }
            } else if parts.len() == 2 && parts[1].len() == 4 {
                keep_valid(n[1] as i32, Some(n[0]), None)
            } else {
                None
            };
            if let Some((d, note)) = read {
                return Ok(LenientDate {
                    value: DateValue::Exact(d),
                    note: note.or_else(|| Some(format!("read as {d}"))),
                });
            }
        }
        // a text with one plausible year in it ("born 1969?", "1969 (approx)")
        let years: Vec<i32> = t
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse().ok())
            .filter(|y| (1800..=2100).contains(y))
            .collect();
        if let [y] = years[..] {
            return Ok(LenientDate {
                value: DateValue::Exact(PartialDate::year(y)),
                note: Some(format!("only the year {y} could be read")),
            });
        }
        Err("not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)".into())
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateValue::Exact(d) => write!(f, "{d}"),
            DateValue::Circa(d) => write!(f, "~{d}"),
            DateValue::Range(a, b) => write!(f, "{a}..{b}"),
        }
    }
}

impl FromStr for DateValue {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix('~') {
            return Ok(DateValue::Circa(rest.parse()?));
        }
        if let Some((a, b)) = s.split_once("..") {
            let (a, b): (PartialDate, PartialDate) = (a.parse()?, b.parse()?);
            if a > b {
                return Err(DateError(s.to_string()));
            }
            return Ok(DateValue::Range(a, b));
        }
        Ok(DateValue::Exact(s.parse()?))
    }
}

macro_rules! serde_via_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_string!(PartialDate);
serde_via_string!(DateValue);

#[cfg(test)]
mod tests {
    #[test]
    fn lenient_dates_keep_the_precision_that_is_valid() {
        let read =
            |s: &str| DateValue::read_lenient(s).map(|d| (d.value.to_string(), d.note.is_some()));
        assert_eq!(read("1969-7-16"), Ok(("1969-07-16".into(), true)));
        assert_eq!(read("1974-02-6"), Ok(("1974-02-06".into(), true)));
        assert_eq!(read("1974-01-32"), Ok(("1974-01".into(), true)));
        assert_eq!(read("1974-13-02"), Ok(("1974".into(), true)));
        assert_eq!(read("16.7.1969"), Ok(("1969-07-16".into(), false)));
        assert_eq!(read("7/16/1969"), Ok(("1969-07-16".into(), true)));
        assert_eq!(
            read("1969-07-16T00:00:00Z"),
            Ok(("1969-07-16".into(), false))
        );
        assert_eq!(read("born 1969?"), Ok(("1969".into(), true)));
        assert_eq!(read("~1960"), Ok(("~1960".into(), false)));
        assert!(read("").is_err());
        assert!(read("soon").is_err());
        assert!(read("1969 or 1970").is_err());
    }

    use super::*;

    #[test]
    fn parses_list_prose() {
        assert_eq!(
            PartialDate::parse_loose("08 Jan 1984").unwrap().to_string(),
            "1984-01-08"
        );
        assert_eq!(
            PartialDate::parse_loose("Jan 1984").unwrap().to_string(),
            "1984-01"
        );
        assert_eq!(
            PartialDate::parse_loose("1984").unwrap().to_string(),
            "1984"
        );
        assert_eq!(
            PartialDate::parse_loose("29/06/2012").unwrap().to_string(),
            "2012-06-29"
        );
        assert_eq!(
            PartialDate::parse_loose("2026-02-27T00:00:09Z")
                .unwrap()
                .to_string(),
            "2026-02-27"
        );
        assert!(PartialDate::parse_loose("31 Feb 1984").is_none());
        assert!(PartialDate::parse_loose("Kabul").is_none());
        assert_eq!(
            DateValue::parse_loose("circa 1960").unwrap().to_string(),
            "~1960"
        );
        assert_eq!(
            DateValue::parse_loose("1950 to 1951").unwrap().to_string(),
            "1950..1951"
        );
        assert_eq!(
            DateValue::parse_loose("Between 1955 and 1958")
                .unwrap()
                .to_string(),
            "1955..1958"
        );
    }

    #[test]
    fn text_form_round_trips() {
        for s in ["1984", "1984-01", "1984-01-08", "~1960", "1950..1951"] {
            assert_eq!(s.parse::<DateValue>().unwrap().to_string(), s);
        }
        assert!("1984-13".parse::<DateValue>().is_err());
        assert!("1952..1951".parse::<DateValue>().is_err());
    }

    #[test]
    fn bounds_cover_precision() {
        let d: DateValue = "1984-02".parse().unwrap();
        assert_eq!(d.bounds(), ((1984, 2, 1), (1984, 2, 29)));
        let c: DateValue = "~1960".parse().unwrap();
        assert_eq!(c.bounds(), ((1959, 1, 1), (1961, 12, 31)));
    }
}
