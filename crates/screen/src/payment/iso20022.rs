//! ISO 20022 credit transfers: `pacs.008` (FIToFICstmrCdtTrf; versions 001.07 and 001.08 are
//! tested, on the Fedwire and prowide samples) and `pain.001` (CstmrCdtTrfInitn; 001.001.03
//! and the Swiss 001.001.03.ch.02 variant are tested). The message may be a bare `Document`
//! or wrapped with a business application header (`<message><AppHdr/><Document/></message>`).
//!
//! The reader is `sources::input::xml::XmlStream`: DOCTYPE declarations (and with them
//! internal and external entity definitions) are refused, invalid UTF-8 is an error, and
//! malformed XML is reported with its line and column.
//!
//! Mapping (element names as in the schemas; the field of each value is its path from the
//! message element, with `[n]` for repeated blocks: `PmtInf[1]/CdtTrfTxInf[2]/Cdtr/Nm`):
//! - parties `Dbtr`, `Cdtr`, `UltmtDbtr`, `UltmtCdtr`, `InitgPty`: `Nm`; `PstlAdr` (`StrtNm`,
//!   `BldgNb`, `PstCd`, `TwnNm`, `DstrctNm`, `CtrySubDvsn`, `AdrLine`, `Ctry`); `CtryOfRes`;
//!   identifiers in `Id` (`AnyBIC`, `BICOrBEI`, `LEI`, `Othr/Id`);
//! - agents (every element whose name ends in `Agt`, `Agt1`…`Agt3`): `FinInstnId` `BICFI`/`BIC`,
//!   `LEI`, `Nm`, `PstlAdr`, `ClrSysMmbId/MmbId`;
//! - free text: `RmtInf/Ustrd`, `Strd/AddtlRmtInf`, `InstrForCdtrAgt/InstrInf`,
//!   `InstrForNxtAgt/InstrInf`, `RgltryRptg/Dtls/Inf`, `Purp/Prtry`.

use super::{Field, Message, Party};
use sources::input::xml::{Node, XmlEvent, XmlStream};
use sources::input::CheckedReader;
use sources::{ParseError, Position};
use std::io::BufReader;

const PARTIES: &[(&str, &str)] = &[
    ("Dbtr", "debtor"),
    ("Cdtr", "creditor"),
    ("UltmtDbtr", "ultimate_debtor"),
    ("UltmtCdtr", "ultimate_creditor"),
    ("InitgPty", "initiating_party"),
];

/// Parses one ISO 20022 message held in memory.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Message>, ParseError> {
    let reader = BufReader::new(CheckedReader::new(bytes));
    let mut xml = XmlStream::from_reader(name, reader);
    let root = loop {
        match xml
            .next()
            .map_err(|e| sources::input::locate_in(bytes, e))?
        {
            XmlEvent::Start { name, attrs, empty } => {
                break xml
                    .subtree(name, attrs, empty)
                    .map_err(|e| sources::input::locate_in(bytes, e))?
            }
            XmlEvent::Eof => {
                return Err(ParseError::new(
                    name,
                    Position::default(),
                    "empty file: no XML element",
                ))
            }
            _ => continue,
        }
    };
    let mut out = Vec::new();
    find_messages(&root, None, &mut out);
    if out.is_empty() {
        return Err(ParseError::new(name, Position::default(), format!("<{}>: no pacs.008 (FIToFICstmrCdtTrf) or pain.001 (CstmrCdtTrfInitn) message in it", root.name)));
    }
    Ok(out)
}

/// Finds message elements anywhere in the tree (a Document, or a Document inside a wrapper).
fn find_messages(n: &Node, ns: Option<&str>, out: &mut Vec<Message>) {
    let ns = n.attr("xmlns").or(ns);
    let kind = match n.name.as_str() {
        "FIToFICstmrCdtTrf" => Some("pacs.008"),
        "CstmrCdtTrfInitn" => Some("pain.001"),
        _ => None,
    };
    if let Some(kind) = kind {
        // the version from the namespace: urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08, or
        // a scheme's own (…/pain.001.001.03.ch.02.xsd)
        let version = ns
            .and_then(|u| {
                u.find(kind)
                    .map(|i| u[i..].trim_end_matches(".xsd").to_string())
            })
            .unwrap_or_else(|| kind.to_string());
        let mut m = Message {
            format: version,
            ..Default::default()
        };
        m.reference = n
            .child("GrpHdr")
            .and_then(|g| g.child_text("MsgId"))
            .map(str::to_string);
        walk(n, "", &mut m);
        out.push(m);
        return;
    }
    for c in &n.children {
        find_messages(c, ns, out);
    }
}

/// Walks a message, collecting parties, agents and free text.
fn walk(n: &Node, path: &str, m: &mut Message) {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let repeated = |name: &str| {
        n.children.iter().filter(|c| c.name == name).count() > 1
            || matches!(name, "CdtTrfTxInf" | "PmtInf")
    };
    for c in &n.children {
        let count = match seen.iter_mut().find(|(k, _)| *k == c.name) {
            Some((_, k)) => {
                *k += 1;
                *k
            }
            None => {
                seen.push((c.name.as_str(), 1));
                1
            }
        };
        let seg = if repeated(&c.name) {
            format!("{}[{count}]", c.name)
        } else {
            c.name.clone()
        };
        let p = if path.is_empty() {
            seg
        } else {
            format!("{path}/{seg}")
        };
        if let Some((_, role)) = PARTIES.iter().find(|(tag, _)| *tag == c.name) {
            m.parties.push(party(c, &p, role));
        } else if is_agent(&c.name) {
            m.parties.push(agent(c, &p));
        } else if matches!(
            c.name.as_str(),
            "Ustrd" | "AddtlRmtInf" | "InstrInf" | "Inf"
        ) || (c.name == "Prtry" && n.name == "Purp")
        {
            if !c.text.trim().is_empty() {
                m.texts.push(Field::new(p, c.text.clone()));
            }
        } else {
            walk(c, &p, m);
        }
    }
}

fn is_agent(name: &str) -> bool {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    base.ends_with("Agt") && base != "ChrgsInf"
}

fn role_of_agent(name: &str) -> String {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let role = match base {
        "DbtrAgt" => "debtor_agent",
        "CdtrAgt" => "creditor_agent",
        "IntrmyAgt" => "intermediary_agent",
        "InstgAgt" => "instructing_agent",
        "InstdAgt" => "instructed_agent",
        "PrvsInstgAgt" => "previous_instructing_agent",
        "FwdgAgt" => "forwarding_agent",
        _ => "agent",
    };
    role.to_string()
}

fn address(n: &Node, path: &str, p: &mut Party) {
    let Some(a) = n.child("PstlAdr") else { return };
    let ap = format!("{path}/PstlAdr");
    for c in &a.children {
        if c.text.trim().is_empty() {
            continue;
        }
        if c.name == "Ctry" {
            p.country = Some(Field::new(format!("{ap}/Ctry"), c.text.trim()));
        } else if matches!(
            c.name.as_str(),
            "StrtNm"
                | "BldgNb"
                | "BldgNm"
                | "PstCd"
                | "TwnNm"
                | "TwnLctnNm"
                | "DstrctNm"
                | "CtrySubDvsn"
                | "AdrLine"
                | "Dept"
                | "SubDept"
                | "Flr"
                | "Room"
        ) {
            p.address
                .push(Field::new(format!("{ap}/{}", c.name), c.text.clone()));
        }
    }
}

fn party(n: &Node, path: &str, role: &str) -> Party {
    // pacs.008.001.10+ and pain.001.001.10+ may wrap the party in <Pty>
    let (n, path) = match n.child("Pty") {
        Some(inner) => (inner, format!("{path}/Pty")),
        None => (n, path.to_string()),
    };
    let mut p = Party {
        role: role.to_string(),
        field: path.clone(),
        ..Default::default()
    };
    if let Some(nm) = n.child_text("Nm") {
        p.name = Some(Field::new(format!("{path}/Nm"), nm));
    }
    address(n, &path, &mut p);
    if p.country.is_none() {
        if let Some(c) = n.child_text("CtryOfRes") {
            p.country = Some(Field::new(format!("{path}/CtryOfRes"), c));
        }
    }
    if let Some(id) = n.child("Id") {
        collect_ids(id, &format!("{path}/Id"), &mut p);
    }
    p
}

fn collect_ids(n: &Node, path: &str, p: &mut Party) {
    for c in &n.children {
        let cp = format!("{path}/{}", c.name);
        match c.name.as_str() {
            "AnyBIC" | "BICOrBEI" | "BICFI" | "BIC" => {
                let f = Field::new(cp, c.text.trim());
                p.bics.push(f.clone());
                p.identifiers.push(f);
            }
            "LEI" => p.identifiers.push(Field::new(cp, c.text.trim())),
            "Id" if !c.text.trim().is_empty() => p.identifiers.push(Field::new(cp, c.text.trim())),
            _ if !c.children.is_empty() => collect_ids(c, &cp, p),
            _ => {}
        }
    }
}

fn agent(n: &Node, path: &str) -> Party {
    let mut p = Party {
        role: role_of_agent(&n.name),
        field: path.to_string(),
        agent: true,
        ..Default::default()
    };
    let Some(fi) = n.child("FinInstnId") else {
        return p;
    };
    let fp = format!("{path}/FinInstnId");
    for tag in ["BICFI", "BIC"] {
        if let Some(b) = fi.child_text(tag) {
            let f = Field::new(format!("{fp}/{tag}"), b.trim());
            p.bics.push(f.clone());
            p.identifiers.push(f);
        }
    }
    if let Some(l) = fi.child_text("LEI") {
        p.identifiers
            .push(Field::new(format!("{fp}/LEI"), l.trim()));
    }
    if let Some(nm) = fi.child_text("Nm") {
        p.name = Some(Field::new(format!("{fp}/Nm"), nm));
    }
    address(fi, &fp, &mut p);
    p
}
