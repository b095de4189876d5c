//! Property tests of the normaliser: it never panics, is idempotent on its own output, and
//! ignores case and diacritics.

use proptest::prelude::*;
use text::{NameType, Normalizer};

fn texts(s: &str, k: NameType) -> Vec<String> {
    Normalizer
        .name(s, k)
        .tokens
        .into_iter()
        .map(|t| t.text)
        .collect()
}

const KINDS: [NameType; 4] = [
    NameType::Person,
    NameType::Organization,
    NameType::Vessel,
    NameType::Any,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_on_any_string(s in "\\PC{0,80}", k in 0usize..4) {
        let _ = Normalizer.name(&s, KINDS[k]);
    }

    #[test]
    fn idempotent_on_its_output(s in "[\\p{L}\\p{N} .,'&-]{0,60}", k in 0usize..4) {
        let once = texts(&s, KINDS[k]).join(" ");
        let twice = texts(&once, KINDS[k]).join(" ");
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn case_insensitive(s in "[a-zA-Z ]{0,40}", k in 0usize..4) {
        prop_assert_eq!(texts(&s.to_uppercase(), KINDS[k]), texts(&s.to_lowercase(), KINDS[k]));
    }

    #[test]
    fn diacritic_insensitive(s in "[aeiouncAEIOUNC ]{1,30}") {
        let accented: String = s.chars().map(|c| match c {
            'a' => 'á', 'e' => 'é', 'i' => 'í', 'o' => 'ö', 'u' => 'ü', 'n' => 'ñ', 'c' => 'ç',
            'A' => 'Á', 'E' => 'È', 'O' => 'Ô', other => other,
        }).collect();
        prop_assert_eq!(texts(&accented, NameType::Person), texts(&s, NameType::Person));
    }
}

#[test]
fn hostile_inputs_are_bounded() {
    let long = "Mohammed ".repeat(2000);
    let n = Normalizer.name(&long, NameType::Person);
    assert!(n.tokens.len() <= text::MAX_NAME_CHARS);
    assert!(Normalizer.name("", NameType::Any).is_empty());
    assert!(Normalizer.name("!!! ... ---", NameType::Any).is_empty());
    assert!(Normalizer
        .name("\u{0000}\u{0007}\u{200b}", NameType::Any)
        .is_empty());
}
