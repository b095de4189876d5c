//! One module per official format. Each exposes `sniff(&Head) -> bool` and
//! `parse(&SourceSet, &mut Emit) -> Result<ListInfo, ParseError>`, and a `pub static FORMAT`
//! implementing [`ListFormat`](crate::ListFormat) that the registry
//! ([`FORMATS`](crate::FORMATS)) lists; see the crate docs.

pub mod bis_dpl;
mod common;
mod csv_util;
pub mod custom_csv;
pub mod eu_fsf;
pub mod ftm_json;
pub mod gb_fcdo;
pub mod gb_ofsi;
pub mod ofac_csv;
pub mod un_xml;
pub mod us_csl;
