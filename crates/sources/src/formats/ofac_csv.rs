//! TODO: ofac_csv parser (being written).

use crate::{Emit, Head, ListInfo, ParseError, SourceSet};

pub fn sniff(_head: &Head) -> bool {
    false
}

pub fn parse(set: &SourceSet, _emit: &mut Emit) -> Result<ListInfo, ParseError> {
    Err(ParseError::file(&set.main, "ofac_csv: parser not yet implemented"))
}

/// Groups recognised files of this format into source sets.
pub fn group(heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
    Ok(heads.into_iter().map(|h| SourceSet::single(crate::Format::OfacCsv, h.path)).collect())
}
