//! End-to-end tests of the web UI in headless Chromium, driven through chromedriver
//! (WebDriver, with the fantoccini client): type a query, read the results, open an entity
//! page, follow a relation, use the keyboard, read the lists page.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`, `/usr/bin/chromedriver`;
//! .ci/run installs them). When they are missing the tests FAIL, saying what to install: a
//! browser test that silently skips tests nothing.

mod common;

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ENTER: &str = "\u{E007}";

/// chromedriver on a loopback port, killed on drop.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: the browser tests need Debian's chromium and chromium-driver \
         (apt-get install chromium chromium-driver; .ci/run installs them)"
    );
}

fn start_driver() -> Driver {
    require(CHROMIUM);
    require(CHROMEDRIVER);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
    };
    let agent = common::agent();
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if agent
            .get(&format!("{}/status", driver.url))
            .call()
            .is_ok_and(|r| r.status() == 200)
        {
            return driver;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

async fn browser(driver: &Driver) -> Client {
    let profile = driver._profile.path().display().to_string();
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-quic", "--no-first-run", "--window-size=1280,900",
                     format!("--user-data-dir={profile}")]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// Waits until `css` holds text containing `want`.
async fn wait_text(c: &Client, css: &str, want: &str) -> String {
    let until = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    while Instant::now() < until {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            last = e.text().await.unwrap_or_default();
            if last.contains(want) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {want:?}; last text: {last:?}");
}

fn screenshot(name: &str, png: Vec<u8>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[test]
fn search_read_results_and_open_the_entity_page() {
    let s = common::shared();
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        c.goto(&s.url("/")).await.unwrap();
        let q = wait_css(&c, "input#q").await;
        // the search box has the focus on an empty search page
        assert_eq!(
            c.active_element()
                .await
                .unwrap()
                .attr("id")
                .await
                .unwrap()
                .as_deref(),
            Some("q")
        );
        q.send_keys("Ri Won Ho").await.unwrap();
        wait_css(&c, "input#birth_date")
            .await
            .send_keys("1964-07-17")
            .await
            .unwrap();
        q.send_keys(ENTER).await.unwrap();
        let head = wait_text(&c, "#results .count", "result").await;
        assert!(head.contains("for “Ri Won Ho”"), "{head}");
        let first = wait_css(&c, "ol.results li.result").await;
        let caption = first
            .find(Locator::Css("a.caption"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(caption, "RI WON HO");
        let verdict = first
            .find(Locator::Css(".verdict"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(verdict.to_lowercase(), "possible match");
        // matched words are highlighted
        let marks = first
            .find_all(Locator::Css(".matched-name mark"))
            .await
            .unwrap();
        assert!(!marks.is_empty());
        assert!(marks[0].text().await.unwrap().contains("RI"));
        // the first explanation is open and in plain language
        let why = first
            .find(Locator::Css("details.why"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(why.contains("was compared with the listed"), "{why}");
        assert!(why.to_lowercase().contains("birth date agrees"), "{why}");
        assert!(c
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("q=Ri+Won+Ho"));
        screenshot("search.png", c.screenshot().await.unwrap());

        // open the entity page
        first
            .find(Locator::Css("a.caption"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let h1 = wait_text(&c, "main h1", "RI WON HO").await;
        assert_eq!(h1, "RI WON HO");
        let page = wait_text(&c, "main", "Source").await;
        for want in [
            "Identifiers",
            "381310014",
            "Passport",
            "Born",
            "1964-07-17",
            "Korea",
            "UN Security Council",
            "KPi.033",
        ] {
            assert!(
                page.contains(want),
                "the entity page lacks {want:?}: {page}"
            );
        }
        screenshot("entity.png", c.screenshot().await.unwrap());
        // back to the results
        c.back().await.unwrap();
        wait_css(&c, "ol.results li.result").await;
        c.close().await.unwrap();
    });
}

#[test]
fn keyboard_relations_and_lists_page() {
    let s = common::shared();
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        // "/" brings the focus to the search box from anywhere on the page
        c.goto(&s.url("/search?q=Mansudae%20Overseas%20Projects"))
            .await
            .unwrap();
        wait_css(&c, "ol.results li.result").await;
        c.find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("/")
            .await
            .unwrap();
        assert_eq!(
            c.active_element()
                .await
                .unwrap()
                .attr("id")
                .await
                .unwrap()
                .as_deref(),
            Some("q")
        );
        // type a new name and submit with Enter only
        let active = c.active_element().await.unwrap();
        active.send_keys("Kim Tong Chol").await.unwrap();
        active.send_keys(ENTER).await.unwrap();
        wait_text(&c, "#results .count", "Kim Tong Chol").await;
        wait_css(&c, "ol.results a.caption").await;
        // the UN and OFAC both list him; open OFAC's entry, which links his companies
        let mut ofac = None;
        for a in c
            .find_all(Locator::Css("ol.results a.caption"))
            .await
            .unwrap()
        {
            if a.text().await.unwrap() == "KIM, Tong-chol" {
                ofac = Some(a);
            }
        }
        ofac.expect("OFAC's KIM, Tong-chol among the results")
            .click()
            .await
            .unwrap();
        wait_text(&c, "main h1", "KIM, Tong-chol").await;
        // follow a relation to the linked company
        let related = wait_text(&c, "main", "Related parties").await;
        assert!(
            related.contains("MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES"),
            "{related}"
        );
        let links = c
            .find_all(Locator::Css("main section a[data-link]"))
            .await
            .unwrap();
        let mut opened = false;
        for l in links {
            if l.text().await.unwrap() == "MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES" {
                l.click().await.unwrap();
                opened = true;
                break;
            }
        }
        assert!(opened, "no link to the related company");
        wait_text(
            &c,
            "main h1",
            "MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES",
        )
        .await;
        // the lists page through the navigation
        c.find(Locator::Css("#nav a[href='/lists']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let table = wait_text(&c, "table.lists", "us_ofac_sdn").await;
        assert!(table.contains("un_sc") && table.contains("1003"), "{table}");
        assert!(table.contains("United Nations Security Council"), "{table}");
        let nav = c
            .find(Locator::Css("#nav a[aria-current='page']"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(nav, "Lists");
        screenshot("lists.png", c.screenshot().await.unwrap());
        c.close().await.unwrap();
    });
}

#[test]
fn document_page_highlights_the_mentions_of_a_pasted_text() {
    let s = common::shared();
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        c.goto(&s.url("/")).await.unwrap();
        // through the navigation; the text box has the focus
        wait_css(&c, "#nav a[href='/documents']")
            .await
            .click()
            .await
            .unwrap();
        let area = wait_css(&c, "textarea#doc-text").await;
        assert_eq!(
            c.active_element()
                .await
                .unwrap()
                .attr("id")
                .await
                .unwrap()
                .as_deref(),
            Some("doc-text")
        );
        area.send_keys(
            "Reporters found that Korea Ryonbong General Corporation shipped parts to a depot in Makiivka.",
        )
        .await
        .unwrap();
        // Ctrl+Enter scans
        area.send_keys("\u{E009}\u{E007}").await.unwrap();
        let count = wait_text(&c, "#doc-results .count", "mention").await;
        assert!(count.contains("sanctioned regions"), "{count}");
        let mark = wait_css(&c, "#doc-view mark.mention").await;
        assert_eq!(
            mark.text().await.unwrap(),
            "Korea Ryonbong General Corporation"
        );
        let region = wait_css(&c, "#doc-view mark.region").await;
        assert_eq!(region.text().await.unwrap(), "Makiivka");
        // the list of mentions names the entity and explains the score
        let list = wait_text(&c, "#mentions", "KOREA RYONBONG GENERAL CORPORATION").await;
        assert!(list.contains("un_sc:KPe.002"), "{list}");
        let why = c
            .find(Locator::Css("#mentions details.why"))
            .await
            .unwrap();
        why.find(Locator::Css("summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(why
            .text()
            .await
            .unwrap()
            .contains("was compared with the listed"));
        // a highlight leads to its entry in the list
        c.find(Locator::Css("#doc-view a.hl.mention"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let focused = c.active_element().await.unwrap();
        assert_eq!(
            focused.attr("id").await.unwrap().as_deref(),
            Some("m-0")
        );
        screenshot("documents.png", c.screenshot().await.unwrap());
        c.close().await.unwrap();
    });
}

#[test]
fn alert_page_shows_input_beside_entity_and_takes_a_decision_by_keyboard() {
    use server::auth::{KeyStore, Role};
    let dir = tempfile::tempdir().unwrap();
    let keys_file = dir.path().join("keys.json");
    let key = KeyStore::load(&keys_file)
        .unwrap()
        .add("alice", Role::Write)
        .unwrap();
    let db = dir.path().join("audit.db").display().to_string();
    let s = common::TestServer::over(common::shared_data_dir(), |o| {
        o.keys_file = Some(keys_file);
        o.database = Some(db);
        o.record = true;
    });
    // a recorded screening opens the alert
    let (status, body) = s.post(
        "/v1/match",
        &serde_json::json!({"queries": {"c-1": common::person("Ri Won Ho")}}),
    );
    assert_eq!(status, 200, "{body}");
    let id = body["responses"]["c-1"]["recorded"]["alerts_opened"][0]
        .as_i64()
        .unwrap_or_else(|| panic!("no alert opened: {body}"));
    let driver = start_driver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&driver).await;
        c.goto(&s.url("/alerts")).await.unwrap();
        // alerts need a key: the page says so, and the key, entered once in the tab, opens it
        wait_text(&c, "main", "API key").await;
        c.find(Locator::Css("#key summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let k = wait_css(&c, "#key-input").await;
        k.send_keys(&key).await.unwrap();
        k.send_keys(ENTER).await.unwrap();
        // the queue lists the alert; its link opens the alert page
        let link = wait_css(&c, &format!("tr[data-alert='{id}'] a")).await;
        link.click().await.unwrap();
        wait_text(&c, "main h1", &format!("Alert #{id}")).await;
        let input = wait_text(&c, ".side-input", "Ri Won Ho").await;
        assert!(input.contains("Screened input"), "{input}");
        let entity = wait_text(&c, ".side-entity", "RI WON HO").await;
        assert!(entity.contains("un_sc:KPi.033"), "{entity}");
        let why = wait_text(&c, "#alert-why", "was compared with the listed").await;
        assert!(why.contains("1.00"), "{why}");
        wait_css(&c, "#decision-form").await;
        // "f" picks false positive and moves to the note; Ctrl+Enter records
        c.find(Locator::Css("body"))
            .await
            .unwrap()
            .send_keys("f")
            .await
            .unwrap();
        let note = c.active_element().await.unwrap();
        assert_eq!(
            note.attr("id").await.unwrap().as_deref(),
            Some("decision-note")
        );
        note.send_keys("born 1971, not the listed person")
            .await
            .unwrap();
        note.send_keys("\u{E009}\u{E007}").await.unwrap();
        let flash = wait_text(&c, "main", "closed as false positive").await;
        assert!(flash.contains("reviewer alice"), "{flash}");
        let history = wait_text(&c, "ol.history", "decision").await;
        assert!(history.contains("born 1971"), "{history}");
        screenshot("alert.png", c.screenshot().await.unwrap());
        c.close().await.unwrap();
    });
}
