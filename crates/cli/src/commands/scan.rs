//! `watchlist scan FILE|-`: every mention of a listed entity in a document (plain text or
//! HTML), with byte offsets, the entity, the score and why; and references to sanctioned
//! regions. See `screen::scan` for how it works.

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output};
use screen::scan::input::{self, InputError, Kind};
use screen::scan::{Found, Mention, MentionEntity, PlaceMention, ScanOptions, Scanner};
use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document to scan (text or HTML, UTF-8), or - for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Read the input as this kind instead of deciding from its content.
    #[arg(long = "as", value_enum)]
    pub kind: Option<AsKind>,
    /// Only these lists (keys, e.g. un_sc); may repeat.
    #[arg(long = "list", value_name = "LIST")]
    pub lists: Vec<String>,
    /// Alert threshold (default: the calibrated threshold of the matcher config).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Print the whole document with the mentions marked (table format; at most 64 MiB).
    #[arg(long)]
    pub highlight: bool,
    /// Do not report references to sanctioned countries and regions.
    #[arg(long)]
    pub no_regions: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AsKind {
    Text,
    Html,
}

/// The engine with the analyst overlays of `<data_dir>/overlays/` applied (see
/// `screen::overlay`); overlay rows whose entity left the lists are reported on stderr.
fn input_error(e: InputError) -> CliError {
    match e {
        InputError::Io { .. } => CliError::failure(e.to_string()),
        _ => CliError::bad_input(e.to_string()),
    }
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let name = if args.file == "-" {
        "<stdin>".to_string()
    } else {
        args.file.clone()
    };
    let mut reader: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| CliError::bad_input(format!("{name}: {e}")))?,
        )
    };
    // the first 64 KiB decide the kind; they are put back in front of the rest
    let mut head = Vec::with_capacity(64 << 10);
    reader
        .by_ref()
        .take(64 << 10)
        .read_to_end(&mut head)
        .map_err(|e| CliError::failure(format!("{name}: {e}")))?;
    let sniffed = input::sniff(&name, &head).map_err(input_error)?;
    let kind = match args.kind {
        Some(AsKind::Text) => Kind::Text,
        Some(AsKind::Html) => Kind::Html,
        None => sniffed,
    };
    let reader = std::io::Cursor::new(head).chain(reader);

    let engine = data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    let opts = ScanOptions {
        threshold: args.threshold,
        lists: (!args.lists.is_empty()).then_some(args.lists),
        regions: !args.no_regions,
        ..Default::default()
    };
    let scanner = Scanner::new(engine.matcher(), opts);
    let mut sink = Sink::new(out.format(), &name);

    if kind == Kind::Html || args.highlight {
        let doc = input::read_html(&name, reader).map_err(input_error)?;
        let found = if kind == Kind::Html {
            input::scan_html(&scanner, &doc)
        } else {
            scanner.scan_str(&doc)
        };
        sink.found(out, found)?;
        sink.bytes = doc.len() as u64;
        if args.highlight && out.format() == Format::Table {
            sink.highlight(out, &doc)?;
            sink.finish(out)?;
            return Ok(());
        }
    } else {
        let mut err = None;
        let stats = input::scan_text(&scanner, &name, reader, &mut |f| {
            if err.is_none() {
                err = sink.found(out, f).err();
            }
        })
        .map_err(input_error)?;
        if let Some(e) = err {
            return Err(e.into());
        }
        sink.bytes = stats.bytes;
    }
    sink.finish(out)?;
    Ok(())
}

/// Writes findings as they come: mentions streamed (JSON array elements, JSON lines or
/// table rows), region references kept for the end.
struct Sink {
    format: Format,
    name: String,
    mentions: u64,
    places: Vec<PlaceMention>,
    kept: Vec<Mention>,
    bytes: u64,
    color: bool,
    /// What a mention's entity adds to its JSON object or CSV row, written once per entity
    /// (mentions of the same text share it): keyed by the entity's address, the entity kept
    /// alive beside it so that the address stays its own.
    entities: HashMap<usize, (Arc<MentionEntity>, Vec<u8>)>,
    /// One block's output, written at once.
    buf: Vec<u8>,
}

impl Sink {
    fn new(format: Format, name: &str) -> Self {
        Sink {
            format,
            name: name.to_string(),
            mentions: 0,
            places: Vec::new(),
            kept: Vec::new(),
            bytes: 0,
            color: std::io::stdout().is_terminal(),
            entities: HashMap::new(),
            buf: Vec::new(),
        }
    }

    /// A mention as JSON, the same bytes as `serde_json::to_writer(w, m)` (the entity's
    /// fields are flattened into the mention's object).
    fn mention_json(&mut self, m: &Mention) -> std::io::Result<()> {
        // `"entity_id":…,"explanation":{…}}`, closing the mention's object
        let tail = entity_part(&mut self.entities, &m.entity, |e| {
            let json = serde_json::to_vec(e)?;
            Ok(json[1..].to_vec())
        })?;
        let w = &mut self.buf;
        write!(w, "{{\"start\":{},\"end\":{},\"text\":", m.start, m.end)?;
        serde_json::to_writer(&mut *w, &m.text)?;
        if tail.len() > 1 {
            w.push(b',');
        }
        w.extend_from_slice(tail);
        Ok(())
    }

    /// A mention as a CSV row.
    fn mention_csv(&mut self, m: &Mention) -> std::io::Result<()> {
        // `,entity_id,caption,score,matched_name`
        let tail = entity_part(&mut self.entities, &m.entity, |e| {
            let cells = [
                e.entity_id.clone(),
                e.caption.clone(),
                format!("{:.3}", e.score),
                e.matched_name.clone(),
            ];
            Ok(cells
                .iter()
                .map(|c| format!(",{}", csv_cell(c)))
                .collect::<String>()
                .into_bytes())
        })?;
        let w = &mut self.buf;
        write!(w, "{},{},{}", m.start, m.end, csv_cell(&m.text))?;
        w.extend_from_slice(tail);
        w.push(b'\n');
        Ok(())
    }

    fn found(&mut self, out: &mut Output, f: Found) -> std::io::Result<()> {
        self.places.extend(f.places);
        self.buf.clear();
        for m in f.mentions {
            match self.format {
                Format::Json => {
                    if self.mentions == 0 {
                        write!(
                            self.buf,
                            "{{\n  \"file\": {},\n  \"mentions\": [\n    ",
                            serde_json::to_string(&self.name)?
                        )?;
                    } else {
                        write!(self.buf, ",\n    ")?;
                    }
                    self.mention_json(&m)?;
                }
                Format::Jsonl => {
                    serde_json::to_writer(
                        &mut self.buf,
                        &serde_json::json!({"type": "mention", "mention": m}),
                    )?;
                    writeln!(self.buf)?;
                }
                Format::Csv => {
                    if self.mentions == 0 {
                        writeln!(
                            self.buf,
                            "start,end,text,entity_id,caption,score,matched_name"
                        )?;
                    }
                    self.mention_csv(&m)?;
                }
                Format::Table => {
                    let w = &mut self.buf;
                    if self.kept.len() < 100_000 {
                        self.kept.push(m.clone());
                    }
                    writeln!(
                        w,
                        "{:>9}-{:<9} {:<32} {:<26} {:.2}  {}  [{}]",
                        m.start,
                        m.end,
                        one_line(&m.text, 32),
                        m.entity_id,
                        m.score,
                        m.caption,
                        m.explanation.brief()
                    )?;
                    if let Some(src) = &m.explanation.name_source {
                        writeln!(w, "{:>20}name from {src}", "")?;
                    }
                }
            }
            self.mentions += 1;
        }
        out.writer().write_all(&self.buf)
    }

    fn highlight(&mut self, out: &mut Output, doc: &str) -> std::io::Result<()> {
        let w = out.writer();
        writeln!(w, "\n--- {} with mentions marked ---", self.name)?;
        let mut marks: Vec<(usize, usize, bool)> =
            self.kept.iter().map(|m| (m.start, m.end, true)).collect();
        marks.extend(self.places.iter().map(|p| (p.start, p.end, false)));
        marks.sort();
        let mut at = 0;
        for (s, e, entity) in marks {
            if s < at || !doc.is_char_boundary(s) || !doc.is_char_boundary(e) {
                continue;
            }
            write!(w, "{}", &doc[at..s])?;
            let (open, close) = match (self.color, entity) {
                (true, true) => ("\x1b[1;41;97m", "\x1b[0m"),
                (true, false) => ("\x1b[1;43;30m", "\x1b[0m"),
                (false, true) => ("[[", "]]"),
                (false, false) => ("{{", "}}"),
            };
            write!(w, "{open}{}{close}", &doc[s..e])?;
            at = e;
        }
        writeln!(w, "{}", &doc[at..])
    }

    fn finish(self, out: &mut Output) -> std::io::Result<()> {
        let w = out.writer();
        match self.format {
            Format::Json => {
                if self.mentions == 0 {
                    write!(
                        w,
                        "{{\n  \"file\": {},\n  \"mentions\": [",
                        serde_json::to_string(&self.name)?
                    )?;
                    write!(w, "]")?;
                } else {
                    write!(w, "\n  ]")?;
                }
                write!(w, ",\n  \"places\": ")?;
                serde_json::to_writer(&mut *w, &self.places)?;
                writeln!(w, ",\n  \"bytes\": {}\n}}", self.bytes)?;
            }
            Format::Jsonl => {
                for p in &self.places {
                    serde_json::to_writer(
                        &mut *w,
                        &serde_json::json!({"type": "place", "place": p}),
                    )?;
                    writeln!(w)?;
                }
            }
            Format::Csv => {
                if self.mentions == 0 {
                    writeln!(w, "start,end,text,entity_id,caption,score,matched_name")?;
                }
                for p in &self.places {
                    let cells = [
                        p.start.to_string(),
                        p.end.to_string(),
                        p.hit.matched.clone(),
                        p.hit.rule.clone(),
                        p.hit.title.clone(),
                        format!("{:?}", p.hit.severity).to_lowercase(),
                        p.hit.why.clone(),
                    ];
                    writeln!(
                        w,
                        "{}",
                        cells
                            .iter()
                            .map(|c| csv_cell(c))
                            .collect::<Vec<_>>()
                            .join(",")
                    )?;
                }
            }
            Format::Table => {
                for p in &self.places {
                    writeln!(
                        w,
                        "{:>9}-{:<9} {:<32} {:<26} {:<6}  {}",
                        p.start,
                        p.end,
                        one_line(&p.hit.matched, 32),
                        p.hit.rule,
                        format!("{:?}", p.hit.severity).to_lowercase(),
                        p.hit.why
                    )?;
                }
                writeln!(w, "{}: {} bytes, {} mention(s) of listed entities, {} reference(s) to sanctioned regions", self.name, self.bytes, self.mentions, self.places.len())?;
            }
        }
        Ok(())
    }
}

/// The entity's part of a mention's output (one format per sink), made on first use.
fn entity_part<'a>(
    entities: &'a mut HashMap<usize, (Arc<MentionEntity>, Vec<u8>)>,
    e: &Arc<MentionEntity>,
    make: impl FnOnce(&MentionEntity) -> std::io::Result<Vec<u8>>,
) -> std::io::Result<&'a [u8]> {
    if entities.len() > 100_000 {
        entities.clear();
    }
    let key = Arc::as_ptr(e) as usize;
    let part = match entities.entry(key) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => v.insert((e.clone(), make(e)?)),
    };
    Ok(&part.1)
}

fn one_line(s: &str, max: usize) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    } else {
        s
    }
}

fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::{Explanation, Reason, TokenMatch};

    fn mention(text: &str, name_source: Option<&str>) -> Mention {
        Mention {
            start: 7,
            end: 7 + text.len(),
            text: text.to_string(),
            entity: Arc::new(MentionEntity {
                entity_id: "un_sc:KPe.001".into(),
                list: "un_sc".into(),
                list_id: "KPe.001".into(),
                caption: "Korea \"Ryonbong\", General Corp.".into(),
                schema: model::Schema::Organization,
                score: 0.9375,
                matched_name: "KOREA RYONBONG GENERAL CORPORATION".into(),
                explanation: Explanation {
                    query_name: text.split_whitespace().collect::<Vec<_>>().join(" "),
                    matched_name: "KOREA RYONBONG GENERAL CORPORATION".into(),
                    matched_name_kind: model::NameKind::Primary,
                    native_script: false,
                    name_source: name_source.map(str::to_string),
                    name_score: 0.9375,
                    query_coverage: 1.0,
                    candidate_coverage: 0.75,
                    tokens: vec![TokenMatch {
                        query: "ryonbong".into(),
                        candidate: "ryonbong".into(),
                        similarity: 1.0,
                        reason: Reason::Exact,
                        why: "same".into(),
                        weight: 0.5,
                    }],
                    unmatched_query: vec![],
                    unmatched_candidate: vec!["general".into()],
                    identifier: None,
                    identifier_only: false,
                    joined: false,
                    fuzzy_penalty: None,
                    adjustments: vec![],
                },
            }),
        }
    }

    /// The entity's part written once per entity gives the bytes serde writes for each mention.
    #[test]
    fn mention_rows_written_from_the_entity_cache_are_serdes_and_the_csv_cells() {
        let ms = [
            mention("Korea Ryonbong", None),
            mention("KOREA \"RYONBONG\",\nGeneral", Some("overlay.csv")),
        ];
        for m in &ms {
            let mut sink = Sink::new(Format::Json, "x");
            for _ in 0..2 {
                sink.buf.clear();
                sink.mention_json(m).unwrap();
                assert_eq!(
                    String::from_utf8(sink.buf.clone()).unwrap(),
                    serde_json::to_string(m).unwrap()
                );
            }
            let mut sink = Sink::new(Format::Csv, "x");
            for _ in 0..2 {
                sink.buf.clear();
                sink.mention_csv(m).unwrap();
                let cells = [
                    m.start.to_string(),
                    m.end.to_string(),
                    m.text.clone(),
                    m.entity_id.clone(),
                    m.caption.clone(),
                    format!("{:.3}", m.score),
                    m.matched_name.clone(),
                ];
                let want: Vec<String> = cells.iter().map(|c| csv_cell(c).into_owned()).collect();
                assert_eq!(
                    String::from_utf8(sink.buf.clone()).unwrap(),
                    format!("{}\n", want.join(","))
                );
            }
        }
    }
}
