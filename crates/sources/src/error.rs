//! The one error of reading a list file, [`ParseError`]: the file, the [`Position`] in it and
//! the reason, displayed as `file: line 3, column 7: reason`.

use std::fmt;
use std::path::Path;

/// Where in a file something went wrong. Any subset may be known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: Option<u64>,
    /// 1-based column (characters) where known.
    pub column: Option<u64>,
    /// 0-based byte offset.
    pub byte: Option<u64>,
    /// The record: the publisher's id or the record's ordinal ("record 12", "ent_num 306").
    pub record: Option<String>,
}

impl Position {
    /// A position known by its 1-based line only.
    pub fn line(line: u64) -> Self {
        Position {
            line: Some(line),
            ..Default::default()
        }
    }
    /// A position known by its 0-based byte offset only.
    pub fn byte(byte: u64) -> Self {
        Position {
            byte: Some(byte),
            ..Default::default()
        }
    }
    /// A position known by its record only ("record 12", "ent_num 306").
    pub fn record(record: impl Into<String>) -> Self {
        Position {
            record: Some(record.into()),
            ..Default::default()
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(l) = self.line {
            parts.push(match self.column {
                Some(c) => format!("line {l}, column {c}"),
                None => format!("line {l}"),
            });
        }
        if let Some(b) = self.byte {
            parts.push(format!("byte {b}"));
        }
        if let Some(r) = &self.record {
            parts.push(r.clone());
        }
        f.write_str(&parts.join(", "))
    }
}

/// A list file that could not be read: which file, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The file as the user named it.
    pub file: String,
    /// Where in the file; empty (all `None`) for an error about the file as a whole.
    pub position: Position,
    /// What is wrong, in plain words, without the file and position (the `Display` adds
    /// them).
    pub reason: String,
}

impl ParseError {
    /// An error at `position` in `file` (the path is kept as displayed).
    pub fn new(file: impl AsRef<Path>, position: Position, reason: impl Into<String>) -> Self {
        ParseError {
            file: file.as_ref().display().to_string(),
            position,
            reason: reason.into(),
        }
    }

    /// An error about the file as a whole (cannot open, unknown format…).
    pub fn file(file: impl AsRef<Path>, reason: impl Into<String>) -> Self {
        ParseError::new(file, Position::default(), reason)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pos = self.position.to_string();
        if pos.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, pos, self.reason)
        }
    }
}
