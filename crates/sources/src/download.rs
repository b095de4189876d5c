//! Downloading the official lists over HTTP(S), for `watchlist update`.
//!
//! Where to download from is a [`SourcesConfig`]: `data/sources.toml` in the repository is
//! compiled in as [`DEFAULT_SOURCES`]; another file of the same layout can replace it. Each
//! [`ListSource`] names a list key and the files of one publication of that list.
//!
//! [`Downloader::fetch_list`] downloads every file of one list into a fresh staging folder:
//!
//! - blocking HTTP(S) with [ureq] and rustls (no OpenSSL), proxies from the usual environment
//!   variables, redirects followed;
//! - conditional requests: the `ETag` and `Last-Modified` of each URL are kept in
//!   `<data_dir>/download-state.json` together with the file that was last imported, under
//!   `<data_dir>/downloads/<list>/`; a `304 Not Modified` reuses that file;
//! - a size limit per file (`Content-Length` checked up front, bytes counted while reading),
//!   connect, per-read and whole-request timeouts;
//! - a body shorter than its `Content-Length` (a cut-off transfer) is an error, never a file;
//! - bounded retries with exponential backoff on 5xx/429/408 answers, timeouts and cut-off
//!   transfers; an unreachable host (refused connection, unknown name, TLS failure) is not
//!   retried;
//! - an optional sha256 per file in the configuration is verified.
//!
//! Nothing in the data directory changes until the caller has imported the staged files and
//! calls [`Downloader::commit`], which keeps them as the new reference copies and records
//! their validators. A failed download or a failed import therefore leaves the snapshot in
//! service, the kept files and the download state exactly as they were, and the next update
//! asks for the files again.

use crate::snapshot::write_atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sources configuration compiled into the binary (`data/sources.toml`).
pub const DEFAULT_SOURCES: &str = include_str!("../../../data/sources.toml");

/// Longest wait between two attempts, whatever the backoff or `Retry-After` say.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Why a download did not produce a usable file.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The sources configuration is not valid TOML of the expected layout, or fails a check
    /// (limits, duplicate keys or file names, URLs, sha256 digests).
    #[error("{origin}: invalid sources configuration: {reason}")]
    Config {
        /// The configuration's file path, or "built-in data/sources.toml".
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A list asked for by name is not in the configuration.
    #[error("unknown list {key:?} in the sources configuration (known: {known})")]
    UnknownList {
        /// The key asked for.
        key: String,
        /// The configuration's list keys, comma-separated.
        known: String,
    },
    /// The host could not be reached: unknown name, refused or failed connection, a connect
    /// or name-resolution timeout, or a TLS failure. Not retried.
    #[error("could not reach {host}: {reason} ({url})")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// Its host (and port), see [`host_of`].
        host: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with a status other than 2xx or 304. Retried for 5xx, 429 and 408.
    #[error("{url}: HTTP {status}{}", attempts_note(*attempts))]
    Http {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Attempts made, the last one included.
        attempts: u32,
    },
    /// The request or a read of the body took longer than the configured timeouts (a
    /// connect timeout is [`DownloadError::Unreachable`]). Retried.
    #[error("{url}: {reason}{}", attempts_note(*attempts))]
    Timeout {
        /// The URL requested.
        url: String,
        /// Which timeout fired (and, during the body, how many bytes had arrived).
        reason: String,
        /// Attempts made, the last one included.
        attempts: u32,
    },
    /// The transfer ended early: fewer bytes than `Content-Length`, or the connection was
    /// lost. Retried; a cut-off file is never kept.
    #[error("{url}: truncated download: {}{}", truncation(*got, *expected, reason), attempts_note(*attempts))]
    Truncated {
        /// The URL requested.
        url: String,
        /// Bytes received before the end.
        got: u64,
        /// The `Content-Length` announced, if any.
        expected: Option<u64>,
        /// Why: the length differs from `Content-Length`, or the I/O error met.
        reason: String,
        /// Attempts made, the last one included.
        attempts: u32,
    },
    /// The file is larger than `settings.max_bytes`, by its `Content-Length` or by the bytes
    /// counted while reading. Not retried.
    #[error("{url}: file larger than the limit of {limit} bytes{}", size.map(|s| format!(" (Content-Length {s})")).unwrap_or_default())]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit, `settings.max_bytes`.
        limit: u64,
        /// The `Content-Length` the server sent, if any.
        size: Option<u64>,
    },
    /// The downloaded file's sha256 differs from the one in the configuration. Not retried.
    #[error("{url}: sha256 mismatch: expected {expected}, got {actual}")]
    Checksum {
        /// The URL requested.
        url: String,
        /// The configured digest, lower-case hex.
        expected: String,
        /// The digest of what arrived, lower-case hex.
        actual: String,
    },
    /// Any other failure of the exchange: a bad URL, a 304 to an unconditional request, or
    /// another error the HTTP client reports. Not retried.
    #[error("{url}: {reason}")]
    Protocol {
        /// The URL requested.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A local file or folder (data directory, staging folder, lock, download state) could
    /// not be read, written, renamed or locked.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Another downloader holds the data directory's `update.lock`; the value is the lock
    /// file's path.
    #[error("another `watchlist update` is running on this data directory ({0})")]
    Busy(String),
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn truncation(got: u64, expected: Option<u64>, reason: &str) -> String {
    match expected {
        Some(n) => format!("received {got} of {n} bytes ({reason})"),
        None => format!("connection ended after {got} bytes ({reason})"),
    }
}

impl DownloadError {
    /// True when the host could not be reached at all (no network, refused, unknown name).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, DownloadError::Unreachable { .. })
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DownloadError + '_ {
    move |source| DownloadError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Network limits and retry policy (`[settings]` in the sources file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Longest wait for a connection, in seconds; a host not reached in time counts as
    /// unreachable and is not retried.
    pub connect_timeout_secs: u64,
    /// Longest wait for data on one read.
    pub read_timeout_secs: u64,
    /// Longest time one request (headers and body) may take.
    pub total_timeout_secs: u64,
    /// Extra attempts after a transient failure (0-10).
    pub retries: u32,
    /// First backoff, in milliseconds, doubled per further attempt.
    pub backoff_ms: u64,
    /// User-Agent header; defaults to `watchlist/<version>`.
    pub user_agent: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_bytes: 200 * 1024 * 1024,
            connect_timeout_secs: 30,
            read_timeout_secs: 120,
            total_timeout_secs: 1800,
            retries: 3,
            backoff_ms: 2000,
            user_agent: None,
        }
    }
}

/// One list to download: its key and its files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSource {
    /// The list key the files are expected to produce.
    pub key: String,
    /// A readable title, for people reading the sources file; the imported list's title
    /// comes from its files or the built-in list table, not from here.
    #[serde(default)]
    pub title: Option<String>,
    /// The publisher's page about the list.
    #[serde(default)]
    pub docs: Option<String>,
    /// Caveats about the source (shown by `watchlist update --dry-run`).
    #[serde(default)]
    pub note: Option<String>,
    /// When false, the list is only updated when asked for by name.
    #[serde(default = "enabled_default")]
    pub enabled: bool,
    /// The files of one publication of the list, downloaded together into one folder and
    /// imported from it, formats detected by content (never empty; names unique, compared
    /// without case).
    pub files: Vec<FileSource>,
}

fn enabled_default() -> bool {
    true
}

/// One file of a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    /// The file name to save as (format detection and grouping look at it).
    pub name: String,
    /// Where to download it: an `http://` or `https://` URL.
    pub url: String,
    /// Expected sha256 of the file, hex.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// Where and how to download the lists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesConfig {
    /// Network limits and retries (`[settings]`; defaults when absent).
    #[serde(default)]
    pub settings: Settings,
    /// The lists (`[[list]]` tables), in file order; keys unique.
    #[serde(default, rename = "list")]
    pub lists: Vec<ListSource>,
}

impl SourcesConfig {
    /// The configuration compiled into the binary.
    pub fn builtin() -> Self {
        SourcesConfig::from_toml(DEFAULT_SOURCES, "built-in data/sources.toml")
            .expect("the built-in sources configuration is valid")
    }

    /// Reads a sources file.
    pub fn load(path: &Path) -> Result<Self, DownloadError> {
        let text = fs::read_to_string(path).map_err(io_err(path))?;
        SourcesConfig::from_toml(&text, &path.display().to_string())
    }

    /// Parses and checks a configuration; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, DownloadError> {
        let config: SourcesConfig = toml::from_str(text).map_err(|e| DownloadError::Config {
            origin: origin.to_string(),
            reason: e.to_string(),
        })?;
        config.validate().map_err(|reason| DownloadError::Config {
            origin: origin.to_string(),
            reason,
        })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        let s = &self.settings;
        if s.max_bytes == 0 {
            return Err("settings.max_bytes must be positive".into());
        }
        if s.retries > 10 {
            return Err("settings.retries must be at most 10".into());
        }
        if s.connect_timeout_secs == 0 || s.read_timeout_secs == 0 || s.total_timeout_secs == 0 {
            return Err("settings timeouts must be positive".into());
        }
        let mut keys = BTreeSet::new();
        for list in &self.lists {
            model::validate_list_key(&list.key).map_err(|e| e.to_string())?;
            if !keys.insert(list.key.as_str()) {
                return Err(format!("list {:?} appears twice", list.key));
            }
            if list.files.is_empty() {
                return Err(format!("list {:?} has no files", list.key));
            }
            let mut names = BTreeSet::new();
            for f in &list.files {
                validate_file(f)
                    .map_err(|r| format!("list {:?}, file {:?}: {r}", list.key, f.name))?;
                if !names.insert(f.name.to_ascii_lowercase()) {
                    return Err(format!(
                        "list {:?}: file name {:?} appears twice",
                        list.key, f.name
                    ));
                }
            }
        }
        Ok(())
    }

    /// The lists to update: those named (in the order given), or every enabled list.
    pub fn select(&self, keys: &[String]) -> Result<Vec<&ListSource>, DownloadError> {
        if keys.is_empty() {
            return Ok(self.lists.iter().filter(|l| l.enabled).collect());
        }
        let mut out: Vec<&ListSource> = Vec::new();
        for key in keys {
            let found = self.lists.iter().find(|l| &l.key == key).ok_or_else(|| {
                DownloadError::UnknownList {
                    key: key.clone(),
                    known: self
                        .lists
                        .iter()
                        .map(|l| l.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            if !out.iter().any(|l| l.key == found.key) {
                out.push(found);
            }
        }
        Ok(out)
    }
}

fn validate_file(f: &FileSource) -> Result<(), String> {
    let n = &f.name;
    if n.is_empty() || n.starts_with('.') || n.contains(['/', '\\', '\0']) || n.len() > 200 {
        return Err("name must be a plain file name (no folders, not starting with '.')".into());
    }
    if !(f.url.starts_with("https://") || f.url.starts_with("http://"))
        || host_of(&f.url).is_empty()
    {
        return Err(format!(
            "url {:?} must be an http:// or https:// URL",
            f.url
        ));
    }
    if let Some(h) = &f.sha256 {
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("sha256 must be 64 hexadecimal digits".into());
        }
    }
    Ok(())
}

/// The host (and port) part of a URL, for messages.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority)
}

/// What is remembered about one URL after a successful import of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// The list key the file was downloaded for.
    pub list: String,
    /// The file name it is kept under, in `<data_dir>/downloads/<list>/`.
    pub name: String,
    /// The `ETag` the server sent, sent back as `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent, sent back as `If-Modified-Since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The sha256 of the kept file, lower-case hex.
    pub sha256: String,
    /// The kept file's size in bytes; a kept file of another size is not reused.
    pub bytes: u64,
    /// When the file was last downloaded (RFC 3339, UTC).
    pub fetched_at: String,
}

/// `<data_dir>/download-state.json`: validators and hashes by URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadState {
    /// URL → what is remembered about it.
    #[serde(default)]
    pub files: BTreeMap<String, FileState>,
}

/// How one file of a list was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The server sent the file.
    Downloaded,
    /// The server answered 304: the kept copy is current.
    NotModified,
}

/// One staged file.
#[derive(Debug, Clone)]
pub struct FetchedFile {
    /// The file name from the configuration.
    pub name: String,
    /// The URL it came from.
    pub url: String,
    /// Its staged copy: the configured file name inside [`FetchedList::dir`].
    pub path: PathBuf,
    /// Downloaded, or the kept copy reused after a 304.
    pub outcome: FileOutcome,
    /// The state to record once the list is imported.
    pub state: FileState,
}

/// The files of one list, staged in a temporary folder that is removed unless committed.
#[derive(Debug)]
pub struct FetchedList {
    /// The list key from the configuration.
    pub key: String,
    dir: tempfile::TempDir,
    /// Every file of the list, in configuration order.
    pub files: Vec<FetchedFile>,
}

impl FetchedList {
    /// The staging folder holding every file of the list.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// True when the server said every file is unchanged.
    pub fn not_modified(&self) -> bool {
        self.files
            .iter()
            .all(|f| f.outcome == FileOutcome::NotModified)
    }

    /// Bytes received over the network for this list.
    pub fn downloaded_bytes(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.outcome == FileOutcome::Downloaded)
            .map(|f| f.state.bytes)
            .sum()
    }
}

/// Progress of a download, for display.
#[derive(Debug)]
pub enum DownloadEvent<'a> {
    /// A request is about to be sent (attempt 1, 2, …).
    Request {
        /// The list key.
        list: &'a str,
        /// The file name from the configuration.
        name: &'a str,
        /// The URL requested.
        url: &'a str,
        /// 1 for the first attempt.
        attempt: u32,
    },
    /// Response headers arrived; `total` is the Content-Length if any.
    Response {
        /// The HTTP status code.
        status: u16,
        /// The `Content-Length`, in bytes, if the server sent one.
        total: Option<u64>,
    },
    /// Bytes of the body received so far.
    Bytes(u64),
    /// The attempt failed in a way worth retrying; waiting `wait` before the next.
    Retry {
        /// The URL requested.
        url: &'a str,
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// The wait before the next attempt: the backoff, or the server's `Retry-After` when
        /// longer, at most 60 s.
        wait: Duration,
        /// The failure, as its error message.
        reason: String,
    },
    /// The file is staged.
    Done {
        /// The file name from the configuration.
        name: &'a str,
        /// Downloaded, or reused after a 304.
        outcome: &'a FileOutcome,
        /// The file's size in bytes.
        bytes: u64,
    },
}

/// One failed attempt: the error and whether another attempt may help.
struct Failure {
    error: DownloadError,
    transient: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(error: DownloadError) -> Self {
        Failure {
            error,
            transient: false,
            retry_after: None,
        }
    }
    fn transient(error: DownloadError) -> Self {
        Failure {
            error,
            transient: true,
            retry_after: None,
        }
    }
}

/// Downloads lists into `<data_dir>/downloads`, holding an exclusive lock on the data
/// directory's `update.lock` while it lives.
pub struct Downloader {
    agent: ureq::Agent,
    settings: Settings,
    downloads: PathBuf,
    state_path: PathBuf,
    state: DownloadState,
    _lock: File,
}

impl fmt::Debug for Downloader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Downloader")
            .field("downloads", &self.downloads)
            .field("settings", &self.settings)
            .finish()
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Downloader {
    /// Prepares downloads into `data_dir`. Fails with [`DownloadError::Busy`] when another
    /// update holds the data directory.
    pub fn new(data_dir: &Path, settings: &Settings) -> Result<Self, DownloadError> {
        fs::create_dir_all(data_dir).map_err(io_err(data_dir))?;
        let lock_path = data_dir.join("update.lock");
        let lock = File::create(&lock_path).map_err(io_err(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(DownloadError::Busy(lock_path.display().to_string()))
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err(&lock_path)(e)),
        }
        let state_path = data_dir.join("download-state.json");
        let state = match fs::read_to_string(&state_path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(
                    "{}: unreadable download state ({e}); downloading everything again",
                    state_path.display()
                );
                DownloadState::default()
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => DownloadState::default(),
            Err(e) => return Err(io_err(&state_path)(e)),
        };
        let user_agent = settings
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("watchlist/{}", env!("CARGO_PKG_VERSION")));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(settings.connect_timeout_secs)))
            .timeout_per_read(Some(Duration::from_secs(settings.read_timeout_secs)))
            .timeout_global(Some(Duration::from_secs(settings.total_timeout_secs)))
            .user_agent(user_agent)
            .build();
        Ok(Downloader {
            agent: ureq::Agent::new_with_config(config),
            settings: settings.clone(),
            downloads: data_dir.join("downloads"),
            state_path,
            state,
            _lock: lock,
        })
    }

    /// The remembered state of each URL.
    pub fn state(&self) -> &DownloadState {
        &self.state
    }

    fn kept_path(&self, list: &str, name: &str) -> PathBuf {
        self.downloads.join(list).join(name)
    }

    /// The remembered state of a URL, if its kept file is still there with the recorded size.
    fn prior(&self, list: &str, file: &FileSource) -> Option<&FileState> {
        let st = self.state.files.get(&file.url)?;
        let kept = self.kept_path(list, &file.name);
        let ok = st.list == list
            && st.name == file.name
            && fs::metadata(&kept).is_ok_and(|m| m.len() == st.bytes);
        ok.then_some(st)
    }

    /// Downloads (or confirms unchanged) every file of a list into a staging folder.
    pub fn fetch_list(
        &self,
        source: &ListSource,
        progress: &mut dyn FnMut(DownloadEvent),
    ) -> Result<FetchedList, DownloadError> {
        let staging = self.downloads.join(".staging");
        fs::create_dir_all(&staging).map_err(io_err(&staging))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("{}-", source.key))
            .tempdir_in(&staging)
            .map_err(io_err(&staging))?;
        let mut files = Vec::new();
        for file in &source.files {
            let dest = dir.path().join(&file.name);
            let prior = self.prior(&source.key, file);
            let fetched = self.fetch_file(&source.key, file, prior, &dest, progress)?;
            if fetched.outcome == FileOutcome::NotModified {
                link_or_copy(&self.kept_path(&source.key, &file.name), &dest)?;
            }
            progress(DownloadEvent::Done {
                name: &file.name,
                outcome: &fetched.outcome,
                bytes: fetched.state.bytes,
            });
            files.push(fetched);
        }
        Ok(FetchedList {
            key: source.key.clone(),
            dir,
            files,
        })
    }

    /// Keeps the files of an imported list as the reference copies and records their
    /// validators, so the next update can ask "changed since?".
    pub fn commit(&mut self, fetched: FetchedList) -> Result<(), DownloadError> {
        let dest = self.downloads.join(&fetched.key);
        let old = self.downloads.join(format!(".old-{}", fetched.key));
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        if dest.exists() {
            fs::rename(&dest, &old).map_err(io_err(&dest))?;
        }
        let staged = fetched.dir.keep();
        fs::rename(&staged, &dest).map_err(io_err(&dest))?;
        if old.exists() {
            let _ = fs::remove_dir_all(&old);
        }
        self.state.files.retain(|_, st| st.list != fetched.key);
        for f in fetched.files {
            self.state.files.insert(f.url, f.state);
        }
        let json = serde_json::to_vec_pretty(&self.state).expect("download state serialises");
        write_atomic(&self.state_path, &json).map_err(|e| DownloadError::Io {
            path: self.state_path.display().to_string(),
            source: io::Error::other(e.to_string()),
        })
    }

    /// One file, with retries on transient failures.
    fn fetch_file(
        &self,
        list: &str,
        file: &FileSource,
        prior: Option<&FileState>,
        dest: &Path,
        progress: &mut dyn FnMut(DownloadEvent),
    ) -> Result<FetchedFile, DownloadError> {
        let attempts = self.settings.retries + 1;
        let mut attempt = 0;
        loop {
            attempt += 1;
            progress(DownloadEvent::Request {
                list,
                name: &file.name,
                url: &file.url,
                attempt,
            });
            match self.attempt(list, file, prior, dest, progress) {
                Ok(fetched) => return Ok(fetched),
                Err(f) if f.transient && attempt < attempts => {
                    let wait = self.backoff(attempt, f.retry_after);
                    tracing::info!("{}: {}; retrying in {:?}", file.url, f.error, wait);
                    progress(DownloadEvent::Retry {
                        url: &file.url,
                        attempt,
                        wait,
                        reason: f.error.to_string(),
                    });
                    std::thread::sleep(wait);
                }
                Err(f) => return Err(with_attempts(f.error, attempt)),
            }
        }
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let base = Duration::from_millis(self.settings.backoff_ms);
        let exp = base.saturating_mul(1u32 << (attempt - 1).min(16));
        exp.max(retry_after.unwrap_or_default()).min(MAX_BACKOFF)
    }

    /// One request: a 304, or the body streamed to `dest` through a temporary file.
    fn attempt(
        &self,
        list: &str,
        file: &FileSource,
        prior: Option<&FileState>,
        dest: &Path,
        progress: &mut dyn FnMut(DownloadEvent),
    ) -> Result<FetchedFile, Failure> {
        let url = &file.url;
        let mut req = self.agent.get(url);
        if let Some(p) = prior {
            if let Some(etag) = &p.etag {
                req = req.header("If-None-Match", etag);
            }
            if let Some(lm) = &p.last_modified {
                req = req.header("If-Modified-Since", lm);
            }
        }
        let resp = req.call().map_err(|e| classify(url, e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let total = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        progress(DownloadEvent::Response { status, total });
        if status == 304 {
            return match prior {
                Some(p) => Ok(FetchedFile {
                    name: file.name.clone(),
                    url: url.clone(),
                    path: dest.to_path_buf(),
                    outcome: FileOutcome::NotModified,
                    state: FileState {
                        fetched_at: now_rfc3339(),
                        ..p.clone()
                    },
                }),
                None => Err(Failure::fatal(DownloadError::Protocol {
                    url: url.clone(),
                    reason: "HTTP 304 Not Modified to a request that was not conditional".into(),
                })),
            };
        }
        if !(200..300).contains(&status) {
            let transient = status >= 500 || status == 429 || status == 408;
            let retry_after = header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(Failure {
                error: DownloadError::Http {
                    url: url.clone(),
                    status,
                    attempts: 1,
                },
                transient,
                retry_after,
            });
        }
        let limit = self.settings.max_bytes;
        if let Some(n) = total.filter(|n| *n > limit) {
            return Err(Failure::fatal(DownloadError::TooLarge {
                url: url.clone(),
                limit,
                size: Some(n),
            }));
        }
        let etag = header("etag");
        let last_modified = header("last-modified");
        let body = resp.into_body();
        let reader = body.into_with_config().limit(limit).reader();
        let (sha256, bytes) = self.stream_to(url, reader, total, dest, progress)?;
        if let Some(expected) = &file.sha256 {
            if !expected.eq_ignore_ascii_case(&sha256) {
                return Err(Failure::fatal(DownloadError::Checksum {
                    url: url.clone(),
                    expected: expected.to_ascii_lowercase(),
                    actual: sha256,
                }));
            }
        }
        Ok(FetchedFile {
            name: file.name.clone(),
            url: url.clone(),
            path: dest.to_path_buf(),
            outcome: FileOutcome::Downloaded,
            state: FileState {
                list: list.to_string(),
                name: file.name.clone(),
                etag,
                last_modified,
                sha256,
                bytes,
                fetched_at: now_rfc3339(),
            },
        })
    }

    /// Streams a body into a temporary file beside `dest`, hashing and counting; renames it
    /// to `dest` only when the body is complete.
    fn stream_to(
        &self,
        url: &str,
        mut reader: impl Read,
        total: Option<u64>,
        dest: &Path,
        progress: &mut dyn FnMut(DownloadEvent),
    ) -> Result<(String, u64), Failure> {
        let dir = dest.parent().unwrap_or(Path::new("."));
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| Failure::fatal(io_err(dir)(e)))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0u64;
        let mut reported = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(body_failure(url, e, got, total, self.settings.max_bytes)),
            };
            tmp.write_all(&buf[..n])
                .map_err(|e| Failure::fatal(io_err(dest)(e)))?;
            hasher.update(&buf[..n]);
            got += n as u64;
            if got - reported >= 256 * 1024 {
                reported = got;
                progress(DownloadEvent::Bytes(got));
            }
        }
        progress(DownloadEvent::Bytes(got));
        if let Some(expected) = total {
            if got != expected {
                return Err(Failure::transient(DownloadError::Truncated {
                    url: url.to_string(),
                    got,
                    expected: Some(expected),
                    reason: "length differs from Content-Length".into(),
                    attempts: 1,
                }));
            }
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| Failure::fatal(io_err(dest)(e)))?;
        tmp.persist(dest)
            .map_err(|e| Failure::fatal(io_err(dest)(e.error)))?;
        Ok((hex::encode(hasher.finalize()), got))
    }
}

/// Records how many attempts were made in the errors that say so.
fn with_attempts(error: DownloadError, n: u32) -> DownloadError {
    match error {
        DownloadError::Http { url, status, .. } => DownloadError::Http {
            url,
            status,
            attempts: n,
        },
        DownloadError::Timeout { url, reason, .. } => DownloadError::Timeout {
            url,
            reason,
            attempts: n,
        },
        DownloadError::Truncated {
            url,
            got,
            expected,
            reason,
            ..
        } => DownloadError::Truncated {
            url,
            got,
            expected,
            reason,
            attempts: n,
        },
        other => other,
    }
}

/// An error while reading the body: over the limit, a stall, or a cut-off transfer.
fn body_failure(url: &str, e: io::Error, got: u64, total: Option<u64>, limit: u64) -> Failure {
    let inner = e.get_ref().and_then(|x| x.downcast_ref::<ureq::Error>());
    match inner {
        Some(ureq::Error::BodyExceedsLimit(_)) => Failure::fatal(DownloadError::TooLarge {
            url: url.to_string(),
            limit,
            size: total,
        }),
        Some(ureq::Error::Timeout(t)) => Failure::transient(DownloadError::Timeout {
            url: url.to_string(),
            reason: format!("timed out while receiving the file ({t}) after {got} bytes"),
            attempts: 1,
        }),
        _ => Failure::transient(DownloadError::Truncated {
            url: url.to_string(),
            got,
            expected: total,
            reason: e.to_string(),
            attempts: 1,
        }),
    }
}

/// Sorts a request error into unreachable (not retried), transient or fatal.
fn classify(url: &str, e: ureq::Error) -> Failure {
    let unreachable = |reason: String| {
        Failure::fatal(DownloadError::Unreachable {
            url: url.to_string(),
            host: host_of(url).to_string(),
            reason,
        })
    };
    match e {
        ureq::Error::HostNotFound => unreachable("host name not found (no network or DNS?)".into()),
        ureq::Error::ConnectionFailed => unreachable("connection failed".into()),
        ureq::Error::Timeout(t @ (ureq::Timeout::Connect | ureq::Timeout::Resolve)) => {
            unreachable(format!("timed out ({t})"))
        }
        ureq::Error::Timeout(t) => Failure::transient(DownloadError::Timeout {
            url: url.to_string(),
            reason: format!("timed out ({t})"),
            attempts: 1,
        }),
        ureq::Error::Io(io) => match io.kind() {
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::NotFound
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::PermissionDenied => unreachable(io.to_string()),
            io::ErrorKind::TimedOut => unreachable(format!("timed out: {io}")),
            _ => Failure::transient(DownloadError::Truncated {
                url: url.to_string(),
                got: 0,
                expected: None,
                reason: format!("connection lost before the answer: {io}"),
                attempts: 1,
            }),
        },
        ureq::Error::Tls(m) => unreachable(format!("TLS: {m}")),
        ureq::Error::Rustls(r) => unreachable(format!("TLS: {r}")),
        ureq::Error::BadUri(u) => Failure::fatal(DownloadError::Protocol {
            url: url.to_string(),
            reason: format!("bad URL: {u}"),
        }),
        other => Failure::fatal(DownloadError::Protocol {
            url: url.to_string(),
            reason: other.to_string(),
        }),
    }
}

/// Hard-links `from` to `to`, copying when links are not possible.
fn link_or_copy(from: &Path, to: &Path) -> Result<(), DownloadError> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map(|_| ()).map_err(io_err(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_valid_and_names_the_official_lists() {
        let c = SourcesConfig::builtin();
        let keys: Vec<_> = c
            .select(&[])
            .unwrap()
            .iter()
            .map(|l| l.key.clone())
            .collect();
        assert_eq!(
            keys,
            ["us_ofac_sdn", "us_ofac_cons", "un_sc", "eu_fsf", "gb_fcdo"]
        );
        let un = &c.select(&["un_sc".into()]).unwrap()[0];
        assert_eq!(
            un.files[0].url,
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
        );
        let sdn = &c.select(&["us_ofac_sdn".into()]).unwrap()[0];
        let names: Vec<_> = sdn.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]);
        assert!(c
            .lists
            .iter()
            .all(|l| l.files.iter().all(|f| f.url.starts_with("https://"))));
        assert_eq!(c.settings.max_bytes, 200 * 1024 * 1024);
    }

    #[test]
    fn unknown_list_names_the_known_ones() {
        let err = SourcesConfig::builtin()
            .select(&["nope".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"nope\"") && err.contains("un_sc"), "{err}");
    }

    #[test]
    fn config_errors_are_specific() {
        let bad = |toml: &str| {
            SourcesConfig::from_toml(toml, "x.toml")
                .unwrap_err()
                .to_string()
        };
        assert!(bad("[[list]]\nkey = \"a\"\nfiles = []\n").contains("no files"));
        assert!(
            bad("[[list]]\nkey = \"a\"\nfiles = [{name = \"../x\", url = \"https://h/x\"}]\n")
                .contains("plain file name")
        );
        assert!(
            bad("[[list]]\nkey = \"a\"\nfiles = [{name = \"x\", url = \"ftp://h/x\"}]\n")
                .contains("http")
        );
        assert!(
            bad("[[list]]\nkey = \"A B\"\nfiles = [{name = \"x\", url = \"https://h/x\"}]\n")
                .contains("list key")
        );
        assert!(bad("[settings]\nretries = 50\n").contains("at most 10"));
        assert!(bad("[settings]\nretriez = 1\n").contains("retriez"));
        assert!(bad("[[list]]\nkey = \"a\"\nfiles = [{name = \"x\", url = \"https://h/x\", sha256 = \"12\"}]\n")
            .contains("64 hexadecimal"));
    }

    #[test]
    fn hosts_for_messages() {
        assert_eq!(
            host_of("https://scsanctions.un.org/resources/xml/en/consolidated.xml"),
            "scsanctions.un.org"
        );
        assert_eq!(host_of("http://127.0.0.1:9/x?y"), "127.0.0.1:9");
        assert_eq!(host_of("https://user@h.example"), "h.example");
    }
}
