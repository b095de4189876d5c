//! `watchlist payment FILE|-`: screen a payment message (ISO 20022 pacs.008 / pain.001, SWIFT
//! MT103 / MT101): every party and agent, the free text and the places. See `screen::payment`.

use crate::cli::Global;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use screen::payment::{self, HitKind, PaymentScreener};
use std::io::Read;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The message file (XML or SWIFT FIN, one message or a batch), or - for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Only these lists (keys, e.g. un_sc); may repeat.
    #[arg(long = "list", value_name = "LIST")]
    pub lists: Vec<String>,
    /// Alert threshold (default: the calibrated threshold of the matcher config).
    #[arg(long)]
    pub threshold: Option<f32>,
}

/// Largest message file read.
const MAX_BYTES: u64 = 64 << 20;

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let name = if args.file == "-" {
        "<stdin>".to_string()
    } else {
        args.file.clone()
    };
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| CliError::bad_input(format!("{name}: {e}")))?,
        )
    };
    reader
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::failure(format!("{name}: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(CliError::bad_input(format!(
            "{name}: larger than {} MiB; not a payment message",
            MAX_BYTES >> 20
        )));
    }
    let messages = payment::parse(&name, &bytes).map_err(|e| CliError::bad_input(e.to_string()))?;
    let engine = crate::data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    let screener = PaymentScreener::new(
        engine.matcher(),
        args.threshold,
        (!args.lists.is_empty()).then_some(args.lists),
    );
    let results: Vec<payment::Screened> = messages.iter().map(|m| screener.screen(m)).collect();
    match out.format() {
        Format::Json | Format::Jsonl => {
            // serialised directly (not through a serde_json::Value, which widens the f32
            // scores to f64 digits): a score prints as `screen` prints it
            #[derive(serde::Serialize)]
            struct Out<'a> {
                file: &'a str,
                messages: &'a [payment::Screened],
            }
            out.json(&Out {
                file: &name,
                messages: &results,
            })?;
        }
        Format::Csv | Format::Table => {
            let mut t = Table::new(&[
                "message",
                "field",
                "kind",
                "value",
                "entity / rule",
                "score",
                "detail",
            ]);
            for (i, r) in results.iter().enumerate() {
                let msg = format!(
                    "{} {} #{}",
                    r.format,
                    r.reference.as_deref().unwrap_or("-"),
                    i + 1
                );
                for h in &r.hits {
                    let (who, score, detail) = match (&h.entity, &h.region) {
                        (Some(e), _) => (
                            e.entity_id.clone(),
                            format!("{:.2}", e.score),
                            e.caption.clone(),
                        ),
                        (None, Some(g)) => (
                            g.rule.clone(),
                            format!("{:?}", g.severity).to_lowercase(),
                            g.why.clone(),
                        ),
                        _ => (String::new(), String::new(), String::new()),
                    };
                    let kind = match h.kind {
                        HitKind::Name => "name",
                        HitKind::Identifier => "identifier",
                        HitKind::Mention => "mention",
                        HitKind::Region => "region",
                    };
                    t.row(vec![
                        msg.clone(),
                        h.field.clone(),
                        kind.into(),
                        h.value.replace('\n', " "),
                        who,
                        score,
                        detail,
                    ]);
                }
            }
            out.table(&t)?;
            if out.format() == Format::Table {
                let hits: usize = results.iter().map(|r| r.hits.len()).sum();
                let parties: usize = results.iter().map(|r| r.parties).sum();
                writeln!(
                    out.writer(),
                    "{name}: {} message(s), {parties} parties and agents screened, {hits} hit(s)",
                    results.len()
                )?;
            }
        }
    }
    Ok(())
}
