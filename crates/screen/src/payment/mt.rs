//! SWIFT FIN messages: MT103 (single customer credit transfer) and MT101 (request for
//! transfer), one message or many (RJE batches separated by `$`, and ACK/NAK service messages
//! before a message, which are skipped).
//!
//! A message is a sequence of blocks `{1:…}{2:…}{3:{…}}{4:CRLF…CRLF-}{5:{…}}`. Block 2 gives
//! the type (`I103…` input, `O103…` output). Block 4 holds the fields, each starting on a new
//! line with `:TAG:` (two digits and an optional option letter); a field runs to the next tag.
//!
//! Mandatory fields checked (an error names the missing field):
//! - MT103: `:20:` sender's reference, `:23B:` bank operation code, `:32A:` value date /
//!   currency / amount, `:50a:` ordering customer (A, F or K), `:59a:` beneficiary (no letter,
//!   A or F), `:71A:` details of charges.
//! - MT101: `:20:`, `:28D:`, `:30:`; per transaction `:21:`, `:32B:`, `:59a:`, `:71A:`.
//!
//! Parties by option: A (BIC, optionally after an `/account` line), D, K and no letter (name
//! and address lines after an optional `/account` line), F (structured: `1/` name, `2/`
//! address, `3/CC/town`), G (account and BIC), H (account, name and address), B (location),
//! C (account). Free text: `:70:`, `:72:`, `:77B:`, `:77T:`.

use super::{Field, Message, Party};
use sources::{ParseError, Position};

/// Parses FIN messages held in memory.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Message>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let pos = sources::input::position_in(&bytes[..e.valid_up_to()], e.valid_up_to() as u64);
        ParseError::new(
            name,
            Position {
                byte: Some(e.valid_up_to() as u64),
                ..pos
            },
            "not UTF-8 (SWIFT FIN text is ASCII)",
        )
    })?;
    let at = |off: usize| {
        let line = text[..off.min(text.len())].matches('\n').count() as u64 + 1;
        let col = text[..off.min(text.len())]
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count() as u64 + 1);
        Position {
            line: Some(line),
            column: col,
            byte: Some(off as u64),
            record: None,
        }
    };
    let err = |off: usize, reason: String| ParseError::new(name, at(off), reason);
    // a text starting with a field tag is a bare block 4 (an MT103 without headers)
    if text.trim_start().starts_with(':') {
        let start = text.len() - text.trim_start().len();
        let m = message("103", None, text, start, &err)?;
        return Ok(vec![m]);
    }
    let mut out = Vec::new();
    let mut blocks: Vec<(String, usize, usize)> = Vec::new(); // (id, content start, content end)
    let b = text.as_bytes();
    let mut i = 0;
    let flush = |blocks: &mut Vec<(String, usize, usize)>,
                 out: &mut Vec<Message>|
     -> Result<(), ParseError> {
        if blocks.is_empty() {
            return Ok(());
        }
        let block = |id: &str| {
            blocks
                .iter()
                .find(|(b, _, _)| b == id)
                .map(|(_, s, e)| (*s, *e))
        };
        let first = blocks[0].1;
        let Some((s2, e2)) = block("2") else {
            // a service message (ACK/NAK, F21): nothing to screen
            blocks.clear();
            return Ok(());
        };
        let b2 = &text[s2..e2];
        let mt = b2
            .get(1..4)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| err(s2, format!("block 2 {b2:?} does not name a message type")))?;
        let Some((s4, e4)) = block("4") else {
            return Err(err(first, format!("MT{mt} without a text block (block 4)")));
        };
        let reference = None;
        out.push(message(mt, reference, &text[..e4], s4, &err)?);
        blocks.clear();
        Ok(())
    };
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() || c == b'$' => {
                if c == b'$' {
                    flush(&mut blocks, &mut out)?;
                }
                i += 1;
            }
            b'{' if text[i + 1..].trim_start().is_empty()
                || text[i + 1..].trim_start().starts_with('$') =>
            {
                // a stray brace before the batch separator (seen in real RJE files)
                tracing::info!("{name}: ignoring a stray {{ at byte {i}");
                i += 1;
            }
            b'{' => {
                let colon = text[i..]
                    .find(':')
                    .map(|k| i + k)
                    .filter(|&k| k - i <= 4)
                    .ok_or_else(|| {
                        err(
                            i,
                            "a block must start with {N: (block number and colon)".into(),
                        )
                    })?;
                let id = text[i + 1..colon].to_string();
                if id == "1" && blocks.iter().any(|(b, _, _)| b == "1") {
                    flush(&mut blocks, &mut out)?;
                }
                let start = colon + 1;
                let end = if id == "4" && !text[start..].starts_with('{') {
                    // text block: ends with CRLF-} (or LF-})
                    let close = text[start..]
                        .find("\n-}")
                        .map(|k| start + k + 1)
                        .ok_or_else(|| {
                            err(i, "block 4 is not closed: its last line must be -}".into())
                        })?;
                    blocks.push((id, start, close));
                    close + 2
                } else {
                    let close = matching_brace(b, i)
                        .ok_or_else(|| err(i, format!("block {id} is not closed (missing }})")))?;
                    blocks.push((id, start, close));
                    close + 1
                };
                i = end;
            }
            _ => {
                return Err(err(
                    i,
                    format!(
                        "unexpected {:?} between blocks (expected {{ or $)",
                        char::from(b[i])
                    ),
                ))
            }
        }
    }
    flush(&mut blocks, &mut out)?;
    if out.is_empty() {
        return Err(err(
            0,
            "no SWIFT message with a text block in the file".into(),
        ));
    }
    Ok(out)
}

/// The offset of the `}` closing the `{` at `open`.
fn matching_brace(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// One field of block 4: tag, value and the offset of the tag.
struct Tagged<'a> {
    tag: &'a str,
    value: String,
    at: usize,
}

/// Splits block 4 (from `start` to the end of `text`) into fields.
fn fields<'a>(
    text: &'a str,
    start: usize,
    err: &dyn Fn(usize, String) -> ParseError,
) -> Result<Vec<Tagged<'a>>, ParseError> {
    let mut out: Vec<Tagged> = Vec::new();
    let mut off = start;
    for line in text[start..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\r', '\n']);
        let here = off;
        off += line.len();
        if content.is_empty() && out.is_empty() {
            continue;
        }
        if let Some(rest) = content.strip_prefix(':') {
            if let Some(k) = rest.find(':') {
                let tag = &rest[..k];
                let ok = (2..=3).contains(&tag.len())
                    && tag.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                    && tag[2..].bytes().all(|c| c.is_ascii_uppercase());
                if ok {
                    out.push(Tagged {
                        tag,
                        value: rest[k + 1..].to_string(),
                        at: here,
                    });
                    continue;
                }
            }
        }
        match out.last_mut() {
            Some(f) => {
                f.value.push('\n');
                f.value.push_str(content);
            }
            None => {
                return Err(err(
                    here,
                    format!(
                        "block 4 must start with a field tag such as :20:, found {:?}",
                        content.chars().take(20).collect::<String>()
                    ),
                ))
            }
        }
    }
    Ok(out)
}

fn message(
    mt: &str,
    _reference: Option<String>,
    text: &str,
    start: usize,
    err: &dyn Fn(usize, String) -> ParseError,
) -> Result<Message, ParseError> {
    let fs = fields(text, start, err)?;
    let mut m = Message {
        format: format!("MT{mt}"),
        ..Default::default()
    };
    m.reference = fs
        .iter()
        .find(|f| f.tag == "20")
        .map(|f| f.value.trim().to_string());
    let has = |set: &[Tagged], tags: &[&str]| set.iter().any(|f| tags.contains(&f.tag));
    match mt {
        "103" => {
            for (tags, what) in [
                (&["20"][..], ":20: (sender's reference)"),
                (&["23B"], ":23B: (bank operation code)"),
                (&["32A"], ":32A: (value date, currency, amount)"),
                (
                    &["50A", "50F", "50K"],
                    ":50a: (ordering customer, option A, F or K)",
                ),
                (&["59", "59A", "59F"], ":59a: (beneficiary customer)"),
                (&["71A"], ":71A: (details of charges)"),
            ] {
                if !has(&fs, tags) {
                    return Err(err(
                        start,
                        format!("MT103 is missing the mandatory field {what}"),
                    ));
                }
            }
            for f in &fs {
                add_field(&mut m, f, "");
            }
        }
        "101" => {
            for (tags, what) in [
                (&["20"][..], ":20: (sender's reference)"),
                (&["28D"], ":28D: (message index / total)"),
                (&["30"], ":30: (requested execution date)"),
            ] {
                if !has(&fs, tags) {
                    return Err(err(
                        start,
                        format!("MT101 is missing the mandatory field {what}"),
                    ));
                }
            }
            // sequence B: each transaction starts at :21:
            let mut tx = 0;
            let mut tx_fields: Vec<Vec<&Tagged>> = Vec::new();
            for f in &fs {
                if f.tag == "21" {
                    tx += 1;
                    tx_fields.push(Vec::new());
                }
                if tx == 0 {
                    add_field(&mut m, f, "A/");
                } else {
                    add_field(&mut m, f, &format!("B{tx}/"));
                    if let Some(t) = tx_fields.last_mut() {
                        t.push(f);
                    }
                }
            }
            if tx_fields.is_empty() {
                return Err(err(
                    start,
                    "MT101 has no transaction (sequence B starts with :21:)".into(),
                ));
            }
            for (k, t) in tx_fields.iter().enumerate() {
                for (tags, what) in [
                    (&["32B"][..], ":32B: (currency, amount)"),
                    (&["59", "59A", "59F"], ":59a: (beneficiary)"),
                    (&["71A"], ":71A: (details of charges)"),
                ] {
                    if !t.iter().any(|f| tags.contains(&f.tag)) {
                        let at = t.first().map(|f| f.at).unwrap_or(start);
                        return Err(err(
                            at,
                            format!(
                                "MT101 transaction {} is missing the mandatory field {what}",
                                k + 1
                            ),
                        ));
                    }
                }
            }
        }
        other => {
            // other message types: screen what is there, without checking mandatory fields
            tracing::info!("MT{other}: mandatory fields are not checked for this type");
            for f in &fs {
                add_field(&mut m, f, "");
            }
        }
    }
    Ok(m)
}

fn role(tag: &str) -> Option<(&'static str, bool)> {
    Some(match &tag[..2] {
        "50" => ("ordering_customer", false),
        "59" => ("beneficiary", false),
        "51" => ("sending_institution", true),
        "52" => ("ordering_institution", true),
        "53" => ("senders_correspondent", true),
        "54" => ("receivers_correspondent", true),
        "55" => ("third_reimbursement_institution", true),
        "56" => ("intermediary", true),
        "57" => ("account_with_institution", true),
        _ => return None,
    })
}

fn add_field(m: &mut Message, f: &Tagged, prefix: &str) {
    let field = format!("{prefix}:{}:", f.tag);
    if matches!(f.tag, "70" | "72" | "77B" | "77T") {
        m.texts.push(Field::new(field, f.value.clone()));
        return;
    }
    let Some((role, agent)) = role(f.tag) else {
        return;
    };
    let option = f.tag.get(2..).unwrap_or("");
    let mut p = Party {
        role: role.to_string(),
        field: field.clone(),
        agent,
        ..Default::default()
    };
    let lines: Vec<&str> = f
        .value
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    // an account or party-identifier line first
    let body: Vec<&str> = match lines.first() {
        Some(l) if l.starts_with('/') => lines[1..].to_vec(),
        _ => lines.clone(),
    };
    match option {
        "A" | "G" => {
            if let Some(bic) = body.first().map(|b| b.trim()).filter(|b| !b.is_empty()) {
                let f = Field::new(field.clone(), bic);
                p.bics.push(f.clone());
                p.identifiers.push(f);
            }
        }
        "F" => {
            // party identifier in the first line unless it is an account; numbered lines
            if let Some(first) = lines
                .first()
                .filter(|l| !l.starts_with('/') && !l.starts_with("1/"))
            {
                if let Some((_, id)) = first.split_once('/') {
                    p.identifiers.push(Field::new(
                        field.clone(),
                        id.rsplit('/').next().unwrap_or(id),
                    ));
                }
            }
            let mut names = Vec::new();
            for l in &lines {
                match l.split_once('/') {
                    Some(("1", v)) => names.push(v.trim().to_string()),
                    Some(("2", v)) => p.address.push(Field::new(field.clone(), v.trim())),
                    Some(("3", v)) => {
                        let (cc, town) = v.split_once('/').unwrap_or((v, ""));
                        if cc.len() == 2 {
                            p.country = Some(Field::new(field.clone(), cc));
                        }
                        if !town.is_empty() {
                            p.address.push(Field::new(field.clone(), town.trim()));
                        }
                    }
                    _ => {}
                }
            }
            if !names.is_empty() {
                p.name = Some(Field::new(field.clone(), names.join(" ")));
            }
        }
        "C" => {
            if let Some(a) = lines.first() {
                p.identifiers
                    .push(Field::new(field.clone(), a.trim_start_matches('/')));
            }
        }
        "B" => {
            if let Some(loc) = body.first() {
                p.address.push(Field::new(field.clone(), *loc));
            }
        }
        // D, K, H, no letter: name then address lines (50H and 59 as well)
        _ => {
            if let Some(n) = body.first() {
                p.name = Some(Field::new(field.clone(), *n));
            }
            for l in body.iter().skip(1) {
                p.address.push(Field::new(field.clone(), *l));
            }
        }
    }
    if p.name.is_some() || !p.identifiers.is_empty() || !p.address.is_empty() {
        m.parties.push(p);
    }
}
