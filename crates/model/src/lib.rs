//! The watchlist entity model.
//!
//! Every parser in `sources` maps its publisher's format onto these types; every later stage
//! (normalisation, index, matcher, screening, store) reads only these types. The crate does no
//! I/O and has no opinion about matching.
//!
//! Invariants:
//! - An [`EntityId`] is `{list}:{list_id}` where `list_id` is the publisher's own identifier,
//!   trimmed; it never changes for the same publisher record.
//! - Country codes are ISO 3166-1 alpha-2, lower case (`kp`, `ru`); see [`country`].
//! - Dates are partial: a year alone, a year and month, or a full date; see [`date`].

#![warn(missing_docs)]

pub mod country;
pub mod date;
mod entity;
mod id;
mod list;
pub mod query;
pub mod result;

pub use date::{DateValue, PartialDate};
pub use entity::{
    Address, Entity, Gender, IdKind, Identifier, Name, NameKind, Relation, Schema, SchemaError,
    VesselInfo,
};
pub use id::{validate_list_key, EntityId, IdError};
pub use list::{describe as describe_list, ListMeta, SourceFile, KNOWN_LISTS};
pub use query::{Query, QueryError, QueryInput, ReadQuery};
pub use result::{Adjustment, Explanation, Match, Reason, TokenMatch};
