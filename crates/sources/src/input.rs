//! Reading list files safely: a UTF-8-checking reader, positions for errors, and a streaming
//! XML reader that refuses DTDs and builds one small tree per record.

use crate::{ParseError, Position};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Wraps a reader: drops a leading UTF-8 byte-order mark, refuses UTF-16/32 and invalid UTF-8
/// (an `InvalidData` error naming the byte offset and line), and counts bytes and lines read.
pub struct CheckedReader<R> {
    inner: R,
    started: bool,
    /// validated bytes not yet handed out, from `pos`
    ready: Vec<u8>,
    pos: usize,
    /// bytes of an incomplete UTF-8 sequence carried over to the next chunk
    carry: Vec<u8>,
    /// bytes validated so far (after the BOM)
    offset: u64,
    /// line number at the end of the validated bytes
    line: u64,
    eof: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> CheckedReader<R> {
    /// Wraps `inner`; nothing is read until the first `read`.
    pub fn new(inner: R) -> Self {
        CheckedReader {
            inner,
            started: false,
            ready: Vec::with_capacity(CHUNK + 4),
            pos: 0,
            carry: Vec::new(),
            offset: 0,
            line: 1,
            eof: false,
        }
    }

    /// Bytes validated so far (after the BOM).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn invalid(&self, line: u64, at: u64, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} at byte {at} (line {line})"),
        )
    }

    /// Reads and validates the next chunk into `ready`. Returns false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        self.ready.clear();
        self.pos = 0;
        self.ready.append(&mut self.carry);
        let start = self.ready.len();
        self.ready.resize(start + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.ready[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.ready.truncate(start + n);
        if n == 0 {
            self.eof = true;
        }
        if !self.started {
            self.started = true;
            // top up so the BOM check sees 4 bytes where the file has them
            while self.ready.len() < 4 && !self.eof {
                let mut more = [0u8; 4];
                let m = self.inner.read(&mut more)?;
                if m == 0 {
                    self.eof = true;
                }
                self.ready.extend_from_slice(&more[..m]);
            }
            if self.ready.starts_with(&[0xFF, 0xFE]) || self.ready.starts_with(&[0xFE, 0xFF]) {
                return Err(self.invalid(
                    1,
                    0,
                    "UTF-16/UTF-32 byte-order mark: convert the file to UTF-8",
                ));
            }
            if self.ready.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.ready.drain(..3);
            }
        }
        let valid = match std::str::from_utf8(&self.ready) {
            Ok(_) => self.ready.len(),
            Err(e) => {
                let v = e.valid_up_to();
                if e.error_len().is_some() || self.eof {
                    let line =
                        self.line + self.ready[..v].iter().filter(|&&b| b == b'\n').count() as u64;
                    let what = if e.error_len().is_some() {
                        "invalid UTF-8"
                    } else {
                        "truncated UTF-8 sequence at end of file"
                    };
                    return Err(self.invalid(line, self.offset + v as u64, what));
                }
                v
            }
        };
        self.carry.extend_from_slice(&self.ready[valid..]);
        self.ready.truncate(valid);
        self.line += self.ready.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset += valid as u64;
        Ok(!self.ready.is_empty() || !self.eof)
    }
}

impl<R: Read> Read for CheckedReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.ready.len() {
            if self.eof && self.carry.is_empty() {
                return Ok(0);
            }
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = (self.ready.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.ready[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Opens a list file for reading through a [`CheckedReader`].
pub fn open(path: &Path) -> Result<BufReader<CheckedReader<File>>, ParseError> {
    let f = File::open(path).map_err(|e| ParseError::file(path, format!("cannot open: {e}")))?;
    Ok(BufReader::with_capacity(64 * 1024, CheckedReader::new(f)))
}

/// Reads up to `n` bytes from the start of a file (for format sniffing).
pub fn head_bytes(path: &Path, n: usize) -> Result<Vec<u8>, ParseError> {
    let f = File::open(path).map_err(|e| ParseError::file(path, format!("cannot open: {e}")))?;
    let mut buf = Vec::with_capacity(n);
    f.take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|e| ParseError::file(path, format!("cannot read: {e}")))?;
    Ok(buf)
}

/// Line and column of a byte offset in a file (computed on the error path only).
pub fn position_of(path: &Path, byte: u64) -> Position {
    match File::open(path) {
        Ok(f) => position_in(f, byte),
        Err(_) => Position::byte(byte),
    }
}

/// Line and column of a byte offset in any readable text, e.g. in-memory input
/// (`position_in(bytes, offset)`).
pub fn position_in<R: Read>(text: R, byte: u64) -> Position {
    let mut pos = Position::byte(byte);
    let mut line = 1u64;
    let mut col = 1u64;
    let mut r = BufReader::new(text.take(byte));
    let mut buf = Vec::new();
    while let Ok(n) = r.read_until(b'\n', &mut buf) {
        if n == 0 {
            break;
        }
        if buf.ends_with(b"\n") {
            line += 1;
            col = 1;
        } else {
            col += String::from_utf8_lossy(&buf).chars().count() as u64;
        }
        buf.clear();
    }
    pos.line = Some(line);
    pos.column = Some(col);
    pos
}

/// Adds line and column to an error that names only a byte offset, from the in-memory input
/// it was read from (a leading UTF-8 BOM is skipped, as [`CheckedReader`] skips it).
pub fn locate_in(bytes: &[u8], mut err: ParseError) -> ParseError {
    if let (None, Some(byte)) = (err.position.line, err.position.byte) {
        let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
        let pos = position_in(text, byte);
        err.position.line = pos.line;
        err.position.column = pos.column;
    }
    err
}

/// Turns an I/O error met while reading `path` into a [`ParseError`].
pub fn io_error(path: &Path, e: &io::Error) -> ParseError {
    ParseError::file(path, e.to_string())
}

pub mod xml {
    //! Streaming XML: events from quick-xml with DTDs refused, small per-record trees, and
    //! [`for_each_record`], the record loop of the XML list readers.

    use super::*;
    use crate::Emit;
    use model::Entity;
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::Reader;

    /// One element with its attributes, text and children; built per record so that memory
    /// stays bounded by the largest record, not the file.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Node {
        /// Local name (namespace prefix removed).
        pub name: String,
        /// Attributes in document order: local name (prefix removed) and unescaped value.
        pub attrs: Vec<(String, String)>,
        /// Text directly inside this element, entity references resolved, trimmed.
        pub text: String,
        /// Child elements in document order.
        pub children: Vec<Node>,
    }

    impl Node {
        /// The first child with this local name.
        pub fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find(|c| c.name == name)
        }
        /// All children with this local name.
        pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
            self.children.iter().filter(move |c| c.name == name)
        }
        /// Text of the first child with this name, if non-empty.
        pub fn child_text(&self, name: &str) -> Option<&str> {
            self.child(name)
                .map(|c| c.text.as_str())
                .filter(|t| !t.is_empty())
        }
        /// An attribute's value, if present and non-empty.
        pub fn attr(&self, name: &str) -> Option<&str> {
            self.attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        }
    }

    /// A streaming XML reader over a checked file that refuses DOCTYPE declarations (and so
    /// any entity definitions, internal or external), and reports errors with line and column.
    /// [`XmlStream::from_reader`] reads any other source (in-memory bytes for fuzzing); its
    /// errors carry the byte offset only.
    pub struct XmlStream<R = BufReader<CheckedReader<File>>> {
        reader: Reader<R>,
        path: std::path::PathBuf,
        buf: Vec<u8>,
        /// whether `path` is the file being read, so that errors can name line and column
        is_file: bool,
    }

    /// An event the record walkers care about.
    #[derive(Debug)]
    pub enum XmlEvent {
        /// An opening tag: local name and attributes; `empty` for `<a/>`.
        Start {
            /// Local name (namespace prefix removed).
            name: String,
            /// Attributes: local name and unescaped value, in document order.
            attrs: Vec<(String, String)>,
            /// True for a self-closing element (`<a/>`): no `End` event follows.
            empty: bool,
        },
        /// A closing tag.
        End {
            /// Local name (namespace prefix removed).
            name: String,
        },
        /// Element content: text (entity references resolved, surrounding whitespace trimmed)
        /// or a CDATA section (as is).
        Text(String),
        /// The end of the input.
        Eof,
    }

    fn local(name: &[u8]) -> String {
        let n = match name.iter().rposition(|&b| b == b':') {
            Some(i) => &name[i + 1..],
            None => name,
        };
        String::from_utf8_lossy(n).into_owned()
    }

    impl XmlStream {
        /// Opens a list file through a [`CheckedReader`]; errors name line and column.
        pub fn open(path: &Path) -> Result<Self, ParseError> {
            let mut stream = XmlStream::from_reader(path, super::open(path)?);
            stream.is_file = true;
            Ok(stream)
        }
    }

    impl<R: BufRead> XmlStream<R> {
        /// Reads XML from any buffered reader; `name` names the input in errors. Wrap raw
        /// bytes in a [`CheckedReader`] to get the same UTF-8 checks as files.
        pub fn from_reader(name: impl AsRef<Path>, reader: R) -> Self {
            let mut reader = Reader::from_reader(reader);
            reader.config_mut().trim_text(true);
            reader.config_mut().expand_empty_elements = false;
            XmlStream {
                reader,
                path: name.as_ref().to_path_buf(),
                buf: Vec::with_capacity(4096),
                is_file: false,
            }
        }

        /// The file or input name that errors carry.
        pub fn path(&self) -> &Path {
            &self.path
        }

        fn position(&self, byte: u64) -> Position {
            if self.is_file {
                position_of(&self.path, byte)
            } else {
                Position::byte(byte)
            }
        }

        /// An error at the reader's current position.
        pub fn error(&self, reason: impl Into<String>) -> ParseError {
            ParseError::new(
                &self.path,
                self.position(self.reader.buffer_position()),
                reason,
            )
        }

        fn attrs(&self, e: &BytesStart) -> Result<Vec<(String, String)>, ParseError> {
            let mut out = Vec::new();
            for a in e.attributes() {
                let a = a.map_err(|err| self.error(format!("bad attribute: {err}")))?;
                let v = a
                    .unescape_value()
                    .map_err(|err| self.error(format!("bad attribute value: {err}")))?;
                out.push((local(a.key.as_ref()), v.into_owned()));
            }
            Ok(out)
        }

        /// The next event, skipping declarations, comments and processing instructions.
        #[allow(clippy::should_implement_trait)] // fallible, not an Iterator
        pub fn next(&mut self) -> Result<XmlEvent, ParseError> {
            loop {
                self.buf.clear();
                let ev = match self.reader.read_event_into(&mut self.buf) {
                    Ok(ev) => ev.into_owned(),
                    Err(e) => {
                        let pos = self.position(self.reader.error_position());
                        return Err(ParseError::new(
                            &self.path,
                            pos,
                            format!("malformed XML: {e}"),
                        ));
                    }
                };
                return Ok(match ev {
                    Event::Start(e) => {
                        XmlEvent::Start { name: local(e.name().as_ref()), attrs: self.attrs(&e)?, empty: false }
                    }
                    Event::Empty(e) => {
                        XmlEvent::Start { name: local(e.name().as_ref()), attrs: self.attrs(&e)?, empty: true }
                    }
                    Event::End(e) => XmlEvent::End { name: local(e.name().as_ref()) },
                    Event::Text(t) => {
                        let s = t.unescape().map_err(|e| self.error(format!("bad text: {e}")))?;
                        XmlEvent::Text(s.into_owned())
                    }
                    Event::CData(t) => XmlEvent::Text(String::from_utf8_lossy(&t).into_owned()),
                    Event::DocType(_) => {
                        return Err(self.error(
                            "DOCTYPE declarations are refused: list files never need them, and entity definitions can be used for XML entity attacks",
                        ))
                    }
                    Event::Eof => XmlEvent::Eof,
                    Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
                });
            }
        }

        /// Reads the rest of an element whose start event was just returned, as a tree.
        pub fn subtree(
            &mut self,
            name: String,
            attrs: Vec<(String, String)>,
            empty: bool,
        ) -> Result<Node, ParseError> {
            let mut root = Node {
                name,
                attrs,
                ..Default::default()
            };
            if empty {
                return Ok(root);
            }
            let mut stack: Vec<Node> = Vec::new();
            loop {
                match self.next()? {
                    XmlEvent::Start { name, attrs, empty } => {
                        let node = Node {
                            name,
                            attrs,
                            ..Default::default()
                        };
                        if empty {
                            stack.last_mut().unwrap_or(&mut root).children.push(node);
                        } else {
                            if stack.len() > 256 {
                                return Err(self.error("elements nested deeper than 256 levels"));
                            }
                            stack.push(node);
                        }
                    }
                    XmlEvent::Text(t) => {
                        let cur = stack.last_mut().unwrap_or(&mut root);
                        if !cur.text.is_empty() {
                            cur.text.push(' ');
                        }
                        cur.text.push_str(t.trim());
                    }
                    XmlEvent::End { .. } => match stack.pop() {
                        Some(done) => stack.last_mut().unwrap_or(&mut root).children.push(done),
                        None => return Ok(root),
                    },
                    XmlEvent::Eof => {
                        return Err(
                            self.error(format!("file ends inside <{}>: truncated XML", root.name))
                        )
                    }
                }
            }
        }
    }

    /// An [`XmlStream`] over in-memory bytes, as [`read_bytes`] hands it out.
    pub type BytesStream<'a> = XmlStream<BufReader<CheckedReader<&'a [u8]>>>;

    /// Reads XML held in memory (fuzzing, tests) with `read`, checking UTF-8 as for files and
    /// adding line and column to the errors (`name` names the input in them).
    pub fn read_bytes<'a, T>(
        name: &str,
        bytes: &'a [u8],
        read: impl FnOnce(BytesStream<'a>) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        let xml = XmlStream::from_reader(name, BufReader::new(CheckedReader::new(bytes)));
        read(xml).map_err(|e| locate_in(bytes, e))
    }

    /// The shape of an XML list file for [`for_each_record`]: one root element holding
    /// records, possibly inside wrapper elements.
    #[derive(Debug, Clone, Copy)]
    pub struct RecordSpec<'a> {
        /// The root element's local name (`CONSOLIDATED_LIST`).
        pub root: &'a str,
        /// What the file is, for the error on another root: "a UN consolidated list".
        pub what: &'a str,
        /// Local names of the record elements, found at any depth (`INDIVIDUAL`, `ENTITY`).
        pub records: &'a [&'a str],
        /// Direct children of the root that are read whole and returned with the root
        /// (`DateGenerated`): small header elements, never records.
        pub header: &'a [&'a str],
        /// Attributes of a record that name it in errors, the first present one wins.
        pub id_attrs: &'a [&'a str],
        /// Child elements of a record that name it in errors, tried after `id_attrs`.
        pub id_children: &'a [&'a str],
    }

    impl RecordSpec<'_> {
        /// "INDIVIDUAL 12 (REFERENCE_NUMBER QDi.001)": the record's element name, its
        /// 1-based ordinal among the records and its first id found.
        fn describe(&self, node: &Node, ordinal: u64) -> String {
            let attrs = self.id_attrs.iter().map(|k| (k, node.attr(k)));
            let children = self.id_children.iter().map(|k| (k, node.child_text(k)));
            let key = attrs
                .chain(children)
                .find_map(|(k, v)| v.map(|v| format!(" ({k} {v})")));
            format!("{} {ordinal}{}", node.name, key.unwrap_or_default())
        }
    }

    /// Streams a record-oriented XML list file: checks that the first element is
    /// `spec.root`, reads each record element into a [`Node`] tree (memory stays bounded by
    /// the largest record), maps it with `map_record` and hands the entity to `emit`.
    ///
    /// A mapping error becomes a [`ParseError`] at the reader's position whose record names
    /// the record ([`RecordSpec::id_attrs`], [`RecordSpec::id_children`]); errors of `emit`
    /// are returned unchanged. An input without any element, another root element and a file
    /// that ends before the root closes are errors, besides those of [`XmlStream`].
    ///
    /// Returns the root element with its attributes and, as children, the header elements
    /// named in [`RecordSpec::header`] (nothing else of the file is kept).
    pub fn for_each_record<R: BufRead>(
        mut xml: XmlStream<R>,
        spec: &RecordSpec,
        mut map_record: impl FnMut(&Node) -> Result<Entity, String>,
        emit: &mut Emit,
    ) -> Result<Node, ParseError> {
        let mut root: Option<Node> = None;
        let mut header = Vec::new();
        let mut open = 0usize; // elements open outside records, the root included
        let mut ordinal = 0u64;
        loop {
            match xml.next()? {
                XmlEvent::Start { name, attrs, empty } if root.is_none() => {
                    if name != spec.root {
                        let reason = format!(
                            "root element is <{name}>, expected <{}>: not {}",
                            spec.root, spec.what
                        );
                        return Err(xml.error(reason));
                    }
                    root = Some(Node {
                        name,
                        attrs,
                        ..Default::default()
                    });
                    open += usize::from(!empty);
                }
                XmlEvent::Start { name, attrs, empty }
                    if open == 1 && spec.header.contains(&name.as_str()) =>
                {
                    header.push(xml.subtree(name, attrs, empty)?);
                }
                XmlEvent::Start { name, attrs, empty } if spec.records.contains(&name.as_str()) => {
                    ordinal += 1;
                    let node = xml.subtree(name, attrs, empty)?;
                    let entity = map_record(&node).map_err(|reason| {
                        let mut err = xml.error(reason);
                        err.position.record = Some(spec.describe(&node, ordinal));
                        err
                    })?;
                    emit(entity)?;
                }
                XmlEvent::Start { empty, .. } => open += usize::from(!empty),
                XmlEvent::End { .. } => open = open.saturating_sub(1),
                XmlEvent::Text(_) => {}
                XmlEvent::Eof => break,
            }
        }
        let Some(mut root) = root else {
            return Err(xml.error("no XML element found: empty or not XML"));
        };
        if open > 0 {
            let reason = format!("file ends before </{}>: truncated XML", spec.root);
            return Err(xml.error(reason));
        }
        root.children = header;
        Ok(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> io::Result<String> {
        let mut s = String::new();
        CheckedReader::new(bytes).read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn strips_bom_and_keeps_multibyte_across_reads() {
        let mut text = vec![0xEF, 0xBB, 0xBF];
        text.extend("Донецьк ".repeat(5000).as_bytes());
        let s = read_all(&text).unwrap();
        assert!(s.starts_with("Донецьк"));
        assert_eq!(s.chars().count(), 8 * 5000);
    }

    #[test]
    fn invalid_utf8_names_byte_and_line() {
        let err = read_all(b"abc\ndef\xff").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("byte 7"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(read_all(&[0xFF, 0xFE, b'a', 0]).is_err());
    }
}
