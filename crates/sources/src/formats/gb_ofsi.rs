//! TODO: gb_ofsi parser (being written).

use crate::{Emit, Head, ListInfo, ParseError, SourceSet};

pub fn sniff(_head: &Head) -> bool {
    false
}

pub fn parse(set: &SourceSet, _emit: &mut Emit) -> Result<ListInfo, ParseError> {
    Err(ParseError::file(&set.main, "gb_ofsi: parser not yet implemented"))
}
