//! Errors as the user sees them: a message, optional hint lines, and an exit code.

use sources::snapshot::SnapshotError;
use std::fmt;
use std::process::ExitCode;

/// The documented exit codes (see `watchlist --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// I/O, network, corrupt data directory, anything else.
    Failure = 1,
    /// A list file that cannot be read, an invalid argument or id.
    BadInput = 2,
    /// No such entity or snapshot.
    NotFound = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A failed command.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    /// Further lines printed after the message (what stayed unchanged, what to do).
    pub hints: Vec<String>,
    /// Print nothing (the reader of our output went away: `watchlist lists | head`).
    pub silent: bool,
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            hints: Vec::new(),
            silent: false,
        }
    }
    pub fn failure(message: impl Into<String>) -> Self {
        CliError::new(Exit::Failure, message)
    }
    pub fn bad_input(message: impl Into<String>) -> Self {
        CliError::new(Exit::BadInput, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        CliError::new(Exit::NotFound, message)
    }
    /// Adds a line printed after the message.
    pub fn hint(mut self, line: impl Into<String>) -> Self {
        self.hints.push(line.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<SnapshotError> for CliError {
    fn from(e: SnapshotError) -> Self {
        let exit = match &e {
            SnapshotError::Parse(_) | SnapshotError::DuplicateList { .. } => Exit::BadInput,
            SnapshotError::UnknownSnapshot(_) => Exit::NotFound,
            SnapshotError::Io { .. } | SnapshotError::Corrupt { .. } => Exit::Failure,
        };
        CliError::new(exit, e.to_string())
    }
}

impl From<sources::ParseError> for CliError {
    fn from(e: sources::ParseError) -> Self {
        CliError::bad_input(e.to_string())
    }
}

impl From<sources::download::DownloadError> for CliError {
    fn from(e: sources::download::DownloadError) -> Self {
        use sources::download::DownloadError as D;
        let exit = match &e {
            D::Config { .. } | D::UnknownList { .. } => Exit::BadInput,
            _ => Exit::Failure,
        };
        CliError::new(exit, e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        let broken_pipe = e.kind() == std::io::ErrorKind::BrokenPipe;
        CliError {
            silent: broken_pipe,
            ..CliError::failure(e.to_string())
        }
    }
}
