use super::*;

fn hits(text: &str) -> Vec<(String, Severity, String)> {
    Regions::shipped()
        .find_in_text(text)
        .into_iter()
        .map(|h| (h.region, h.severity, h.matched))
        .collect()
}

fn regions_of(text: &str) -> Vec<String> {
    hits(text).into_iter().map(|(r, _, _)| r).collect()
}

#[test]
fn shipped_data_loads_with_every_region_and_thousands_of_places() {
    let r = Regions::shipped();
    let ids: Vec<&str> = r.regions().iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        ids,
        ["kp", "ir", "sy", "cu", "ua-cri", "ua-dpr", "ua-lpr", "ua-23", "ua-65"]
    );
    assert!(r.places().len() > 4500, "{}", r.places().len());
    assert!(r.regions().iter().all(|g| !g.sources.is_empty()));
    let mariupol = r
        .places()
        .iter()
        .find(|p| p.names[0] == "Маріуполь")
        .unwrap();
    assert_eq!(
        (mariupol.status, mariupol.since.as_str()),
        (Status::Occupied, "2022-05-21")
    );
    let kherson = r.places().iter().find(|p| p.names[0] == "Херсон").unwrap();
    assert_eq!(kherson.status, Status::Deoccupied);
}

#[test]
fn transliteration_variants_of_donetsk_meet() {
    for s in ["Donetsk", "Donetsk'", "Донецьк", "Донецк", "DONETSK"] {
        let h = hits(&format!("a contract for building work in {s} next spring"));
        assert_eq!(h.len(), 1, "{s}: {h:?}");
        assert_eq!(
            (h[0].0.as_str(), h[0].1, h[0].2.as_str()),
            ("ua-dpr", Severity::Hit, s.trim_end_matches('\'')),
            "{s}"
        );
    }
}

#[test]
fn occupied_towns_in_their_spellings() {
    for s in [
        "Mariupol",
        "Маріуполь",
        "Makiivka",
        "Makeevka",
        "Makeyevka",
        "Макіївка",
        "Horlivka",
        "Gorlovka",
        "Горловка",
        "Sevastopol",
        "Севастополь",
        "Simferopol",
        "Krasnodon",
        "Stakhanov",
        "Melitopol",
        "Berdyansk",
        "Henichesk",
    ] {
        let r = regions_of(&format!("Workers were sent to {s} in March."));
        assert_eq!(r.len(), 1, "{s}: {r:?}");
    }
    assert_eq!(regions_of("shipped via Nampo to Pyongyang"), ["kp", "kp"]);
    assert_eq!(regions_of("a branch in Tehran"), ["ir"]);
}

#[test]
fn ordinary_text_and_same_named_places_elsewhere_do_not_fire() {
    assert!(
        hits("The committee met on Tuesday to discuss the annual budget of the bank.").is_empty()
    );
    // Donetsk in Rostov oblast, Russia; Sevastopol in Door County, Wisconsin; Havana, Illinois
    assert!(hits("The plant in Donetsk, Rostov Oblast, ships coal.").is_empty());
    assert!(hits("The town of Sevastopol, Door County, Wisconsin, voted on Monday.").is_empty());
    assert!(hits("Havana, IL is on the Illinois River.").is_empty());
    // a village name that is also a common word elsewhere needs its oblast nearby
    assert!(regions_of("We bought flowers in Zelene.").is_empty());
    // liberated or never-occupied cities are not hits on their own
    assert!(hits("The ferry to Kherson runs daily.").is_empty());
    // a list of places does not read as "Crimea, Iran"
    assert_eq!(
        regions_of("sanctions on Crimea, Iran and Syria"),
        ["ua-cri", "ir", "sy"]
    );
}

#[test]
fn small_places_need_their_region_nearby() {
    let r = Regions::shipped();
    // Berkhivka, a village near Bakhmut: alone nothing; with its oblast, a hit
    let alone = r.find_in_text("Shipment delivered to Berkhivka.");
    assert!(alone.is_empty(), "{alone:?}");
    let with = r.find_in_text("Shipment delivered to Berkhivka, Donetsk Oblast.");
    let village = with
        .iter()
        .find(|h| h.place.is_some())
        .expect("the village");
    let place = village.place.as_ref().unwrap();
    assert_eq!(
        (place.name.as_str(), place.level, place.status),
        ("Берхівка", Level::Village, Status::Occupied)
    );
    // an occupied town found in no other region fires alone
    let town = r.find_in_text("Shipment delivered to Amvrosiivka.");
    assert_eq!(town[0].place.as_ref().unwrap().code, "UA14080010010080957");
}

#[test]
fn oblasts_as_a_whole_are_for_review() {
    let h = hits("Grain from the Zaporizhzhia Oblast");
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].0.as_str(), h[0].1), ("ua-23", Severity::Review));
    let h = hits("the so-called Donetsk People's Republic");
    assert_eq!((h[0].0.as_str(), h[0].1), ("ua-dpr", Severity::Hit));
}

#[test]
fn addresses_by_field() {
    let r = Regions::shipped();
    let h = r.screen_address(
        &[
            ("street", "vul. Artema 10"),
            ("town", "Makeevka"),
            ("region", "Donetskaya obl."),
        ],
        None,
    );
    assert!(
        h.iter().any(|h| h.region == "ua-dpr"
            && h.field.as_deref() == Some("town")
            && h.severity == Severity::Hit),
        "{h:?}"
    );
    // the same town name with a country that contradicts the region does not fire
    assert!(r
        .screen_address(&[("town", "Donetsk")], Some("us"))
        .is_empty());
    // Russia claims the occupied regions: an occupier's address still fires
    assert!(!r
        .screen_address(&[("town", "Donetsk")], Some("RU"))
        .is_empty());
    // sanctioned countries by code or name
    let kp = r.screen_address(&[("town", "Pyongyang")], Some("KP"));
    assert_eq!(kp[0].field.as_deref(), Some("country"));
    assert_eq!(r.screen_address(&[], Some("Iran"))[0].region, "ir");
    // a postal code of Luhansk oblast with the country Ukraine
    let p = r.screen_address(
        &[("postcode", "92900"), ("street", "vul. Shevchenka 1")],
        Some("UA"),
    );
    assert_eq!(
        (p[0].region.as_str(), p[0].severity, p[0].field.as_deref()),
        ("ua-lpr", Severity::Review, Some("postcode"))
    );
    // the same digits in a US address do nothing
    assert!(r
        .screen_address(&[("postcode", "92900")], Some("US"))
        .is_empty());
}
