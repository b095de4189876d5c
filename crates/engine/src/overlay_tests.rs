use super::*;
use matcher::{Query, SearchOptions};
use sources::snapshot::DataDir;

fn import(root: &Path, lists: &[&str]) {
    let shared = sources::shared_dir_for_tests().join("data/lists");
    let paths: Vec<PathBuf> = lists.iter().map(|l| shared.join(l)).collect();
    let sets = sources::detect_paths(&paths).unwrap();
    DataDir::open(root)
        .unwrap()
        .import(&sets, &mut |_| {})
        .unwrap();
}

const OVERLAY: &str = "\
# watchlist custom list v1
# list: analyst_overlay
id,name,aliases,same_as,source
A-1,Ministry of Social Security,Sahoe Anjonsong,us_ofac_sdn:20118,\"Analyst: renamed in 2020, seen in KCNA reporting\"
A-2,Old Trading Front,,us_ofac_sdn:99999999,Analyst: case 17
";

#[test]
fn overlay_names_match_with_their_note_and_survive_list_updates() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    import(root, &["us_ofac_sdn"]);
    std::fs::create_dir_all(overlay_dir(root)).unwrap();
    std::fs::write(overlay_dir(root).join("renamings.csv"), OVERLAY).unwrap();
    for round in 0..2 {
        let snapshot = DataDir::open(root).unwrap().current().unwrap().unwrap();
        let engine =
            crate::Engine::open_at(root, snapshot, false, &crate::Settings::default()).unwrap();
        let report = engine.overlays().clone();
        assert_eq!(report.files, ["renamings.csv"]);
        assert_eq!((report.names, report.entities), (2, 1), "round {round}");
        let res = engine.search(
            &Query::name("Ministry of Social Security"),
            &SearchOptions::default(),
        );
        assert_eq!(res[0].entity_id, "us_ofac_sdn:20118", "round {round}");
        assert_eq!(res[0].score, 1.0);
        let note = res[0]
            .explanation
            .name_source
            .as_deref()
            .unwrap_or_default();
        assert!(
            note.contains("analyst overlay renamings.csv, row A-1") && note.contains("KCNA"),
            "{note}"
        );
        // the publisher's own name still matches without a note
        let own = engine.search(
            &Query::name("Ministry of People's Security"),
            &SearchOptions::default(),
        );
        assert_eq!(
            (
                own[0].entity_id.as_str(),
                own[0].explanation.name_source.as_deref()
            ),
            ("us_ofac_sdn:20118", None)
        );
        // the row pointing to an entity that is not listed is reported
        assert_eq!(report.orphans.len(), 1);
        assert_eq!(report.orphans[0].target, "us_ofac_sdn:99999999");
        assert!(report.warnings()[0].contains("not in the lists in service"));
        // a list update: a new snapshot with another list; the overlay still applies
        if round == 0 {
            import(root, &["us_ofac_sdn", "un_sc"]);
        }
    }
}

#[test]
fn entity_leaving_the_list_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    import(root, &["un_sc"]);
    std::fs::create_dir_all(overlay_dir(root)).unwrap();
    std::fs::write(overlay_dir(root).join("o.csv"), OVERLAY).unwrap();
    let snapshot = DataDir::open(root).unwrap().current().unwrap().unwrap();
    let report = crate::Engine::open_at(root, snapshot, false, &crate::Settings::default())
        .unwrap()
        .overlays()
        .clone();
    // the OFAC list is not in service here: both rows are orphans, nothing is applied
    assert_eq!(report.names, 0);
    assert_eq!(
        report
            .orphans
            .iter()
            .map(|o| o.row.as_str())
            .collect::<Vec<_>>(),
        ["A-1", "A-2"]
    );
    assert_eq!(
        report.orphans[0].names,
        ["Ministry of Social Security", "Sahoe Anjonsong"]
    );
}

#[test]
fn no_overlay_directory_is_fine_and_bad_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    import(root, &["eu_fsf"]);
    let snapshot = DataDir::open(root).unwrap().current().unwrap().unwrap();
    let (_, report) = load(root, &snapshot).unwrap();
    assert_eq!(report, OverlayReport::default());
    std::fs::create_dir_all(overlay_dir(root)).unwrap();
    std::fs::write(
        overlay_dir(root).join("bad.csv"),
        "# watchlist custom list v1\nid,name,same_as\nA-1,X,not-an-id\n",
    )
    .unwrap();
    assert!(load(root, &snapshot).is_err());
}
