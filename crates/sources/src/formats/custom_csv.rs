//! TODO: custom_csv parser (being written).

use crate::{Emit, Head, ListInfo, ParseError, SourceSet};

pub fn sniff(_head: &Head) -> bool {
    false
}

pub fn parse(set: &SourceSet, _emit: &mut Emit) -> Result<ListInfo, ParseError> {
    Err(ParseError::file(&set.main, "custom_csv: parser not yet implemented"))
}
