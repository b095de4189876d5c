//! Screening for the audit trail: what the engine screened made into records of the store
//! ([`record`]), snapshot differences and delta rescreening of monitored records ([`delta`]),
//! and an alert gathered with its entity for review ([`review`]). The store keeps records and
//! knows nothing of the engine; the orchestration lives here, above both.

pub mod delta;
pub mod record;
pub mod review;
