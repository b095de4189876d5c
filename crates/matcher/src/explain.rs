//! Explanations: why an entity matched, produced by the same code that computed the score.
//! The types (and their one plain-language rendering) live in `model::result`, beside the
//! other types every layer exchanges; the matcher fills them.

pub use model::result::{Adjustment, Explanation, TokenMatch};
