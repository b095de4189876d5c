//! Screening what a scheme touches, on top of the one matcher: documents (`scan`), payment
//! messages (`payment`), sanctioned regions (`regions`), rosters of people and companies
//! (`roster`). Analysts' alias overlays are applied by the engine (`engine::overlay`).
//!
//! Nothing here normalises names or scores them: names go through `text` and `matcher` as in
//! `watchlist screen`, so a name found in a document, a payment or a roster scores exactly as
//! the same name screened on its own.

#![warn(missing_docs)]

pub mod audit;
pub mod payment;
pub mod regions;
pub mod roster;
pub mod scan;
