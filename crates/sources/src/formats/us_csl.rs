//! TODO: us_csl parser (being written).

use crate::{Emit, Head, ListInfo, ParseError, SourceSet};

pub fn sniff(_head: &Head) -> bool {
    false
}

pub fn parse(set: &SourceSet, _emit: &mut Emit) -> Result<ListInfo, ParseError> {
    Err(ParseError::file(&set.main, "us_csl: parser not yet implemented"))
}
