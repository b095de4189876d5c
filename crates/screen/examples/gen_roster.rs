//! Writes a generated roster for the batch benchmark and tests: people with names combined
//! from the name lists in ../shared/data/negatives (synthetic and real non-sanctioned names),
//! a few DPRK persons and organisations from the UN list, employers, work addresses in many
//! countries (some in occupied Donetsk oblast), and a few bad rows (a missing field every
//! 100,000 rows, invalid UTF-8 every 250,000).
//!
//! `cargo run --release -p watchlist-screen --example gen_roster -- OUT.csv ROWS`

use std::io::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).expect("usage: gen_roster OUT.csv ROWS");
    let n: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let shared = sources::shared_dir_for_tests().join("data");
    let (mut firsts, mut lasts) = (Vec::new(), Vec::new());
    for f in [
        "negatives/synthetic/negatives_global.csv",
        "negatives/synthetic/negatives_us.csv",
    ] {
        let mut r = csv::Reader::from_path(shared.join(f)).expect("negatives");
        for rec in r.records().flatten() {
            if !rec[1].is_empty() && !rec[3].is_empty() {
                firsts.push(rec[1].to_string());
                lasts.push(rec[3].to_string());
            }
        }
    }
    // DPRK persons and organisations of the UN list
    let sets = sources::detect_paths(&[shared.join("lists/un_sc")]).expect("un_sc");
    let (_, ents) = sources::parse_all(&sets[0]).expect("parse un_sc");
    let kp_people: Vec<(String, String)> = ents
        .iter()
        .filter(|e| e.schema == model::Schema::Person && e.id.list_id().starts_with("KP"))
        .map(|e| {
            (
                e.caption().to_string(),
                e.birth_dates
                    .first()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let kp_orgs: Vec<String> = ents
        .iter()
        .filter(|e| e.schema == model::Schema::Organization && e.id.list_id().starts_with("KP"))
        .map(|e| e.caption().to_string())
        .collect();
    let trades = [
        "Construction LLC",
        "Building Group",
        "Logistics Ltd",
        "Shipyard",
        "Textiles",
        "Agro Holding",
        "Fisheries Co",
        "Stroy OOO",
        "Engineering GmbH",
        "Services SA",
    ];
    let employers: Vec<String> = (0..400)
        .map(|i| {
            format!(
                "{} {}",
                lasts[(i * 7919) % lasts.len()],
                trades[i % trades.len()]
            )
        })
        .collect();
    let places = [
        "Warsaw, Poland",
        "Gdansk, Poland",
        "Moscow, Russia",
        "Vladivostok, Russia",
        "Dubai, United Arab Emirates",
        "Lagos, Nigeria",
        "Doha, Qatar",
        "Kuwait City, Kuwait",
        "Shenyang, China",
        "Ulaanbaatar, Mongolia",
        "Berlin, Germany",
        "Madrid, Spain",
        "Sao Paulo, Brazil",
        "Houston, United States",
        "Makeevka, Donetsk Oblast, Ukraine",
        "Kyiv, Ukraine",
    ];
    let countries = [
        "pl", "ru", "cn", "ae", "ng", "qa", "de", "es", "br", "us", "ua", "in", "ph", "vn", "mn",
    ];
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let mut w =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out).expect("create"));
    writeln!(
        w,
        "Employee ID,Full Name,Birth Date,Citizenship,Passport No,Employer,Work Address"
    )
    .unwrap();
    let q = |s: &str| {
        if s.contains([',', '"']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for i in 1..=n {
        if i % 100_000 == 50_000 {
            writeln!(w, "E{i},row with a missing field,1980").unwrap();
            continue;
        }
        if i % 250_000 == 125_000 {
            w.write_all(format!("E{i},Caf").as_bytes()).unwrap();
            w.write_all(b"\xe9 Worker,1980-01-01,fr,,,\"Paris, France\"\n")
                .unwrap();
            continue;
        }
        let r = rng.next() % 1000;
        let (name, dob, nat) = if r < 5 {
            let (n, d) = rng.pick(&kp_people).clone();
            (n, d, "kp".to_string())
        } else if r < 25 {
            let syl = ["Kim", "Ri", "Pak", "Choe", "Jang", "Han", "O"];
            let giv = [
                "Chol", "Song", "Myong", "Il", "Yong", "Hyok", "Nam", "Su", "Jin", "Kwang",
            ];
            (
                format!("{} {} {}", rng.pick(&syl), rng.pick(&giv), rng.pick(&giv)),
                format!("19{}", 60 + rng.next() % 40),
                "kp".to_string(),
            )
        } else {
            let y = 1950 + rng.next() % 55;
            (
                format!("{} {}", rng.pick(&firsts), rng.pick(&lasts)),
                format!("{y}-{:02}-{:02}", 1 + rng.next() % 12, 1 + rng.next() % 28),
                rng.pick(&countries).to_string(),
            )
        };
        let employer = if rng.next().is_multiple_of(200) {
            rng.pick(&kp_orgs).clone()
        } else {
            rng.pick(&employers).clone()
        };
        let passport = format!(
            "{}{:07}",
            ["", "P", "AB"][(rng.next() % 3) as usize],
            rng.next() % 10_000_000
        );
        let place = rng.pick(&places);
        writeln!(
            w,
            "E{i},{},{dob},{nat},{passport},{},{}",
            q(&name),
            q(&employer),
            q(place)
        )
        .unwrap();
    }
    w.flush().unwrap();
    eprintln!("wrote {n} rows to {out}");
}
