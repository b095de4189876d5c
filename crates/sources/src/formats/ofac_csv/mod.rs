//! OFAC legacy CSV: the SDN list and the Consolidated (non-SDN) list of the US Treasury's
//! Office of Foreign Assets Control.
//!
//! Publisher: US Treasury, OFAC (public domain). Field specification: OFAC's "SDN List data
//! formats" page on ofac.treasury.gov and its legacy `dat_spec.txt`. Each list comes as up to
//! four headerless CSV files; `-0-` (often `-0- `) marks an empty field, and OFAC ends each
//! file with a DOS end-of-file byte (0x1A) on a line of its own, which is skipped.
//!
//! | file (SDN / Consolidated)          | columns                                                                 |
//! |------------------------------------|-------------------------------------------------------------------------|
//! | `sdn.csv` / `cons_prim.csv` (main) | ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks |
//! | `alt.csv` / `cons_alt.csv`         | ent_num, alt_num, alt_type (`aka`, `fka`, `nka`), alt_name, alt_remarks |
//! | `add.csv` / `cons_add.csv`         | ent_num, add_num, address, city/state/postal code, country, add_remarks |
//! | `sdn_comments.csv` / `cons_comments.csv` | ent_num, the continuation of a Remarks field cut at 1000 characters |
//!
//! Mapping onto the entity model:
//!
//! - id `us_ofac_sdn:<ent_num>` or `us_ofac_cons:<ent_num>` (see [`list_key`]);
//! - SDN_Name → primary name, kept as published (persons are `LAST, First`);
//! - SDN_Type → schema: `individual` Person, `vessel` Vessel, `aircraft` Aircraft, `-0-`
//!   Organization (OFAC's "entity");
//! - Program → programs (`SDGT] [IRGC` is two programs);
//! - Title → positions (`;`-separated); remarks items repeating a position are dropped;
//! - Call_Sign → identifier of kind call sign; Vess_type, Tonnage, GRT, Vess_flag (as ISO
//!   code), Vess_owner → vessel info (an unknown flag stays in `extra["Vess_flag"]`);
//! - alt.csv → names: `aka` alias, `fka` former, `nka` new; an alt_remarks saying "weak" or
//!   "low quality" makes the alias weak; other alt_remarks go to `extra["alt_remarks"]`;
//! - add.csv → addresses: street, city and postal code (see [`split_city_postal`]), country as
//!   ISO code (`Region: Crimea` → region; a country the table does not know → region);
//!   add_remarks → `extra["add_remarks"]`;
//! - Remarks (continued by the comments file) → see [`remarks`]: birth dates and places,
//!   nationalities, citizenships, gender, identifiers with issuing country, weak aliases,
//!   `Linked To:` relations, sanctions notes in `extra`, everything else in `remarks`.
//!
//! `Linked To:` targets are resolved to ids with a first pass over the main file that keeps
//! only each primary name and ent_num (about 2.3 MB for the 14,965 rows of the May 2024 SDN
//! list); the same pass checks the file's structure and refuses duplicate ent_nums
//! before any entity is emitted. A target named by more than one entity, or not on this list,
//! keeps only its name.
//!
//! A lone `sdn.csv` (such as the 2024 daily snapshots) parses the same way; its aliases are
//! then only the weak ones in the remarks. A Remarks field of exactly 1000 characters with no
//! comments file to continue it was cut by OFAC: its last item is kept unparsed in `remarks`
//! and `extra["remarks_truncated"]` says so.
//!
//! These files carry no publication date, so `ListInfo::published` is `None`.

mod remarks;

use crate::input::{self, CheckedReader};
use crate::{Emit, Format, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{
    Address, Entity, EntityId, IdKind, Identifier, NameKind, Relation, Schema, VesselInfo,
};
use remarks::{country_code, Fact};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// OFAC's limit on the Remarks field; a field this long was cut and continues in the
/// comments file.
const REMARKS_LIMIT: usize = 1000;

/// The DOS end-of-file byte OFAC puts on the last line of each file.
const SUB: char = '\u{1a}';

/// The role of one file in an OFAC set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Main,
    Alt,
    Add,
    Comments,
}

impl Role {
    /// The `SourceSet::parts` key of a companion file.
    fn part(self) -> &'static str {
        match self {
            Role::Main => "main",
            Role::Alt => "alt",
            Role::Add => "add",
            Role::Comments => "comments",
        }
    }

    fn columns(self) -> &'static str {
        match self {
            Role::Main => "ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks",
            Role::Alt => "ent_num, alt_num, alt_type, alt_name, alt_remarks",
            Role::Add => "ent_num, add_num, address, city/state/postal, country, add_remarks",
            Role::Comments => "ent_num, remarks continuation",
        }
    }

    fn field_count(self) -> usize {
        self.columns().split(", ").count()
    }
}

// ---------------------------------------------------------------------------------------------
// Sniffing and grouping

/// OFAC legacy CSV set: sdn.csv (or cons_prim.csv) with optional alt, add and comments files.
/// Registered in [`crate::FORMATS`].
pub struct OfacCsv;

/// The format's registry entry.
pub static FORMAT: OfacCsv = OfacCsv;

impl ListFormat for OfacCsv {
    fn name(&self) -> &'static str {
        "ofac_csv"
    }

    fn describe(&self) -> &'static str {
        "OFAC CSV"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }

    fn combines_files(&self) -> bool {
        true
    }

    fn group(&self, heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
        group(heads)
    }
}

/// True for any of the four OFAC file kinds, judged from the first records' content: a leading
/// integer ent_num and 12 fields with an SDN_Type (main), 5 fields with `aka`/`fka`/`nka` third
/// (alt), 6 fields with an integer add_num (add). A 2-field file (comments) looks like any
/// headerless two-column CSV, so there the file name must also say `comments`; an empty file
/// is claimed only under one of OFAC's own file names.
pub fn sniff(head: &Head) -> bool {
    role_of(head).is_some()
}

fn role_of(head: &Head) -> Option<Role> {
    let records = head_records(head);
    if records.is_empty() {
        return role_by_name(&head.file_name);
    }
    let mut role = None;
    for record in &records {
        let r = role_of_record(record, &head.file_name)?;
        if role.is_some_and(|seen| seen != r) {
            return None;
        }
        role = Some(r);
    }
    role
}

/// Up to six complete records from the head (a record cut by the head's end is left out).
fn head_records(head: &Head) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&head.bytes[..]);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while out.len() < 7 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if !is_eof_marker(&fields) {
            out.push(fields);
        }
    }
    if head.bytes.len() >= Head::SIZE || out.len() > 6 {
        out.pop();
    }
    out
}

fn role_of_record(fields: &[String], file_name: &str) -> Option<Role> {
    let is_int = |i: usize| fields.get(i).is_some_and(|f| parse_int(f).is_some());
    let field = |i: usize| {
        fields
            .get(i)
            .map(|f| f.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    if !is_int(0) {
        return None;
    }
    match fields.len() {
        12 if matches!(
            field(2).as_str(),
            "individual" | "vessel" | "aircraft" | "-0-"
        ) =>
        {
            Some(Role::Main)
        }
        5 if is_int(1) && matches!(field(2).as_str(), "aka" | "fka" | "nka") => Some(Role::Alt),
        6 if is_int(1) => Some(Role::Add),
        2 if file_name.contains("comment") => Some(Role::Comments),
        _ => None,
    }
}

/// OFAC's own file names, for files with no records to judge by.
fn role_by_name(file_name: &str) -> Option<Role> {
    match file_name {
        "sdn.csv" | "cons_prim.csv" => Some(Role::Main),
        "alt.csv" | "cons_alt.csv" => Some(Role::Alt),
        "add.csv" | "cons_add.csv" => Some(Role::Add),
        "sdn_comments.csv" | "cons_comments.csv" => Some(Role::Comments),
        _ => None,
    }
}

/// Groups OFAC files by folder into sets of a main file and its companions (`alt`, `add`,
/// `comments`). Each file's role comes from its content. When a folder holds more than one main
/// file, companions are paired with the main file of the same name prefix (`cons_alt.csv` with
/// `cons_prim.csv`, `alt.csv` and `sdn_comments.csv` with `sdn.csv`). A companion with no main
/// file in its folder, or two companions of one role for one main file, is an error naming
/// the file.
pub fn group(heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
    let mut folders: BTreeMap<PathBuf, Vec<(Role, Head)>> = BTreeMap::new();
    for head in heads {
        let role =
            role_of(&head).ok_or_else(|| ParseError::file(&head.path, "not an OFAC CSV file"))?;
        let folder = head
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        folders.entry(folder).or_default().push((role, head));
    }
    let mut sets = Vec::new();
    for files in folders.into_values() {
        sets.extend(group_folder(files)?);
    }
    Ok(sets)
}

fn group_folder(files: Vec<(Role, Head)>) -> Result<Vec<SourceSet>, ParseError> {
    let (mains, companions): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|(r, _)| *r == Role::Main);
    let mut sets: Vec<(String, SourceSet)> = mains
        .into_iter()
        .map(|(_, h)| {
            (
                name_prefix(&h.file_name, &["prim"]),
                SourceSet::single(Format::OfacCsv, h.path),
            )
        })
        .collect();
    for (role, head) in companions {
        let index = if sets.len() == 1 {
            Some(0)
        } else {
            let prefix = name_prefix(&head.file_name, &["alt", "add", "comments", "comment"]);
            let matching: Vec<usize> = (0..sets.len()).filter(|&i| sets[i].0 == prefix).collect();
            (matching.len() == 1).then(|| matching[0])
        };
        let Some((_, set)) = index.and_then(|i| sets.get_mut(i)) else {
            let reason = if sets.is_empty() {
                format!(
                    "OFAC {} file without a main file (sdn.csv or cons_prim.csv) in the same folder",
                    role.part()
                )
            } else {
                format!(
                    "cannot tell which OFAC main file this {} file belongs to; name it after its main file (cons_{} for cons_prim.csv, {} for sdn.csv)",
                    role.part(),
                    role.part(),
                    role.part()
                )
            };
            return Err(ParseError::file(&head.path, reason));
        };
        if let Some(other) = set.parts.insert(role.part().to_string(), head.path.clone()) {
            return Err(ParseError::file(
                &head.path,
                format!(
                    "a second OFAC {} file for {} (the first is {})",
                    role.part(),
                    set.main.display(),
                    other.display()
                ),
            ));
        }
    }
    Ok(sets.into_iter().map(|(_, s)| s).collect())
}

/// The part of a file name that ties companions to their main file: `cons_prim.csv` → `cons`,
/// `cons_alt.csv` → `cons`; `sdn.csv`, `alt.csv` and `sdn_comments.csv` → ``.
fn name_prefix(file_name: &str, role_words: &[&str]) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(file_name);
    let stem = role_words
        .iter()
        .find_map(|w| stem.strip_suffix(w))
        .unwrap_or(stem);
    let stem = stem.trim_end_matches(['_', '-', ' ', '.']);
    if stem == "sdn" {
        String::new()
    } else {
        stem.to_string()
    }
}

/// The list key of a set: `us_ofac_cons` when the main file's name starts with `cons` (OFAC's
/// `cons_prim.csv`), otherwise `us_ofac_sdn`. The key comes from the name because the files
/// themselves do not say which list they are.
pub fn list_key(main: &Path) -> &'static str {
    let name = main
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.starts_with("cons") {
        "us_ofac_cons"
    } else {
        "us_ofac_sdn"
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// Parses an OFAC set (main file plus optional `alt`, `add` and `comments` parts), streaming
/// the main file and emitting one entity per row.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    if let Some(key) = set
        .parts
        .keys()
        .find(|k| !["alt", "add", "comments"].contains(&k.as_str()))
    {
        return Err(ParseError::file(
            &set.main,
            format!("unexpected OFAC part {key:?} (expected alt, add or comments)"),
        ));
    }
    let part = |k: &str| set.parts.get(k).map(|p| Input::File(p.as_path()));
    let files = Files {
        list: list_key(&set.main),
        main: Input::File(&set.main),
        alt: part("alt"),
        add: part("add"),
        comments: part("comments"),
    };
    run(&files, emit)
}

/// The files of one OFAC set held in memory, each as (file name, content). The names appear in
/// errors, and the main file's name chooses the list key as in [`list_key`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BytesSet<'a> {
    /// The main file (`sdn.csv` or `cons_prim.csv` content): one row per entity.
    pub main: (&'a str, &'a [u8]),
    /// The aliases file (`alt.csv` / `cons_alt.csv`), if any.
    pub alt: Option<(&'a str, &'a [u8])>,
    /// The addresses file (`add.csv` / `cons_add.csv`), if any.
    pub add: Option<(&'a str, &'a [u8])>,
    /// The remarks continuation file (`sdn_comments.csv` / `cons_comments.csv`), if any.
    pub comments: Option<(&'a str, &'a [u8])>,
}

/// Parses a lone main file held in memory (for fuzzing and tests).
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_set_bytes(
        &BytesSet {
            main: (name, bytes),
            ..Default::default()
        },
        emit,
    )
}

/// Parses a whole set held in memory (for fuzzing and tests).
pub fn parse_set_bytes(set: &BytesSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let files = Files {
        list: list_key(Path::new(set.main.0)),
        main: bytes_input(set.main),
        alt: set.alt.map(bytes_input),
        add: set.add.map(bytes_input),
        comments: set.comments.map(bytes_input),
    };
    run(&files, emit)
}

fn bytes_input<'a>((name, bytes): (&'a str, &'a [u8])) -> Input<'a> {
    Input::Bytes(name, bytes)
}

struct Files<'a> {
    list: &'static str,
    main: Input<'a>,
    alt: Option<Input<'a>>,
    add: Option<Input<'a>>,
    comments: Option<Input<'a>>,
}

fn run(files: &Files, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let mut companions = Companions::load(files)?;
    let names = Names::collect(files.main, files.list)?;
    let mut rows = files.main.rows()?;
    while rows.next()? {
        rows.expect(Role::Main)?;
        let entity = build_entity(&rows, files.list, &mut companions, &names)?;
        emit(entity)?;
    }
    companions.warn_unused(files);
    Ok(ListInfo {
        list: files.list.to_string(),
        published: None,
        ..Default::default()
    })
}

// ---------------------------------------------------------------------------------------------
// Reading rows

/// One input file: on disk, or in memory with a name for errors.
#[derive(Clone, Copy)]
enum Input<'a> {
    File(&'a Path),
    Bytes(&'a str, &'a [u8]),
}

impl<'a> Input<'a> {
    fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes(name, _) => name.to_string(),
        }
    }

    fn rows(&self) -> Result<Rows<'a>, ParseError> {
        let reader: Box<dyn Read + 'a> = match *self {
            Input::File(path) => Box::new(input::open(path)?),
            Input::Bytes(_, bytes) => Box::new(CheckedReader::new(bytes)),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Tracker::new(reader));
        Ok(Rows {
            name: self.name(),
            reader,
            record: csv::StringRecord::new(),
            line: 0,
        })
    }
}

/// Watches the bytes the CSV reader reads: counts `"` (a file ending inside a quoted field,
/// an odd count, is reported as truncated rather than read as a short last field) and notes
/// where each non-blank line starts, for exact line numbers (the csv crate's own count lags
/// after a CRLF and starts a record at the blank lines before it).
struct Tracker<R> {
    inner: R,
    offset: u64,
    quotes: u64,
    /// line number of the byte at `offset`
    line: u64,
    at_line_start: bool,
    /// (offset, line) of line starts not yet passed by the records asked for
    starts: VecDeque<(u64, u64)>,
}

impl<R> Tracker<R> {
    fn new(inner: R) -> Self {
        Tracker {
            inner,
            offset: 0,
            quotes: 0,
            line: 1,
            at_line_start: true,
            starts: VecDeque::new(),
        }
    }

    /// The line of the first non-blank line starting at or after `byte` (records are asked
    /// for in order, so the starts before it are dropped).
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.starts.front().is_some_and(|&(at, _)| at < byte) {
            self.starts.pop_front();
        }
        self.starts.front().map_or(self.line, |&(_, line)| line)
    }
}

impl<R: Read> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        self.quotes += chunk.iter().filter(|&&b| b == b'"').count() as u64;
        let mut i = 0;
        while let Some(&b) = chunk.get(i) {
            if self.at_line_start {
                match b {
                    b'\n' => self.line += 1,
                    b'\r' => {}
                    _ => {
                        self.starts.push_back((self.offset + i as u64, self.line));
                        self.at_line_start = false;
                    }
                }
                i += 1;
                continue;
            }
            match chunk[i..].iter().position(|&b| b == b'\n') {
                Some(p) => {
                    i += p + 1;
                    self.line += 1;
                    self.at_line_start = true;
                }
                None => break,
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// A cursor over the records of one file; `record` and `line` describe the current row.
struct Rows<'a> {
    name: String,
    reader: csv::Reader<Tracker<Box<dyn Read + 'a>>>,
    record: csv::StringRecord,
    line: u64,
}

impl Rows<'_> {
    /// Moves to the next record, skipping OFAC's end-of-file marker line. False at the end.
    fn next(&mut self) -> Result<bool, ParseError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => return self.check_end().map(|_| false),
                Err(e) => return Err(self.csv_error(e)),
            }
            self.line = match self.record.position() {
                Some(p) => self.reader.get_mut().line_at(p.byte()),
                None => self.line + 1,
            };
            if !is_eof_marker(self.record.iter()) {
                return Ok(true);
            }
        }
    }

    fn check_end(&self) -> Result<(), ParseError> {
        if self.reader.get_ref().quotes % 2 == 1 {
            return Err(self.error("the file ends inside a quoted field: it is truncated"));
        }
        Ok(())
    }

    fn csv_error(&self, e: csv::Error) -> ParseError {
        match e.kind() {
            // CheckedReader's message names the byte and line (invalid UTF-8, UTF-16 BOM…)
            csv::ErrorKind::Io(io) => ParseError::file(&self.name, io.to_string()),
            _ => {
                let pos = e
                    .position()
                    .map(|p| Position::line(p.line()))
                    .unwrap_or_default();
                ParseError::new(&self.name, pos, format!("malformed CSV: {e}"))
            }
        }
    }

    /// An error at the current line.
    fn error(&self, reason: impl Into<String>) -> ParseError {
        ParseError::new(&self.name, Position::line(self.line), reason)
    }

    /// An error at the current line naming the record.
    fn record_error(&self, ent_num: u64, reason: impl Into<String>) -> ParseError {
        let mut pos = Position::line(self.line);
        pos.record = Some(format!("ent_num {ent_num}"));
        ParseError::new(&self.name, pos, reason)
    }

    fn expect(&self, role: Role) -> Result<(), ParseError> {
        let n = role.field_count();
        if self.record.len() != n {
            return Err(self.error(format!(
                "expected {n} fields ({}), found {}",
                role.columns(),
                self.record.len()
            )));
        }
        Ok(())
    }

    /// Field `i` trimmed, `None` when empty or OFAC's `-0-`.
    fn field(&self, i: usize) -> Option<&str> {
        self.record
            .get(i)
            .map(str::trim)
            .filter(|f| !f.is_empty() && *f != "-0-")
    }

    /// Field `i` exactly as published (for remarks, whose continuation is appended verbatim).
    fn raw(&self, i: usize) -> Option<&str> {
        self.record
            .get(i)
            .filter(|f| !matches!(f.trim(), "" | "-0-"))
    }

    fn ent_num(&self) -> Result<u64, ParseError> {
        let raw = self.record.get(0).unwrap_or("");
        parse_int(raw)
            .ok_or_else(|| self.error(format!("ent_num {:?} is not a number", raw.trim())))
    }
}

fn parse_int(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A record that is only OFAC's DOS end-of-file byte (0x1A).
fn is_eof_marker<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> bool {
    let mut fields = fields.into_iter();
    let first_blank = fields.next().is_some_and(|f| {
        f.as_ref()
            .trim_matches(|c: char| c == SUB || c.is_whitespace())
            .is_empty()
    });
    first_blank && fields.next().is_none()
}

// ---------------------------------------------------------------------------------------------
// Companion files

struct AltName {
    name: String,
    kind: NameKind,
    remarks: Option<String>,
}

/// The alt, add and comments rows by ent_num. These files are small (under 1 MB each for the
/// full SDN list), so they are read into memory before the main file is streamed.
#[derive(Default)]
struct Companions {
    alt: HashMap<u64, Vec<AltName>>,
    add: HashMap<u64, Vec<(Address, Option<String>)>>,
    comments: HashMap<u64, String>,
}

impl Companions {
    fn load(files: &Files) -> Result<Self, ParseError> {
        let mut c = Companions::default();
        if let Some(input) = files.alt {
            load_rows(input, Role::Alt, |rows, id| {
                if let Some(alt) = alt_name(rows) {
                    c.alt.entry(id).or_default().push(alt);
                }
                Ok(())
            })?;
        }
        if let Some(input) = files.add {
            load_rows(input, Role::Add, |rows, id| {
                let address = address(rows.field(2), rows.field(3), rows.field(4));
                let remarks = rows.field(5).map(str::to_string);
                if !address.is_empty() || remarks.is_some() {
                    c.add.entry(id).or_default().push((address, remarks));
                }
                Ok(())
            })?;
        }
        if let Some(input) = files.comments {
            load_rows(input, Role::Comments, |rows, id| {
                if let Some(text) = rows.raw(1) {
                    c.comments.entry(id).or_default().push_str(text);
                }
                Ok(())
            })?;
        }
        Ok(c)
    }

    /// Logs companion rows whose ent_num the main file did not list.
    fn warn_unused(&self, files: &Files) {
        let report = |n: usize, input: Option<Input>| {
            if let (true, Some(input)) = (n > 0, input) {
                tracing::warn!(
                    "{}: {n} ent_num(s) not in {}; their rows were ignored",
                    input.name(),
                    files.main.name()
                );
            }
        };
        report(self.alt.len(), files.alt);
        report(self.add.len(), files.add);
        report(self.comments.len(), files.comments);
    }
}

fn load_rows(
    input: Input,
    role: Role,
    mut each: impl FnMut(&Rows, u64) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut rows = input.rows()?;
    while rows.next()? {
        rows.expect(role)?;
        let id = rows.ent_num()?;
        each(&rows, id)?;
    }
    Ok(())
}

/// One alt.csv row as a name; a row without a name is skipped with a warning.
fn alt_name(rows: &Rows) -> Option<AltName> {
    let Some(name) = rows.field(3) else {
        tracing::warn!(
            "{}: line {}: alt_name is empty; row ignored",
            rows.name,
            rows.line
        );
        return None;
    };
    let alt_type = rows.field(2).unwrap_or("aka");
    let mut kind = match alt_type.to_ascii_lowercase().as_str() {
        "aka" => NameKind::Alias,
        "fka" => NameKind::Former,
        "nka" => NameKind::New,
        other => NameKind::parse_loose(other).unwrap_or_else(|| {
            tracing::warn!(
                "{}: line {}: unknown alt_type {alt_type:?}; read as aka",
                rows.name,
                rows.line
            );
            NameKind::Alias
        }),
    };
    let remarks = rows.field(4).map(str::to_string);
    let weak = remarks.as_deref().is_some_and(|r| {
        let r = r.to_ascii_lowercase();
        r.contains("weak") || r.contains("low quality")
    });
    if weak && kind == NameKind::Alias {
        kind = NameKind::WeakAlias;
    }
    Some(AltName {
        name: name.to_string(),
        kind,
        remarks: remarks.filter(|_| !weak),
    })
}

/// An add.csv row as an address.
fn address(street: Option<&str>, city_postal: Option<&str>, country_text: Option<&str>) -> Address {
    let mut a = Address {
        street: street.map(str::to_string),
        ..Default::default()
    };
    if let Some(text) = city_postal {
        let (city, postal) = split_city_postal(text);
        a.city = city;
        a.postal_code = postal;
    }
    if let Some(text) = country_text {
        let region = text.strip_prefix("Region:").map(str::trim);
        let name = region.unwrap_or(text);
        a.country = country_code(name).map(str::to_string);
        if region.is_some() || (a.country.is_none() && !name.eq_ignore_ascii_case("undetermined")) {
            a.region = Some(name.to_string());
        }
    }
    a
}

/// Splits OFAC's "city/state/postal" column into the city (with any state or province, as
/// written) and the postal code, where the code is clear:
///
/// - after a `C.P.`, `CP` or `Codigo Postal` marker (`Zapopan, Jalisco C.P. 45110`);
/// - a last word with a digit made of capitals, digits, `-` and `/` (`Moscow 123001`,
///   `Zurich CH-8022`, `Tehran 14155/6363`), joined by a preceding such word that has a digit
///   or is 1-3 capitals not after a comma (`London EC3N 1DY`, `Valletta VLT 1434`, but
///   `Plantation, FL 33325` keeps `FL` in the city);
/// - Dutch `1077 BL` and leading codes (`0578 Oslo`);
/// - the whole text when it is one such word (`018987`).
///
/// A number after `District`, `Zone`, `Block` and the like is part of the place. Anything
/// else stays in the city.
pub fn split_city_postal(text: &str) -> (Option<String>, Option<String>) {
    let t = text.trim();
    let own = |s: &str| (!s.is_empty()).then(|| s.to_string());
    if let Some((city, postal)) = split_postal_marker(t) {
        return (own(city), own(postal));
    }
    if is_code_word(t) && has_digit(t) {
        return (None, own(t));
    }
    let Some((rest, last)) = last_word(t) else {
        return (own(t), None);
    };
    if is_code_word(last) && has_digit(last) {
        if last_word(rest).is_some_and(|(_, w)| is_place_word(w)) {
            return (own(t), None);
        }
        if let Some((rest2, prev)) = last_word(rest) {
            let joins = is_code_word(prev)
                && (has_digit(prev) || (is_capitals(prev, 3) && !rest2.ends_with(',')));
            if joins {
                return (own(rest2), Some(format!("{prev} {last}")));
            }
        }
        return (own(rest), own(last));
    }
    if is_capitals(last, 2) {
        if let Some((rest2, prev)) = last_word(rest) {
            if prev.len() >= 4 && prev.bytes().all(|b| b.is_ascii_digit()) {
                return (own(rest2), Some(format!("{prev} {last}")));
            }
        }
    }
    if let Some((first, rest)) = t.split_once(' ') {
        let leading = (4..=5).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
        if leading && !has_digit(rest) {
            return (own(rest.trim()), own(first));
        }
    }
    (own(t), None)
}

fn split_postal_marker(t: &str) -> Option<(&str, &str)> {
    for marker in [" C.P.", " CP ", " Codigo Postal "] {
        if let Some(i) = t.find(marker) {
            let postal = t[i + marker.len()..].trim();
            if has_digit(postal) && !postal.contains(' ') {
                return Some((t[..i].trim(), postal));
            }
        }
    }
    None
}

/// The text before the last word, and the last word.
fn last_word(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    let i = s.rfind(char::is_whitespace)?;
    let (head, tail) = s.split_at(i);
    Some((head.trim_end(), tail.trim_start()))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn is_code_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 10
        && s.as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/')
}

fn is_capitals(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Words after which a number names part of a place, not a postal code.
fn is_place_word(w: &str) -> bool {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    matches!(
        w.as_str(),
        "district"
            | "zone"
            | "zona"
            | "block"
            | "sector"
            | "km"
            | "no"
            | "number"
            | "street"
            | "phase"
            | "area"
            | "unit"
    )
}

// ---------------------------------------------------------------------------------------------
// Linked To: targets

/// Primary names of the main file, for resolving `Linked To:` targets to ids.
struct Names {
    by_key: HashMap<String, Option<(u64, String)>>,
}

impl Names {
    /// First pass over the main file: checks each row's shape and the uniqueness of ent_nums,
    /// and keeps each primary name with its ent_num (`None` for names used twice).
    fn collect(main: Input, list: &str) -> Result<Self, ParseError> {
        let mut by_key: HashMap<String, Option<(u64, String)>> = HashMap::new();
        let mut lines: HashMap<u64, u64> = HashMap::new();
        let mut rows = main.rows()?;
        while rows.next()? {
            rows.expect(Role::Main)?;
            let id = rows.ent_num()?;
            if let Some(first) = lines.insert(id, rows.line) {
                return Err(rows.record_error(
                    id,
                    format!("ent_num {id} appears twice on {list} (first on line {first})"),
                ));
            }
            let name = rows
                .field(1)
                .ok_or_else(|| rows.record_error(id, "SDN_Name is empty"))?;
            by_key
                .entry(name_key(name))
                .and_modify(|v| *v = None)
                .or_insert_with(|| Some((id, name.to_string())));
        }
        Ok(Names { by_key })
    }

    /// A `linked_to` relation to the entity of that primary name, or to the name alone.
    fn relation(&self, list: &str, target: &str, own_id: u64) -> Relation {
        let found = self
            .by_key
            .get(&name_key(target))
            .and_then(Option::as_ref)
            .filter(|(id, _)| *id != own_id);
        let (target, target_name) = match found {
            Some((id, name)) => (EntityId::new(list, &id.to_string()).ok(), name.clone()),
            None => (None, target.to_string()),
        };
        Relation {
            kind: "linked_to".to_string(),
            target,
            target_name: Some(target_name),
        }
    }
}

/// Upper case, single spaces, no final full stop (OFAC ends the remarks with one, which may
/// have eaten the stop of `S.A.`).
fn name_key(name: &str) -> String {
    let joined = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    joined.trim_end_matches('.').to_string()
}

// ---------------------------------------------------------------------------------------------
// Building entities

fn build_entity(
    rows: &Rows,
    list: &str,
    companions: &mut Companions,
    names: &Names,
) -> Result<Entity, ParseError> {
    let id = rows.ent_num()?;
    let schema = schema_of(rows.field(2)).ok_or_else(|| {
        rows.record_error(
            id,
            format!(
                "unknown SDN_Type {:?} (expected individual, vessel, aircraft or -0-)",
                rows.field(2).unwrap_or("")
            ),
        )
    })?;
    let entity_id =
        EntityId::new(list, &id.to_string()).map_err(|e| rows.record_error(id, e.to_string()))?;
    let mut e = Entity::new(entity_id, schema);
    let name = rows
        .field(1)
        .ok_or_else(|| rows.record_error(id, "SDN_Name is empty"))?;
    e.add_name(name, NameKind::Primary);
    e.programs = split_programs(rows.field(3));
    e.positions = rows.field(4).map(split_title).unwrap_or_default();
    if let Some(call_sign) = rows.field(5) {
        let mut cs = Identifier::new(IdKind::CallSign, call_sign);
        cs.label = Some("Call Sign".to_string());
        e.identifiers.push(cs);
    }
    set_vessel(&mut e, rows);
    add_companions(&mut e, id, companions);
    let (text, truncated) = remarks_text(rows, companions.comments.remove(&id));
    if let Some(text) = text {
        apply_remarks(&mut e, &text, truncated, names, id);
    }
    Ok(e)
}

/// The alt.csv names and add.csv addresses of the entity.
fn add_companions(e: &mut Entity, id: u64, companions: &mut Companions) {
    for alt in companions.alt.remove(&id).unwrap_or_default() {
        e.add_name(&alt.name, alt.kind);
        if let Some(r) = alt.remarks {
            let note = format!("{}: {r}", alt.name);
            e.extra
                .entry("alt_remarks".to_string())
                .or_default()
                .push(note);
        }
    }
    for (address, remarks) in companions.add.remove(&id).unwrap_or_default() {
        if !address.is_empty() && !e.addresses.contains(&address) {
            e.addresses.push(address);
        }
        if let Some(r) = remarks {
            e.extra
                .entry("add_remarks".to_string())
                .or_default()
                .push(r);
        }
    }
}

/// The Remarks field with its continuation from the comments file appended verbatim (OFAC cuts
/// mid-word), and whether it was cut with nothing to continue it.
fn remarks_text(rows: &Rows, continuation: Option<String>) -> (Option<String>, bool) {
    let raw = rows.raw(11);
    let truncated =
        continuation.is_none() && raw.is_some_and(|r| r.chars().count() >= REMARKS_LIMIT);
    let text = match (raw, continuation) {
        (Some(r), Some(c)) => Some(format!("{r}{c}")),
        (r, c) => c.or(r.map(str::to_string)),
    };
    (text, truncated)
}

fn schema_of(sdn_type: Option<&str>) -> Option<Schema> {
    match sdn_type.map(str::to_ascii_lowercase).as_deref() {
        None | Some("entity") => Some(Schema::Organization),
        Some("individual") => Some(Schema::Person),
        Some("vessel") => Some(Schema::Vessel),
        Some("aircraft") => Some(Schema::Aircraft),
        Some(_) => None,
    }
}

/// `SDGT] [IRGC` → `["SDGT", "IRGC"]`.
fn split_programs(field: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in field.unwrap_or("").split("] [") {
        let p = p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace());
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

fn split_title(title: &str) -> Vec<String> {
    title
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn set_vessel(e: &mut Entity, rows: &Rows) {
    let own = |i: usize| rows.field(i).map(str::to_string);
    let flag_text = rows
        .field(9)
        .filter(|f| !f.eq_ignore_ascii_case("None Identified"));
    let flag = flag_text.and_then(country_code).map(str::to_string);
    if let (Some(text), None) = (flag_text, &flag) {
        e.extra
            .entry("Vess_flag".to_string())
            .or_default()
            .push(text.to_string());
    }
    let v = VesselInfo {
        flag,
        vessel_type: own(6),
        tonnage: own(7),
        gross_registered_tonnage: own(8),
        owner: own(10),
    };
    if v != VesselInfo::default() {
        e.vessel = Some(v);
    }
}

/// Applies each remarks item to the entity; items that map to no field go to `remarks`.
fn apply_remarks(e: &mut Entity, text: &str, truncated: bool, names: &Names, own_id: u64) {
    let items = remarks::split(text);
    let last = items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        if truncated && i == last {
            e.remarks.push(item.to_string());
            continue;
        }
        if repeats_position(e, item) {
            continue;
        }
        match remarks::parse_item(item) {
            Some(fact) => apply_fact(e, fact, names, own_id),
            None => e.remarks.push(item.to_string()),
        }
    }
    if truncated {
        e.extra
            .entry("remarks_truncated".to_string())
            .or_default()
            .push(format!(
            "OFAC cut the remarks at {REMARKS_LIMIT} characters and no comments file continues them"
        ));
    }
}

fn repeats_position(e: &Entity, item: &str) -> bool {
    let item = item.trim_end_matches('.');
    e.positions
        .iter()
        .any(|p| p.trim_end_matches('.').eq_ignore_ascii_case(item))
}

fn apply_fact(e: &mut Entity, fact: Fact, names: &Names, own_id: u64) {
    match fact {
        Fact::BirthDate(d) => push_new(&mut e.birth_dates, d),
        Fact::BirthPlace(p) => push_new(&mut e.birth_places, p),
        Fact::Nationality(c) => Entity::push_country(&mut e.nationalities, c),
        Fact::Citizenship(c) => Entity::push_country(&mut e.citizenships, c),
        Fact::Country(c) => Entity::push_country(&mut e.countries, c),
        Fact::Gender(g) => {
            e.gender.get_or_insert(g);
        }
        Fact::Name(value, kind) => e.add_name(&value, kind),
        Fact::LinkedTo(target) => {
            let list = e.id.list().to_string();
            push_new(&mut e.relations, names.relation(&list, &target, own_id));
        }
        Fact::Identifier(id) => push_new(&mut e.identifiers, id),
        Fact::Extra(key, value) => e.extra.entry(key).or_default().push(value),
    }
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_rows(main: &str) -> Vec<Entity> {
        parse_set(&BytesSet {
            main: ("sdn.csv", main.as_bytes()),
            ..Default::default()
        })
        .unwrap()
    }

    fn parse_set(set: &BytesSet) -> Result<Vec<Entity>, ParseError> {
        crate::collect(|emit| parse_set_bytes(set, emit)).map(|(_, v)| v)
    }

    const KIM: &str = "20157,\"KIM, Jong Un\",\"individual\",\"DPRK3\",\"Chairman of the Workers' Party of Korea\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 08 Jan 1984; Chairman of the Workers' Party of Korea; a.k.a. 'KIM, Jong-un'; Linked To: KOREAN WORKERS' PARTY.\"\r\n";
    const PARTY: &str = "100,\"KOREAN WORKERS' PARTY\",-0- ,\"DPRK2] [DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";

    #[test]
    fn maps_a_person_row() {
        let es = parse_rows(&format!("{KIM}{PARTY}\u{1a}"));
        assert_eq!(es.len(), 2);
        let kim = &es[0];
        assert_eq!(kim.id.to_string(), "us_ofac_sdn:20157");
        assert_eq!(kim.schema, Schema::Person);
        assert_eq!(kim.caption(), "KIM, Jong Un");
        assert_eq!(kim.birth_dates[0].to_string(), "1984-01-08");
        assert_eq!(
            kim.positions,
            vec!["Chairman of the Workers' Party of Korea"]
        );
        assert!(kim.remarks.is_empty(), "{:?}", kim.remarks);
        assert_eq!(kim.names[1].kind, NameKind::WeakAlias);
        let rel = &kim.relations[0];
        assert_eq!(
            rel.target.as_ref().map(|t| t.to_string()).as_deref(),
            Some("us_ofac_sdn:100")
        );
        assert_eq!(es[1].programs, vec!["DPRK2", "DPRK3"]);
        assert_eq!(es[1].schema, Schema::Organization);
    }

    #[test]
    fn companions_and_continuation() {
        let main = "7,\"SHIP ONE\",\"vessel\",\"IRAN\",-0- ,\"9BQA\",\"Crude Oil Tanker\",\"300,000\",\"160,000\",\"Iran\",-0- ,\"Vessel Registration Identification IMO 9223758; Linked To: NATIONAL IRANIAN TA\"\n";
        let set = BytesSet {
            main: ("sdn.csv", main.as_bytes()),
            alt: Some((
                "alt.csv",
                b"7,1,\"fka\",\"SHIP ZERO\",-0- \n7,2,\"aka\",\"S1\",\"weak alias\"\n",
            )),
            add: Some(("add.csv", b"7,3,-0- ,\"Moscow 123001\",\"Russia\",-0- \n")),
            comments: Some(("sdn_comments.csv", b"7,\"NKER COMPANY.\"\n")),
        };
        let es = parse_set(&set).unwrap();
        let e = &es[0];
        assert_eq!(e.schema, Schema::Vessel);
        let v = e.vessel.as_ref().unwrap();
        assert_eq!(
            (v.flag.as_deref(), v.tonnage.as_deref()),
            (Some("ir"), Some("300,000"))
        );
        assert!(e
            .identifiers
            .iter()
            .any(|i| i.kind == IdKind::CallSign && i.value == "9BQA"));
        assert!(e
            .identifiers
            .iter()
            .any(|i| i.kind == IdKind::Imo && i.value == "9223758"));
        assert_eq!(e.names[1].kind, NameKind::Former);
        assert_eq!(e.names[2].kind, NameKind::WeakAlias);
        let a = &e.addresses[0];
        assert_eq!(
            (
                a.city.as_deref(),
                a.postal_code.as_deref(),
                a.country.as_deref()
            ),
            (Some("Moscow"), Some("123001"), Some("ru"))
        );
        assert_eq!(
            e.relations[0].target_name.as_deref(),
            Some("NATIONAL IRANIAN TANKER COMPANY")
        );
    }

    #[test]
    fn lines_are_exact_with_crlf_and_multiline_fields() {
        let text = "1,\"a\"\r\n2,\"b\r\nc\"\r\n\r\n3,\"d\"\r\n";
        let mut rows = Input::Bytes("sdn_comments.csv", text.as_bytes())
            .rows()
            .unwrap();
        let mut lines = Vec::new();
        while rows.next().unwrap() {
            lines.push((rows.ent_num().unwrap(), rows.line));
        }
        assert_eq!(lines, [(1, 1), (2, 2), (3, 5)]);
    }

    #[test]
    fn linked_to_name_index_stays_small() {
        // the largest file at hand: the 2024-05-03 SDN list, 14,965 rows
        let path =
            crate::shared_dir_for_tests().join("data/lists/us_ofac_sdn_history/2024-05-03/sdn.csv");
        let names = Names::collect(Input::File(&path), "us_ofac_sdn").unwrap();
        let slot = std::mem::size_of::<(String, Option<(u64, String)>)>() + 1;
        let strings: usize = names
            .by_key
            .iter()
            .map(|(k, v)| k.capacity() + v.as_ref().map_or(0, |(_, n)| n.capacity()))
            .sum();
        let bytes = strings + names.by_key.capacity() * slot;
        eprintln!(
            "Linked To index: {} names, about {} KiB",
            names.by_key.len(),
            bytes / 1024
        );
        assert!(names.by_key.len() > 14_000);
        assert!(bytes < 4 << 20, "{bytes} bytes");
    }

    #[test]
    fn city_postal_split() {
        let s = |t: &str| {
            let (c, p) = split_city_postal(t);
            (c.unwrap_or_default(), p.unwrap_or_default())
        };
        assert_eq!(s("Moscow 123001"), ("Moscow".into(), "123001".into()));
        assert_eq!(s("London EC3N 1DY"), ("London".into(), "EC3N 1DY".into()));
        assert_eq!(s("Zurich CH-8022"), ("Zurich".into(), "CH-8022".into()));
        assert_eq!(
            s("Plantation, FL 33325"),
            ("Plantation, FL".into(), "33325".into())
        );
        assert_eq!(
            s("Valletta VLT 1434"),
            ("Valletta".into(), "VLT 1434".into())
        );
        assert_eq!(
            s("Zapopan, Jalisco C.P. 45110"),
            ("Zapopan, Jalisco".into(), "45110".into())
        );
        assert_eq!(
            s("Culiacan, Sinaloa C.P.80180"),
            ("Culiacan, Sinaloa".into(), "80180".into())
        );
        assert_eq!(
            s("Mexicali, Baja California Codigo Postal 21297"),
            ("Mexicali, Baja California".into(), "21297".into())
        );
        assert_eq!(
            s("Amsterdam 1082 MA"),
            ("Amsterdam".into(), "1082 MA".into())
        );
        assert_eq!(s("0578 Oslo"), ("Oslo".into(), "0578".into()));
        assert_eq!(s("018987"), ("".into(), "018987".into()));
        assert_eq!(
            s("Baghdad District 929"),
            ("Baghdad District 929".into(), "".into())
        );
        assert_eq!(
            s("Guadalajara, Jalisco"),
            ("Guadalajara, Jalisco".into(), "".into())
        );
        assert_eq!(s("Mumbai 400 005"), ("Mumbai".into(), "400 005".into()));
    }

    #[test]
    fn addresses_with_regions_and_unknown_countries() {
        let a = address(None, None, Some("Region: Crimea"));
        assert_eq!(
            (a.region.as_deref(), a.country.as_deref()),
            (Some("Crimea"), Some("ua"))
        );
        let a = address(None, None, Some("Region: Kafia Kingi"));
        assert_eq!(
            (a.region.as_deref(), a.country.as_deref()),
            (Some("Kafia Kingi"), None)
        );
        assert!(address(None, None, Some("undetermined")).is_empty());
        assert_eq!(
            address(None, None, Some("Cote d Ivoire"))
                .country
                .as_deref(),
            Some("ci")
        );
    }

    #[test]
    fn sniff_by_content() {
        let head = |name: &str, text: &str| Head::from_bytes(name, text.as_bytes());
        assert_eq!(role_of(&head("x.csv", KIM)), Some(Role::Main));
        assert_eq!(
            role_of(&head("x.csv", "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n")),
            Some(Role::Alt)
        );
        assert_eq!(
            role_of(&head("x.csv", "36,25,-0- ,\"Havana\",\"Cuba\",-0- \n")),
            Some(Role::Add)
        );
        assert_eq!(role_of(&head("x.csv", "12300,\"Z S.A.S.\"\n")), None);
        assert_eq!(
            role_of(&head("sdn_comments.csv", "12300,\"Z S.A.S.\"\n")),
            Some(Role::Comments)
        );
        assert_eq!(role_of(&head("cons_alt.csv", "\u{1a}")), Some(Role::Alt));
        assert_eq!(role_of(&head("x.csv", "id,name\n1,foo\n")), None);
        assert_eq!(role_of(&head("x.csv", "ent_num,SDN_Name\n")), None);
        assert_eq!(role_of(&head("x.csv", "")), None);
    }

    #[test]
    fn name_prefixes_pair_companions() {
        assert_eq!(name_prefix("cons_prim.csv", &["prim"]), "cons");
        assert_eq!(name_prefix("sdn.csv", &["prim"]), "");
        assert_eq!(
            name_prefix("cons_comments.csv", &["alt", "add", "comments"]),
            "cons"
        );
        assert_eq!(
            name_prefix("sdn_comments.csv", &["alt", "add", "comments"]),
            ""
        );
        assert_eq!(name_prefix("alt.csv", &["alt", "add", "comments"]), "");
    }

    #[test]
    fn truncated_remarks_keep_last_item_raw() {
        let mut remarks = "DOB 1960; ".repeat(99);
        remarks.push_str("Passport 12");
        assert_eq!(remarks.len(), 1001);
        remarks.pop();
        let row = format!(
            "1,\"X, Y\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{remarks}\"\n"
        );
        let e = &parse_rows(&row)[0];
        assert_eq!(e.remarks, vec!["Passport 1"]);
        assert!(e.identifiers.is_empty());
        assert!(e.extra.contains_key("remarks_truncated"));
    }
}
