//! `watchlist audit verify`: checks the hash chains of the screening records and of the
//! alert history from the first link to the head, and names the first broken link (an edited
//! or deleted record, or a cut-off tail). Exit code 1 when a chain is broken.

use crate::cli::Global;
use crate::commands::recording::{self, store_err};
use crate::error::{CliError, Result};
use crate::output::{thousands, Output, Table};
use store::chain::Chain;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Verify the hash chains of screening records and alert events.
    Verify,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let Sub::Verify = args.command;
    let store = recording::open(global)?;
    let results = Chain::ALL
        .iter()
        .map(|c| store.verify(*c).map_err(store_err))
        .collect::<Result<Vec<_>>>()?;
    let mut t = Table::new(&["chain", "links", "head", "status"]).right_align(&[1, 2]);
    for v in &results {
        t.row(vec![
            v.chain.name().to_string(),
            thousands(v.links),
            format!("#{} {}", v.head_seq, crate::commands::short(&v.head_hash)),
            match &v.broken {
                None => "ok".into(),
                Some(b) => format!("BROKEN at #{}: {}", b.seq, b.reason),
            },
        ]);
    }
    out.records(&t, &results)?;
    match results
        .iter()
        .find_map(|v| Some((v.chain, v.broken.as_ref()?)))
    {
        None => Ok(()),
        Some((c, b)) => Err(CliError::failure(format!(
            "the {} chain is broken at #{}: {}",
            c.name(),
            b.seq,
            b.reason
        ))
        .hint(format!("store: {}", store.describe()))),
    }
}
