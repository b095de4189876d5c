//! List versions and snapshots in the data directory (being written).
