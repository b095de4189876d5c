use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Stable identifier of a listed entity: `{list}:{list_id}`.
///
/// `list` is a list key (`us_ofac_sdn`, `un_sc`, …, or a custom list's name) made of ASCII
/// lower-case letters, digits, `_` and `-`. `list_id` is the publisher's own identifier with
/// surrounding whitespace removed (OFAC ent_num, UN REFERENCE_NUMBER, EU logicalId, UK group id,
/// FtM id). The id is split at the first `:`, so a `list_id` may itself contain colons.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId {
    list: String,
    list_id: String,
}

/// Why a string is not a valid [`EntityId`] or list key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text (given here) has no `:` between list key and list id.
    #[error("entity id {0:?} has no ':' between list and list id")]
    MissingColon(String),
    /// The list key (given here) is not 1-64 characters of `a-z`, `0-9`, `_`, `-`.
    #[error("list key {0:?} must be 1-64 characters of a-z, 0-9, '_' or '-'")]
    BadList(String),
    /// The list id is empty after trimming, longer than 256 bytes, or holds a control
    /// character.
    #[error("list id is empty or longer than 256 characters")]
    BadListId,
}

/// Checks a list key: 1-64 characters of `a-z`, `0-9`, `_`, `-`.
pub fn validate_list_key(list: &str) -> Result<(), IdError> {
    let ok = !list.is_empty()
        && list.len() <= 64
        && list
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(IdError::BadList(list.to_string()))
    }
}

impl EntityId {
    /// Builds an id, trimming the publisher id. Fails on an invalid list key or an empty id.
    pub fn new(list: &str, list_id: &str) -> Result<Self, IdError> {
        validate_list_key(list)?;
        let list_id = list_id.trim();
        if list_id.is_empty() || list_id.len() > 256 || list_id.chars().any(char::is_control) {
            return Err(IdError::BadListId);
        }
        Ok(EntityId {
            list: list.to_string(),
            list_id: list_id.to_string(),
        })
    }

    /// The list key: `us_ofac_sdn`, `un_sc`, … or a custom list's name.
    pub fn list(&self) -> &str {
        &self.list
    }

    /// The publisher's own identifier, trimmed; it may contain `:` itself.
    pub fn list_id(&self) -> &str {
        &self.list_id
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.list, self.list_id)
    }
}

impl FromStr for EntityId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (list, id) = s
            .split_once(':')
            .ok_or_else(|| IdError::MissingColon(s.to_string()))?;
        EntityId::new(list, id)
    }
}

impl Serialize for EntityId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EntityId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_publisher_id_and_round_trips() {
        let id = EntityId::new("un_sc", "KPe.051 ").unwrap();
        assert_eq!(id.to_string(), "un_sc:KPe.051");
        assert_eq!("un_sc:KPe.051".parse::<EntityId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"un_sc:KPe.051\"");
    }

    #[test]
    fn rejects_bad_ids() {
        assert!(EntityId::new("UN SC", "1").is_err());
        assert!(EntityId::new("un_sc", "  ").is_err());
        assert!("nocolon".parse::<EntityId>().is_err());
        assert_eq!(
            "opensanctions:a:b".parse::<EntityId>().unwrap().list_id(),
            "a:b"
        );
    }
}
