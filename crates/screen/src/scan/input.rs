//! What the scanner reads: plain UTF-8 text, streamed in blocks; HTML, reduced to its text
//! with offsets still pointing into the HTML; and the refusal of everything else.
//!
//! - **Kind** ([`sniff`]): from the first 64 KiB. `%PDF` and a NUL byte or invalid UTF-8 there
//!   mean a binary file, which is refused (PDF with a hint to extract its text first: no
//!   well-kept pure-Rust PDF text extractor was judged reliable enough). HTML is recognised by
//!   a doctype or an `<html>`, `<head>`, `<body>`, `<p>`, `<div>` or `<script>` tag near the start
//!   (or the `.html`/`.htm` file name).
//! - **Text** ([`scan_text`]): blocks of 1 MiB cut at whitespace, overlapping by 4 KiB; each
//!   block is scanned alone and reports only what starts before the overlap (the next block
//!   finds the rest), so memory stays bounded whatever the size and a name is never cut in two.
//!   Blocks are scanned in parallel on all cores and reported in order, a batch of blocks
//!   being written out (on the calling thread) while the next one is scanned. Invalid UTF-8
//!   later in the file is an error naming its byte offset.
//! - **HTML** ([`scan_html`], at most 64 MiB): tokenised with `html5gum` (a WHATWG-compliant
//!   tokenizer); the text of `script`, `style`, `template` and `noscript` elements and all
//!   comments and attributes are dropped; block-level tags become line breaks; character
//!   references are decoded. Mentions get offsets into the original HTML.

use super::{Found, ScanState, Scanner};
use rayon::prelude::*;
use std::io::Read;
use std::ops::Range;

/// Size of a text block.
pub const BLOCK: usize = 1 << 20;
/// Overlap between consecutive blocks (longer than any name).
pub const OVERLAP: usize = 4096;
/// Largest HTML document read.
pub const MAX_HTML: usize = 64 << 20;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain UTF-8 text.
    Text,
    /// An HTML document.
    Html,
}

/// Why an input cannot be scanned.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A NUL byte in the first 64 KiB.
    #[error("{name}: binary file (a NUL byte at byte {at}); watchlist scan reads text and HTML")]
    Binary {
        /// The input's name, as given (a file name, `the document`).
        name: String,
        /// 0-based byte offset of the first NUL.
        at: u64,
    },
    /// A PDF file (it starts with `%PDF`).
    #[error(
        "{name}: a PDF file; extract its text first (e.g. `pdftotext {name} -`) and scan that"
    )]
    Pdf {
        /// The input's name, as given.
        name: String,
    },
    /// Invalid UTF-8.
    #[error("{name}: not UTF-8 text (invalid byte at byte {at}); save the file as UTF-8")]
    Utf8 {
        /// The input's name, as given.
        name: String,
        /// 0-based byte offset of the first invalid byte in the input (a byte-order mark
        /// counted).
        at: u64,
    },
    /// HTML larger than [`MAX_HTML`].
    #[error("{name}: HTML larger than {} MiB; convert it to text first", MAX_HTML >> 20)]
    TooLarge {
        /// The input's name, as given.
        name: String,
    },
    /// Reading the input failed.
    #[error("{name}: {source}")]
    Io {
        /// The input's name, as given.
        name: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Decides what a file is from its first bytes (and its name as a tie-breaker).
pub fn sniff(name: &str, head: &[u8]) -> Result<Kind, InputError> {
    let head = &head[..head.len().min(64 << 10)];
    if head.starts_with(b"%PDF") {
        return Err(InputError::Pdf {
            name: name.to_string(),
        });
    }
    if let Some(at) = head.iter().position(|&b| b == 0) {
        return Err(InputError::Binary {
            name: name.to_string(),
            at: at as u64,
        });
    }
    if let Err(e) = std::str::from_utf8(head) {
        // a multi-byte character cut by the end of the head is fine
        if e.error_len().is_some() {
            return Err(InputError::Utf8 {
                name: name.to_string(),
                at: e.valid_up_to() as u64,
            });
        }
    }
    let lower: String = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
    let trimmed = lower.trim_start_matches('\u{feff}').trim_start();
    let html_start = trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || trimmed.starts_with("<?xml") && lower.contains("<html");
    let html_tags = ["<html", "<head>", "<body", "<p>", "<div", "<script", "<br"]
        .iter()
        .any(|t| lower.contains(t));
    let html_name =
        name.to_ascii_lowercase().ends_with(".html") || name.to_ascii_lowercase().ends_with(".htm");
    Ok(
        if html_start || (html_tags && trimmed.starts_with('<')) || (html_name && html_tags) {
            Kind::Html
        } else {
            Kind::Text
        },
    )
}

/// Counts of what was read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Bytes read, a byte-order mark included.
    pub bytes: u64,
    /// Blocks scanned (up to [`BLOCK`] bytes each).
    pub blocks: u64,
}

/// Scans plain text from a reader, calling `emit` with the findings of each block in order
/// (offsets into the input as read, a byte-order mark included).
pub fn scan_text<R: Read>(
    scanner: &Scanner,
    name: &str,
    mut reader: R,
    emit: &mut dyn FnMut(Found),
) -> Result<Stats, InputError> {
    let io = |e| InputError::Io {
        name: name.to_string(),
        source: e,
    };
    let batch = rayon::current_num_threads().max(1) * 2;
    // one cache per worker thread, kept for the whole input (token classes, verified spans)
    let states: Vec<std::sync::Mutex<ScanState>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Default::default())
        .collect();
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + OVERLAP);
    let mut base = 0usize; // offset of buf[0] in the input
    let mut stats = Stats::default();
    let mut eof = false;
    let mut first = true;
    // the findings of the batch scanned last, not yet handed to `emit`
    let mut pending: Vec<Result<Found, InputError>> = Vec::new();
    while !eof {
        // (block text start offset, bytes, report up to this offset)
        let mut blocks: Vec<(usize, Vec<u8>, usize)> = Vec::with_capacity(batch);
        while blocks.len() < batch && !eof {
            while buf.len() < BLOCK && !eof {
                let have = buf.len();
                buf.resize(BLOCK.max(have + 1), 0);
                let n = reader.read(&mut buf[have..]).map_err(io)?;
                buf.truncate(have + n);
                eof = n == 0;
            }
            let mut skip = 0;
            if first {
                first = false;
                if buf.starts_with(b"\xEF\xBB\xBF") {
                    skip = 3;
                }
            }
            if eof {
                stats.bytes = (base + buf.len()) as u64;
                blocks.push((base + skip, buf[skip..].to_vec(), usize::MAX));
                buf.clear();
                break;
            }
            let cut = last_space(&buf[..BLOCK.min(buf.len())], BLOCK / 2)
                .unwrap_or_else(|| char_boundary(&buf, BLOCK.min(buf.len())));
            let keep = last_space(&buf[..cut.saturating_sub(OVERLAP)], 0)
                .filter(|k| *k > skip)
                .unwrap_or(cut);
            blocks.push((base + skip, buf[skip..cut].to_vec(), base + keep));
            buf.drain(..keep);
            base += keep;
        }
        stats.blocks += blocks.len() as u64;
        let scan = |(start, bytes, until): &(usize, Vec<u8>, usize)| {
            let mut guard = states[rayon::current_thread_index().unwrap_or(0) % states.len()]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let st = &mut *guard;
            let text = std::str::from_utf8(bytes).map_err(|e| InputError::Utf8 {
                name: name.to_string(),
                at: (*start + e.valid_up_to()) as u64,
            })?;
            let mut found = scanner.scan_block(st, text, *start);
            found.mentions.retain(|m| m.start < *until);
            found.places.retain(|p| p.start < *until);
            Ok(found)
        };
        // this batch is scanned on the pool while the previous one is written out here
        let (results, emitted) = std::thread::scope(|s| {
            let scanning = s.spawn(|| blocks.par_iter().map(scan).collect::<Vec<_>>());
            let emitted = emit_all(emit, std::mem::take(&mut pending));
            (scanning.join(), emitted)
        });
        emitted?;
        pending = results.unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
    emit_all(emit, pending)?;
    Ok(stats)
}

/// Hands the findings of blocks to `emit` in order, up to the first error.
fn emit_all(
    emit: &mut dyn FnMut(Found),
    results: Vec<Result<Found, InputError>>,
) -> Result<(), InputError> {
    for r in results {
        emit(r?);
    }
    Ok(())
}

/// The last ASCII whitespace at or after `from` in `b`, as the offset after it.
fn last_space(b: &[u8], from: usize) -> Option<usize> {
    b.iter()
        .rposition(|c| c.is_ascii_whitespace())
        .filter(|&i| i >= from)
        .map(|i| i + 1)
}

/// The largest UTF-8 character boundary at or before `at`.
fn char_boundary(b: &[u8], mut at: usize) -> usize {
    while at > 0 && at < b.len() && (b[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

/// HTML reduced to text: the text and, for each piece of it, where it came from.
pub struct HtmlText {
    /// The visible text: text nodes with character references decoded, a line break for each
    /// block-level tag.
    pub text: String,
    /// (start in `text`, range in the HTML, whether the piece is the HTML bytes verbatim)
    pieces: Vec<(usize, Range<usize>, bool)>,
}

const SKIPPED: &[&str] = &["script", "style", "template", "noscript"];
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "hr",
    "title",
    "nav",
    "aside",
    "main",
    "figcaption",
];

/// Extracts the visible text of an HTML document.
pub fn html_text(html: &str) -> HtmlText {
    use html5gum::{DefaultEmitter, Token, Tokenizer};
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let mut out = HtmlText {
        text: String::with_capacity(html.len() / 2),
        pieces: Vec::new(),
    };
    let mut skip: Option<Vec<u8>> = None;
    for tok in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match tok {
            Token::StartTag(t) => {
                let name = t.name.to_ascii_lowercase();
                if skip.is_none()
                    && !t.self_closing
                    && SKIPPED.iter().any(|s| s.as_bytes() == name.as_slice())
                {
                    skip = Some(name.clone());
                }
                if BLOCK_TAGS.iter().any(|s| s.as_bytes() == name.as_slice()) {
                    out.text.push('\n');
                }
            }
            Token::EndTag(t) => {
                let name = t.name.to_ascii_lowercase();
                if skip.as_deref() == Some(name.as_slice()) {
                    skip = None;
                }
                if BLOCK_TAGS.iter().any(|s| s.as_bytes() == name.as_slice()) {
                    out.text.push('\n');
                }
            }
            Token::String(s) if skip.is_none() => {
                let value = String::from_utf8_lossy(&s.value);
                let span = s.span.start.min(html.len())..s.span.end.min(html.len());
                let verbatim = html.get(span.clone()) == Some(&*value);
                out.pieces.push((out.text.len(), span, verbatim));
                out.text.push_str(&value);
            }
            _ => {}
        }
    }
    out
}

impl HtmlText {
    /// The HTML offset of a text offset.
    pub fn original(&self, html: &str, at: usize, end: bool) -> usize {
        // an end offset belongs to the piece it ends, a start offset to the piece it starts
        let i = if end {
            self.pieces.partition_point(|(s, _, _)| *s < at)
        } else {
            self.pieces.partition_point(|(s, _, _)| *s <= at)
        }
        .saturating_sub(1);
        let Some((start, span, verbatim)) = self.pieces.get(i) else {
            return 0;
        };
        let rel = at.saturating_sub(*start);
        if *verbatim {
            return (span.start + rel).min(span.end);
        }
        // decoded character references: walk the piece, skipping each &…; as one character
        let piece_text = &self.text[*start..];
        let src = html.as_bytes();
        let (mut o, mut t) = (span.start, 0usize);
        let mut chars = piece_text.char_indices();
        while t < rel && o < span.end {
            let Some((_, c)) = chars.next() else { break };
            if src[o] == b'&' {
                let semi = src[o..span.end.min(o + 40)]
                    .iter()
                    .position(|&b| b == b';')
                    .map(|p| o + p + 1);
                o = semi.unwrap_or(o + 1);
            } else if src[o] == b'\r' && c == '\n' {
                o += if src.get(o + 1) == Some(&b'\n') { 2 } else { 1 };
            } else {
                o += c.len_utf8();
            }
            t += c.len_utf8();
        }
        if end {
            o
        } else {
            o.min(span.end)
        }
    }
}

/// Scans an HTML document held in memory; offsets point into `html`.
pub fn scan_html(scanner: &Scanner, html: &str) -> Found {
    let doc = html_text(html);
    let mut found = scanner.scan_str(&doc.text);
    for m in &mut found.mentions {
        m.start = doc.original(html, m.start, false);
        m.end = doc.original(html, m.end, true).max(m.start);
        m.text = html
            .get(m.start..m.end)
            .map(str::to_string)
            .unwrap_or_else(|| m.text.clone());
    }
    for p in &mut found.places {
        p.start = doc.original(html, p.start, false);
        p.end = doc.original(html, p.end, true).max(p.start);
        p.hit.span = Some(p.start..p.end);
    }
    found
}

/// Reads a whole (HTML) input into a string, refusing more than [`MAX_HTML`].
pub fn read_html<R: Read>(name: &str, reader: R) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_HTML as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io {
            name: name.to_string(),
            source: e,
        })?;
    if bytes.len() > MAX_HTML {
        return Err(InputError::TooLarge {
            name: name.to_string(),
        });
    }
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    match std::str::from_utf8(&bytes[start..]) {
        Ok(_) => {}
        Err(e) => {
            return Err(InputError::Utf8 {
                name: name.to_string(),
                at: (start + e.valid_up_to()) as u64,
            })
        }
    }
    // keep the BOM's bytes so offsets count from the file's first byte
    Ok(String::from_utf8(bytes).unwrap_or_default())
}
