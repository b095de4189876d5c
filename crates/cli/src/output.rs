//! Writing results: aligned text for people (`table`), and `json`, `jsonl` and `csv` for
//! programs. Every command writes through one [`Output`], so `--format` means the same thing
//! everywhere:
//!
//! - `json`: one JSON document (pretty-printed) on stdout;
//! - `jsonl`: one compact JSON object per line (one per record);
//! - `csv`: a header row, then one row per record (RFC 4180 quoting);
//! - `table`: aligned columns or labelled sections, for reading.
//!
//! Machine formats keep stdout clean: notices and warnings go to stderr.

use serde::Serialize;
use std::fmt::Display;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// One pretty-printed JSON document.
    Json,
    /// JSON lines: one compact object per record.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// True for the formats meant for programs.
    pub fn is_machine(self) -> bool {
        self != Format::Table
    }
}

/// Where a command's results go.
pub struct Output {
    format: Format,
    quiet: bool,
    out: Box<dyn Write>,
}

impl Output {
    /// Output to stdout (buffered).
    pub fn stdout(format: Format, quiet: bool) -> Self {
        Output::new(format, quiet, Box::new(io::BufWriter::new(io::stdout())))
    }

    pub fn new(format: Format, quiet: bool, out: Box<dyn Write>) -> Self {
        Output { format, quiet, out }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Overrides the format (a command's `--json` flag).
    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// A line for people on stderr; nothing with `--quiet`.
    pub fn note(&self, line: impl Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A warning that must not be missed: at the top of stdout for tables, on stderr for
    /// machine formats (so that stdout stays parseable; nothing there with `--quiet`).
    pub fn warning(&mut self, lines: &[String]) -> io::Result<()> {
        if self.format.is_machine() {
            if !self.quiet {
                for l in lines {
                    eprintln!("{l}");
                }
            }
            return Ok(());
        }
        for l in lines {
            writeln!(self.out, "{l}")?;
        }
        writeln!(self.out)
    }

    /// The raw stdout writer, for text layouts of the `table` format.
    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// One JSON document: pretty for `json`, one line for `jsonl` (and the other formats).
    pub fn json<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        if self.format == Format::Json {
            serde_json::to_writer_pretty(&mut self.out, value)?;
        } else {
            serde_json::to_writer(&mut self.out, value)?;
        }
        writeln!(self.out)
    }

    /// One record as a JSON line.
    pub fn json_line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        writeln!(self.out)
    }

    /// Records: an aligned table or CSV from `table`, or the serialised `items` as a JSON
    /// array or JSON lines.
    pub fn records<T: Serialize>(&mut self, table: &Table, items: &[T]) -> io::Result<()> {
        match self.format {
            Format::Table => table.write_text(&mut self.out),
            Format::Csv => table.write_csv(&mut self.out),
            Format::Json => self.json(&items),
            Format::Jsonl => items.iter().try_for_each(|i| self.json_line(i)),
        }
    }

    /// A table as aligned text (`table`) or CSV (every other format).
    pub fn table(&mut self, table: &Table) -> io::Result<()> {
        match self.format {
            Format::Table => table.write_text(&mut self.out),
            _ => table.write_csv(&mut self.out),
        }
    }

    /// Flushes stdout.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Rows of text cells under headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            right: vec![false; headers.len()],
        }
    }

    /// Right-aligns the given columns (numbers) in text output.
    pub fn right_align(mut self, columns: &[usize]) -> Self {
        for &c in columns {
            if let Some(r) = self.right.get_mut(c) {
                *r = true;
            }
        }
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row(&mut self, mut cells: Vec<String>) {
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// Aligned columns separated by two spaces; no trailing spaces.
    pub fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let clean = |s: &str| s.replace(['\n', '\r', '\t'], " ");
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(clean(c).width());
            }
        }
        let line = |cells: &[String], w: &mut dyn Write| -> io::Result<()> {
            let mut out = String::new();
            for (i, c) in cells.iter().enumerate() {
                let c = clean(c);
                let pad = widths[i].saturating_sub(c.width());
                if i > 0 {
                    out.push_str("  ");
                }
                if self.right[i] {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(&c);
                } else {
                    out.push_str(&c);
                    out.push_str(&" ".repeat(pad));
                }
            }
            writeln!(w, "{}", out.trim_end())
        };
        line(&self.headers, w)?;
        for row in &self.rows {
            line(row, w)?;
        }
        Ok(())
    }

    /// CSV: the header row, then the rows.
    pub fn write_csv(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(&self.headers)?;
        for row in &self.rows {
            csv.write_record(row)?;
        }
        csv.flush()
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A byte count for people: `512 B`, `3.4 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn render(format: Format, f: impl FnOnce(&mut Output)) -> String {
        let buf = Shared::default();
        let mut out = Output::new(format, true, Box::new(buf.clone()));
        f(&mut out);
        out.finish().unwrap();
        let s = String::from_utf8(buf.0.borrow().clone()).unwrap();
        s
    }

    fn sample() -> Table {
        let mut t = Table::new(&["LIST", "ENTITIES", "TITLE"]).right_align(&[1]);
        t.row(vec!["un_sc".into(), "1,003".into(), "UN list".into()]);
        t.row(vec![
            "김정은".into(),
            "7".into(),
            "a, \"quoted\" title".into(),
        ]);
        t
    }

    #[test]
    fn text_tables_align_wide_characters_and_numbers() {
        let s = render(Format::Table, |o| o.table(&sample()).unwrap());
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "LIST    ENTITIES  TITLE");
        assert_eq!(lines[1], "un_sc      1,003  UN list");
        assert_eq!(lines[2], "김정은         7  a, \"quoted\" title");
    }

    #[test]
    fn csv_quotes_and_json_lines_are_one_record_per_line() {
        let s = render(Format::Csv, |o| o.table(&sample()).unwrap());
        assert_eq!(
            s.lines().nth(2).unwrap(),
            "김정은,7,\"a, \"\"quoted\"\" title\""
        );
        let items = vec![serde_json::json!({"a": 1}), serde_json::json!({"a": 2})];
        let s = render(Format::Jsonl, |o| o.records(&sample(), &items).unwrap());
        assert_eq!(s, "{\"a\":1}\n{\"a\":2}\n");
        let s = render(Format::Json, |o| o.records(&sample(), &items).unwrap());
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, serde_json::json!([{"a": 1}, {"a": 2}]));
    }

    #[test]
    fn warnings_head_tables_and_stay_off_machine_stdout() {
        let s = render(Format::Table, |o| o.warning(&["DEMO".into()]).unwrap());
        assert_eq!(s, "DEMO\n\n");
        let s = render(Format::Json, |o| o.warning(&["DEMO".into()]).unwrap());
        assert_eq!(s, "");
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1003), "1,003");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3_511_410), "3.5 MB");
    }
}
