//! API keys: named, with a role, stored as SHA-256 hashes.
//!
//! Keys live in a JSON file (default `<data_dir>/api-keys.json`, mode 0600), one record per key:
//! name, role, the hex SHA-256 of the key, and when it was made. The key itself is shown once,
//! when it is made (`watchlist serve --add-key NAME --role admin`), and never stored: a key is
//! 32 random bytes, so a plain SHA-256 is as good as a slow hash against guessing.
//!
//! Roles, each including the ones below it:
//! - `read`: screening and lookups (`/v1/match`, `/match/{dataset}`, `/v1/search`, `/v1/entities`,
//!   `/v1/lists`, `/v1/reconcile`). A key is needed only when the server runs with `--require-key`.
//! - `write`: endpoints that record decisions (added by the alert and review features).
//! - `admin`: `/v1/admin/*` (update the lists, reload the snapshot).
//!
//! Clients send the key as `Authorization: Bearer KEY`, `Authorization: ApiKey KEY` (as
//! OpenSanctions clients do), `X-API-Key: KEY`, or `?api_key=KEY` (for OpenRefine, which cannot
//! set headers).

use crate::errors::ApiError;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use utoipa::ToSchema;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Screening, lookups and the alert queue (screening and lookups need a key only with
    /// `--require-key`).
    Read,
    /// What `read` may do, and decisions on alerts (`POST /v1/alerts/{id}/decision`).
    Write,
    /// Everything, `/v1/admin/*` included (update the lists, reload the snapshot).
    Admin,
}

impl Role {
    /// The role's name as stored and shown: `read`, `write` or `admin`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Ok(Role::Read),
            "write" => Ok(Role::Write),
            "admin" => Ok(Role::Admin),
            _ => Err(KeyError::BadRole(s.to_string())),
        }
    }
}

/// One stored key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key's name (1-64 letters, digits, `_`, `-`, `.`, `@`): the actor recorded for its
    /// requests and the reviewer of its decisions.
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// Hex SHA-256 of the key.
    pub sha256: String,
    /// RFC 3339, UTC.
    pub created: String,
}

/// Errors reading or changing the keys file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The keys file could not be read or written, or no random key could be made.
    #[error("{path}: {source}")]
    Io {
        /// The keys file, or `random number generator`.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The keys file is not JSON of the expected shape.
    #[error("{path}: not a keys file: {reason}")]
    Corrupt {
        /// The keys file.
        path: String,
        /// The JSON parser's message.
        reason: String,
    },
    /// A role other than `read`, `write` or `admin` (the text given).
    #[error("unknown role {0:?} (expected read, write or admin)")]
    BadRole(String),
    /// A key of this name is stored already (the name).
    #[error("a key named {0:?} exists already; remove it first or choose another name")]
    Exists(String),
    /// A key name that is empty, longer than 64 bytes, or holds a character other than
    /// letters, digits, `_`, `-`, `.` and `@` (the name given).
    #[error("key names are 1-64 characters of letters, digits, '_', '-', '.' or '@'; got {0:?}")]
    BadName(String),
}

/// The keys file, loaded.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    path: PathBuf,
    keys: Vec<KeyRecord>,
    /// When the file was last read (to notice changes).
    modified: Option<std::time::SystemTime>,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<KeyRecord>,
}

/// Hex SHA-256 of a presented key.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn mtime(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl KeyStore {
    /// The default keys file of a data directory.
    pub fn default_path(data_dir: &Path) -> PathBuf {
        data_dir.join("api-keys.json")
    }

    /// Loads the keys file; a missing file is an empty store.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let modified = mtime(path);
        let keys = match std::fs::read_to_string(path) {
            Ok(text) => {
                serde_json::from_str::<KeyFile>(&text)
                    .map_err(|e| KeyError::Corrupt {
                        path: path.display().to_string(),
                        reason: e.to_string(),
                    })?
                    .keys
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(KeyError::Io {
                    path: path.display().to_string(),
                    source: e,
                })
            }
        };
        Ok(KeyStore {
            path: path.to_path_buf(),
            keys,
            modified,
        })
    }

    /// True when the file changed on disk since it was loaded.
    pub fn changed_on_disk(&self) -> bool {
        mtime(&self.path) != self.modified
    }

    /// The keys file this store was loaded from and saves to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored keys, in file order.
    pub fn keys(&self) -> &[KeyRecord] {
        &self.keys
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Makes a key, stores its hash, and returns the key (shown once).
    pub fn add(&mut self, name: &str, role: Role) -> Result<String, KeyError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
        if !ok {
            return Err(KeyError::BadName(name.to_string()));
        }
        if self.keys.iter().any(|k| k.name == name) {
            return Err(KeyError::Exists(name.to_string()));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Io {
            path: "random number generator".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let key = format!("wl_{}", hex::encode(bytes));
        let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.keys.push(KeyRecord {
            name: name.to_string(),
            role,
            sha256: hash_key(&key),
            created,
        });
        self.save()?;
        Ok(key)
    }

    /// Removes a key by name; false when there was none.
    pub fn remove(&mut self, name: &str) -> Result<bool, KeyError> {
        let before = self.keys.len();
        self.keys.retain(|k| k.name != name);
        if self.keys.len() == before {
            return Ok(false);
        }
        self.save()?;
        Ok(true)
    }

    fn save(&mut self) -> Result<(), KeyError> {
        let json = serde_json::to_vec_pretty(&KeyFile {
            keys: self.keys.clone(),
        })
        .expect("keys serialise");
        let io = |e: std::io::Error| KeyError::Io {
            path: self.path.display().to_string(),
            source: e,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut tmp = tempfile_in(dir).map_err(io)?;
        use std::io::Write;
        tmp.1.write_all(&json).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, &self.path).map_err(io)?;
        self.modified = mtime(&self.path);
        Ok(())
    }

    /// The record of a presented key, if it is one of ours.
    pub fn check(&self, presented: &str) -> Option<&KeyRecord> {
        let h = hash_key(presented.trim());
        self.keys
            .iter()
            .find(|k| constant_time_eq(k.sha256.as_bytes(), h.as_bytes()))
    }
}

/// A new file, readable only by its owner, beside the keys file.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut n = 0u32;
    loop {
        let p = dir.join(format!(".api-keys.{}.{n}.tmp", std::process::id()));
        match opts.open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key a request presents, from its headers or its query string.
pub fn presented_key(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v.trim().to_string());
    }
    if let Some(v) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let v = v.trim();
        for scheme in ["Bearer ", "ApiKey ", "bearer ", "apikey "] {
            if let Some(k) = v.strip_prefix(scheme) {
                return Some(k.trim().to_string());
            }
        }
    }
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("api_key="))
        .map(|k| k.to_string())
}

/// Who may call what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read endpoints: a key only with `--require-key`.
    Read,
    /// Needs a key of at least this role.
    Role(Role),
}

/// Checks a request against the keys. Returns the key's name when one was presented.
pub fn authorize(
    store: &KeyStore,
    require_key: bool,
    access: Access,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<Option<String>, ApiError> {
    let needed = match access {
        Access::Read if !require_key => None,
        Access::Read => Some(Role::Read),
        Access::Role(r) => Some(r),
    };
    let presented = presented_key(headers, uri);
    let record = match &presented {
        Some(k) => match store.check(k) {
            Some(r) => Some(r),
            None => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "the API key is not valid",
                ))
            }
        },
        None => None,
    };
    let Some(needed) = needed else {
        return Ok(record.map(|r| r.name.clone()));
    };
    let Some(record) = record else {
        let hint = if store.is_empty() {
            format!(
                " (no key exists yet: make one with `watchlist serve --add-key NAME --role {}`)",
                needed.as_str()
            )
        } else {
            String::new()
        };
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!("this endpoint needs an API key with the {} role: send `Authorization: Bearer KEY` or `X-API-Key: KEY`{hint}", needed.as_str()),
        ));
    };
    if record.role < needed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the key {:?} has the {} role; this endpoint needs {}",
                record.name,
                record.role.as_str(),
                needed.as_str()
            ),
        ));
    }
    Ok(Some(record.name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_and_checked_by_role() {
        let dir = tempfile::tempdir().unwrap();
        let path = KeyStore::default_path(dir.path());
        let mut store = KeyStore::load(&path).unwrap();
        let admin = store.add("ops", Role::Admin).unwrap();
        let reader = store.add("refine", Role::Read).unwrap();
        assert!(admin.starts_with("wl_") && admin.len() == 67);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&admin) && text.contains(&hash_key(&admin)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let store = KeyStore::load(&path).unwrap();
        let uri: Uri = "/v1/admin/update".parse().unwrap();
        let mut h = HeaderMap::new();
        let admin_access = Access::Role(Role::Admin);
        assert_eq!(
            authorize(&store, false, admin_access, &h, &uri)
                .unwrap_err()
                .status,
            StatusCode::UNAUTHORIZED
        );
        h.insert("authorization", format!("Bearer {reader}").parse().unwrap());
        assert_eq!(
            authorize(&store, false, admin_access, &h, &uri)
                .unwrap_err()
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            authorize(&store, true, Access::Read, &h, &uri).unwrap(),
            Some("refine".into())
        );
        h.insert("authorization", format!("ApiKey {admin}").parse().unwrap());
        assert_eq!(
            authorize(&store, false, admin_access, &h, &uri).unwrap(),
            Some("ops".into())
        );
        h.insert("authorization", "Bearer wl_wrong".parse().unwrap());
        assert_eq!(
            authorize(&store, false, Access::Read, &h, &uri)
                .unwrap_err()
                .status,
            StatusCode::UNAUTHORIZED
        );
        let q: Uri = format!("/v1/reconcile?api_key={reader}").parse().unwrap();
        assert!(authorize(&store, true, Access::Read, &HeaderMap::new(), &q).is_ok());
        assert!(authorize(&store, true, Access::Read, &HeaderMap::new(), &uri).is_err());
        assert!(authorize(&store, false, Access::Read, &HeaderMap::new(), &uri).is_ok());
    }

    #[test]
    fn names_are_checked_and_unique() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = KeyStore::load(&dir.path().join("k.json")).unwrap();
        assert!(matches!(
            s.add("bad name", Role::Read),
            Err(KeyError::BadName(_))
        ));
        s.add("a", Role::Read).unwrap();
        assert!(matches!(s.add("a", Role::Read), Err(KeyError::Exists(_))));
        assert!(s.remove("a").unwrap());
        assert!(!s.remove("a").unwrap());
        assert!("root".parse::<Role>().is_err());
    }
}
