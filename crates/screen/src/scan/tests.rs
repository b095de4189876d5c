use super::input::{self, Kind};
use super::*;
use matcher::{Config, Index};
use model::{Entity, EntityId, Name};

fn entity(
    list: &str,
    id: &str,
    schema: Schema,
    names: &[(&str, NameKind)],
    programs: &[&str],
) -> Entity {
    let mut e = Entity::new(EntityId::new(list, id).unwrap(), schema);
    for (n, k) in names {
        e.names.push(Name::new(*n, *k));
    }
    e.programs = programs.iter().map(|p| p.to_string()).collect();
    e
}

/// A small index shaped like the real lists' entries.
pub(crate) fn matcher() -> Matcher {
    use NameKind::*;
    use Schema::*;
    let ents = vec![
        entity(
            "us_ofac_sdn",
            "20305",
            Person,
            &[
                ("KIM, Jong Un", Primary),
                ("KIM, Jong-un", Alias),
                ("김정은", OriginalScript),
            ],
            &["DPRK2"],
        ),
        entity(
            "un_sc",
            "KPe.050",
            Organization,
            &[
                ("MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES", Primary),
                ("Mansudae Art Studio", Alias),
            ],
            &["KP"],
        ),
        entity(
            "us_ofac_sdn",
            "20118",
            Organization,
            &[
                ("MINISTRY OF PEOPLE'S SECURITY", Primary),
                ("MPS", WeakAlias),
            ],
            &["DPRK2"],
        ),
        entity(
            "un_sc",
            "KPe.001",
            Organization,
            &[
                ("KOREA MINING DEVELOPMENT TRADING CORPORATION", Primary),
                ("KOMID", Alias),
            ],
            &["KP"],
        ),
        entity(
            "us_ofac_sdn",
            "1",
            Person,
            &[
                ("GUBAREVA, Ekaterina Yurievna", Primary),
                ("Губарева Екатерина Юрьевна", OriginalScript),
            ],
            &["UKRAINE-EO13660"],
        ),
        entity(
            "us_ofac_sdn",
            "2",
            Vessel,
            &[("VICTORY", Primary)],
            &["SDGT"],
        ),
        entity("us_ofac_sdn", "3", Person, &[("JOHN", Primary)], &[]),
        entity(
            "us_ofac_sdn",
            "4",
            Organization,
            &[("HAMAS", Primary), ("Islamic Resistance Movement", Alias)],
            &["SDGT"],
        ),
    ];
    Matcher::new(Index::build(ents, "test"), Config::default())
}

fn found(text: &str) -> Vec<(String, String)> {
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    s.scan_str(text)
        .mentions
        .into_iter()
        .map(|x| (text[x.start..x.end].to_string(), x.entity_id.clone()))
        .collect()
}

#[test]
fn names_in_any_case_with_possessives_and_line_breaks() {
    let text = "Pyongyang, March 3 — Kim Jong Un's visit to the factory was reported.\nOfficials of KIM JONG\nUN greeted him; kim jong un left.";
    let got = found(text);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|(_, id)| id == "us_ofac_sdn:20305"));
    assert_eq!(got[0].0, "Kim Jong Un");
    assert_eq!(got[1].0, "KIM JONG\nUN");
}

#[test]
fn organisations_with_and_without_legal_forms_and_other_scripts() {
    let text = "Workers of the Mansudae Overseas Project Group of Companies built it. \
                Korea Mining Development Trading Corp. and Korea Mining Development Trading shipped parts. \
                Later 김정은 and Губарева Екатерина met.";
    let got = found(text);
    let ids: Vec<&str> = got.iter().map(|(_, i)| i.as_str()).collect();
    assert!(ids.contains(&"un_sc:KPe.050"), "{got:?}");
    assert_eq!(
        ids.iter().filter(|i| **i == "un_sc:KPe.001").count(),
        2,
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(t, i)| t == "김정은" && i == "us_ofac_sdn:20305"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(t, i)| t == "Губарева Екатерина" && i == "us_ofac_sdn:1"),
        "{got:?}"
    );
}

#[test]
fn ordinary_words_and_given_names_alone_are_not_mentions() {
    // VICTORY and JOHN are one-word listed names; HAMAS is a distinctive one
    let got =
        found("John said the victory was theirs. Victory Day is in May. Hamas issued a statement.");
    assert_eq!(got, [("Hamas".to_string(), "us_ofac_sdn:4".to_string())]);
    assert!(found("The ministry said people want more security.").is_empty());
}

#[test]
fn offsets_and_explanations() {
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    let text = "Reports name the Ministry of People's Security as the employer.";
    let f = s.scan_str(text);
    assert_eq!(f.mentions.len(), 1);
    let x = &f.mentions[0];
    assert_eq!(&text[x.start..x.end], "Ministry of People's Security");
    assert_eq!(x.entity_id, "us_ofac_sdn:20118");
    assert!(x.score >= 0.99);
    assert_eq!(x.explanation.matched_name, "MINISTRY OF PEOPLE'S SECURITY");
    assert!(!x.explanation.tokens.is_empty());
}

#[test]
fn same_score_as_screening_the_name() {
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    for name in [
        "Kim Jong-un",
        "Mansudae Art Studio",
        "Korea Mining Development Trading Corporation",
        "Ekaterina Gubareva",
        "Gubareva Ekaterina Yurievna",
        "Jong Un Kim",
    ] {
        let text = format!("In the report, {name} was named twice.");
        let f = s.scan_str(&text);
        let screened: Vec<matcher::Match> = m
            .search(&Query::name(name), &SearchOptions::default())
            .into_iter()
            .filter(|r| r.is_match)
            .collect();
        let got: Vec<(&str, f32)> = f
            .mentions
            .iter()
            .map(|x| (x.entity_id.as_str(), x.score))
            .collect();
        let want: Vec<(&str, f32)> = screened
            .iter()
            .map(|x| (x.entity_id.as_str(), x.score))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn regions_in_text() {
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    let text = "A contract for building work in Donetsk was signed.";
    let f = s.scan_str(text);
    assert_eq!(f.places.len(), 1);
    assert_eq!(&text[f.places[0].start..f.places[0].end], "Donetsk");
    assert_eq!(f.places[0].hit.rule, "region:ua-dpr");
}

#[test]
fn streamed_blocks_find_names_across_block_edges() {
    let m = matcher();
    let s = Scanner::new(
        &m,
        ScanOptions {
            regions: false,
            ..Default::default()
        },
    );
    // put mentions at many positions around the block boundaries
    let filler = "The weather was mild and the markets were calm. ";
    let mut text = String::new();
    let mut expected = Vec::new();
    while text.len() < 3 * input::BLOCK + 5000 {
        text.push_str(filler);
        if text.len().is_multiple_of(7)
            || (text.len() % input::BLOCK) > input::BLOCK - 3 * filler.len()
        {
            expected.push(text.len());
            text.push_str("Kim Jong Un ");
        }
    }
    let mut got = Vec::new();
    let stats = input::scan_text(&s, "t", text.as_bytes(), &mut |f| {
        got.extend(f.mentions.into_iter().map(|m| m.start))
    })
    .unwrap();
    assert_eq!(stats.bytes as usize, text.len());
    assert!(stats.blocks >= 4);
    assert_eq!(got, expected);
}

#[test]
fn binary_pdf_and_bad_utf8_are_refused() {
    assert!(matches!(
        input::sniff("a.bin", b"\x7fELF\x02\x01\x00\x00"),
        Err(input::InputError::Binary { at: 6, .. })
    ));
    assert!(matches!(
        input::sniff("a.pdf", b"%PDF-1.7\n"),
        Err(input::InputError::Pdf { .. })
    ));
    assert!(matches!(
        input::sniff("a.txt", b"caf\xe9 au lait"),
        Err(input::InputError::Utf8 { at: 3, .. })
    ));
    assert_eq!(
        input::sniff("a.txt", "Plain text about Kim".as_bytes()).unwrap(),
        Kind::Text
    );
    assert_eq!(
        input::sniff("x", b"<!DOCTYPE html><html>").unwrap(),
        Kind::Html
    );
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    let mut bad = "word ".repeat(300_000).into_bytes();
    bad.extend_from_slice(b"\xff\xfe more");
    let err = input::scan_text(&s, "big.txt", bad.as_slice(), &mut |_| {}).unwrap_err();
    assert!(
        matches!(err, input::InputError::Utf8 { at: 1_500_000, .. }),
        "{err}"
    );
}

#[test]
fn html_tags_and_scripts_are_stripped_with_offsets_into_the_html() {
    let m = matcher();
    let s = Scanner::new(&m, ScanOptions::default());
    let html = "<!DOCTYPE html><html><head><title>News</title><script>var x = 'Kim Jong Un';</script>\
                <style>.kim{}</style></head><body><p>Leader <b>Kim</b> Jong&nbsp;Un&#39;s speech</p>\
                <!-- Mansudae Art Studio --><div>The <a href=\"/x\">Mansudae Art Studio</a> exported statues.</div></body></html>";
    let f = input::scan_html(&s, html);
    let texts: Vec<&str> = f.mentions.iter().map(|m| &html[m.start..m.end]).collect();
    assert_eq!(
        texts,
        ["Kim</b> Jong&nbsp;Un", "Mansudae Art Studio"],
        "{f:?}"
    );
    assert!(f.mentions[1].start > html.find("<div>").unwrap());
}

#[test]
#[ignore]
fn anchor_stats_on_the_real_lists() {
    // cargo test -p watchlist-screen --release -- --ignored anchor_stats --nocapture
    let e = engine::Engine::open(
        std::path::Path::new("/tmp/wl-data"),
        &engine::Settings::default(),
    )
    .unwrap();
    let a = Anchors::build(e.matcher());
    let v = &e.matcher().index().vocab();
    let mut sizes: Vec<(usize, String)> = (0..v.len())
        .map(|t| (a.at(t as u32).len(), v.keys[t].text.clone()))
        .collect();
    sizes.sort();
    sizes.reverse();
    println!("{:?}", &sizes[..40]);
}
