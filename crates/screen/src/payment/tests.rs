use super::*;
use matcher::{Config, Index};
use model::{Entity, EntityId, IdKind, Identifier, Name, NameKind, Schema};
use std::path::PathBuf;

fn shared(rel: &str) -> PathBuf {
    sources::shared_dir_for_tests()
        .join("data/payments")
        .join(rel)
}

fn read(rel: &str) -> Vec<Message> {
    let p = shared(rel);
    parse(&p.display().to_string(), &std::fs::read(&p).unwrap())
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn matcher() -> Matcher {
    let mut bank = Entity::new(
        EntityId::new("un_sc", "KPe.047").unwrap(),
        Schema::Organization,
    );
    bank.names.push(Name::new(
        "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
        NameKind::Primary,
    ));
    bank.identifiers
        .push(Identifier::new(IdKind::Swift, "FTBDKPPY"));
    bank.countries.push("kp".into());
    let mut komid = Entity::new(
        EntityId::new("un_sc", "KPe.001").unwrap(),
        Schema::Organization,
    );
    komid.names.push(Name::new(
        "KOREA MINING DEVELOPMENT TRADING CORPORATION",
        NameKind::Primary,
    ));
    let mut studio = Entity::new(
        EntityId::new("un_sc", "KPe.050").unwrap(),
        Schema::Organization,
    );
    studio
        .names
        .push(Name::new("Mansudae Art Studio", NameKind::Alias));
    Matcher::new(
        Index::build(vec![bank, komid, studio], "t"),
        Config::default(),
    )
}

#[test]
fn real_pacs008_files() {
    let m = read("pacs008/CustomerCreditTransfer_Variation3_pacs.008");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].format, "pacs.008.001.08");
    assert_eq!(m[0].reference.as_deref(), Some("20250310B1QDRCQR000008"));
    let ud = m[0]
        .parties
        .iter()
        .find(|p| p.role == "ultimate_debtor")
        .unwrap();
    assert_eq!(ud.name.as_ref().unwrap().value, "Corporation Aa");
    assert_eq!(
        ud.name.as_ref().unwrap().field,
        "CdtTrfTxInf[1]/UltmtDbtr/Nm"
    );
    assert_eq!(ud.country.as_ref().unwrap().value, "US");
    let s5 = read("pacs008/CustomerCreditTransfer_Scenario5_Step1_pacs.008");
    let country = |role: &str| {
        s5[0]
            .parties
            .iter()
            .find(|p| p.role == role)
            .and_then(|p| p.country.clone())
            .map(|c| c.value)
    };
    assert_eq!(
        (country("debtor").as_deref(), country("creditor").as_deref()),
        (Some("BE"), Some("BR"))
    );
    // the prowide sample wraps the Document with an application header
    let p7 = read("pacs008/pacs.008.001.07.xml");
    assert_eq!(p7[0].format, "pacs.008.001.07");
    assert!(p7[0].parties.iter().any(|p| p.agent && !p.bics.is_empty()));
    for f in [
        "CustomerCreditTransfer_Scenario1_Step1_pacs.008",
        "CustomerCreditTransfer_Scenario4_Step1_pacs.008",
        "CustomerCreditTransfer_Variation6_pacs.008",
        "PaymentReturn_Scenario2_Step1_pacs.008",
    ] {
        let m = read(&format!("pacs008/{f}"));
        assert!(
            m[0].parties.iter().any(|p| p.role == "debtor")
                && m[0].parties.iter().any(|p| p.role == "creditor"),
            "{f}"
        );
    }
}

#[test]
fn real_pain001_files() {
    let swiss = read("pain001/musterfile_pain.001_Nov2020.xml");
    assert!(
        swiss[0].format.starts_with("pain.001.001.03"),
        "{}",
        swiss[0].format
    );
    let creditors = swiss[0]
        .parties
        .iter()
        .filter(|p| p.role == "creditor")
        .count();
    assert_eq!(creditors, 8); // eight CdtTrfTxInf blocks (the provenance note says 7 transactions)
    let rub = read("pain001/International_payment_RUB_naujas_1.xml");
    let agent = rub[0]
        .parties
        .iter()
        .find(|p| p.role == "creditor_agent")
        .unwrap();
    assert!(
        agent
            .name
            .as_ref()
            .is_some_and(|n| n.value.contains("UNICREDIT BANK AO")),
        "{agent:?}"
    );
    let g = read("pain001/gistfile1.xml");
    assert_eq!(
        g[0].parties.iter().filter(|p| p.role == "creditor").count(),
        3
    );
    for f in [
        "International_payment_USD_naujas_1.xml",
        "sepa_payment_naujas_1.xml",
    ] {
        assert!(!read(&format!("pain001/{f}"))[0].parties.is_empty());
    }
}

#[test]
fn real_swift_files() {
    let out = read("mt103/MT103-out-ack.rje");
    assert!(out.len() >= 4, "{}", out.len());
    assert!(out.iter().all(|m| m.format == "MT103"));
    let first = &out[0];
    assert_eq!(first.reference.as_deref(), Some("22342343"));
    let ben = first.parties.iter().find(|p| p.field == ":59:").unwrap();
    assert_eq!(
        ben.name.as_ref().unwrap().value,
        "MERCADOS Y GESTION DE VALORES SA"
    );
    assert!(first
        .texts
        .iter()
        .any(|t| t.field == ":70:" && t.value.contains("FINDERS FEES")));
    // ACK service messages before each MT103 are skipped
    let bulk = read("mt103/MT103-bulk-with-ack.rje");
    assert!(bulk.iter().all(|m| m.format == "MT103"));
    assert!(bulk.len() >= 2);
    let mt101 = read("mt103/MT101.fin");
    assert_eq!(mt101[0].format, "MT101");
    assert!(mt101[0].parties.iter().any(|p| p.field == "B1/:59:"
        && p.name
            .as_ref()
            .is_some_and(|n| n.value == "CASH CUSTOMER I")));
    assert!(mt101[0]
        .parties
        .iter()
        .any(|p| p.field == "B1/:57A:" && p.bics[0].value == "CIBKCNBJ473"));
}

const PACS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
 <FIToFICstmrCdtTrf>
  <GrpHdr><MsgId>WAGES-2024-07</MsgId><NbOfTxs>1</NbOfTxs></GrpHdr>
  <CdtTrfTxInf>
   <PmtId><EndToEndId>E2E1</EndToEndId></PmtId>
   <IntrBkSttlmAmt Ccy="USD">1000.00</IntrBkSttlmAmt>
   <Dbtr><Nm>Building Contractor LLC</Nm><PstlAdr><TwnNm>Makeevka</TwnNm><Ctry>UA</Ctry></PstlAdr></Dbtr>
   <DbtrAgt><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></DbtrAgt>
   <CdtrAgt><FinInstnId><BICFI>FTBDKPPYXXX</BICFI></FinInstnId></CdtrAgt>
   <Cdtr><Nm>Korea Mining Development Trading Corp</Nm><PstlAdr><TwnNm>Pyongyang</TwnNm><Ctry>KP</Ctry></PstlAdr></Cdtr>
   <RmtInf><Ustrd>Wages for Mansudae Art Studio workers, building work in Donetsk</Ustrd></RmtInf>
  </CdtTrfTxInf>
 </FIToFICstmrCdtTrf>
</Document>"#;

#[test]
fn every_party_agent_text_and_place_is_screened() {
    let m = matcher();
    let s = PaymentScreener::new(&m, None, None);
    let msgs = parse("wages.xml", PACS.as_bytes()).unwrap();
    let r = s.screen(&msgs[0]);
    let has = |kind: HitKind, field: &str, what: &str| {
        r.hits.iter().any(|h| {
            h.kind == kind
                && h.field == field
                && (h.entity.as_ref().is_some_and(|e| e.entity_id == what)
                    || h.region.as_ref().is_some_and(|g| g.rule == what))
        })
    };
    assert!(
        has(HitKind::Name, "CdtTrfTxInf[1]/Cdtr/Nm", "un_sc:KPe.001"),
        "{:#?}",
        r.hits
    );
    assert!(
        has(
            HitKind::Identifier,
            "CdtTrfTxInf[1]/CdtrAgt/FinInstnId/BICFI",
            "un_sc:KPe.047"
        ),
        "{:#?}",
        r.hits
    );
    assert!(has(
        HitKind::Region,
        "CdtTrfTxInf[1]/CdtrAgt/FinInstnId/BICFI",
        "region:kp"
    ));
    assert!(has(
        HitKind::Region,
        "CdtTrfTxInf[1]/Cdtr/PstlAdr/Ctry",
        "region:kp"
    ));
    assert!(
        has(
            HitKind::Region,
            "CdtTrfTxInf[1]/Dbtr/PstlAdr/TwnNm",
            "region:ua-dpr"
        ),
        "{:#?}",
        r.hits
    );
    assert!(has(
        HitKind::Mention,
        "CdtTrfTxInf[1]/RmtInf/Ustrd",
        "un_sc:KPe.050"
    ));
    assert!(has(
        HitKind::Region,
        "CdtTrfTxInf[1]/RmtInf/Ustrd",
        "region:ua-dpr"
    ));
    // the debtor agent, a German bank, is clean
    assert!(!r.hits.iter().any(|h| h.field.contains("DbtrAgt")));
}

#[test]
fn doctype_entities_and_malformed_xml_are_refused_with_positions() {
    let doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Document><FIToFICstmrCdtTrf/></Document>";
    let e = parse("evil.xml", doctype.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("DOCTYPE") && e.contains("line 2"), "{e}");
    let broken = PACS.replace("</Cdtr>", "</Cdtor>");
    let e = parse("broken.xml", broken.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("broken.xml") && e.contains("line 11") && e.contains("</Cdtor>"),
        "{e}"
    );
    let truncated = &PACS[..PACS.len() / 2];
    assert!(parse("cut.xml", truncated.as_bytes()).is_err());
    let other = "<Document><CstmrPmtStsRpt/></Document>";
    assert!(parse("pain002.xml", other.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("no pacs.008"));
    assert!(parse("x.bin", b"\x00\x01binary").is_err());
}

#[test]
fn swift_errors_name_the_field_and_the_line() {
    let ok = "{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}{4:\r\n:20:REF1\r\n:23B:CRED\r\n:32A:240701USD1000,\r\n:50K:/123\r\nJOHN DOE\r\n:59:/456\r\nKOREA MINING DEVELOPMENT TRADING CORP\r\nPYONGYANG\r\n:71A:SHA\r\n-}";
    let m = parse("ok.fin", ok.as_bytes()).unwrap();
    assert_eq!(m[0].parties.len(), 2);
    let missing = ok.replace(":71A:SHA\r\n", "");
    let e = parse("m.fin", missing.as_bytes()).unwrap_err().to_string();
    assert!(e.contains(":71A:") && e.contains("line 1"), "{e}");
    let e = parse("m.fin", ok.replace(":23B:CRED\r\n", "").as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains(":23B:"), "{e}");
    let open = ok.replace("\r\n-}", "");
    let e = parse("open.fin", open.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("block 4 is not closed"), "{e}");
    let e = parse("g.fin", b"{1:F01X}junk").unwrap_err().to_string();
    assert!(e.contains("column 9"), "{e}");
    let r = PaymentScreener::new(&matcher(), None, None).screen(&m[0]);
    assert!(r
        .hits
        .iter()
        .any(|h| h.field == ":59:" && h.kind == HitKind::Name));
    assert!(r
        .hits
        .iter()
        .any(|h| h.field == ":59:" && h.kind == HitKind::Region));
}
