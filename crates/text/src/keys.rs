//! Per-token keys that make variant spellings of one name collide.
//!
//! - [`canon`]: romanisation canonical key (rules in `data/romanization.tsv`): Yekaterina and
//!   Ekaterina, Aleksandr and Alexander, Mueller and Müller, -ovich and -ovitch agree.
//! - [`skeleton`]: consonant skeleton with sound classes (b/p, d/t, g/k, f/v, s/z, j/ch/zh):
//!   catches dropped vowels (Mhmmd), phonetic respellings (Zfezta / Zvezda), Arabic vowel
//!   variation (Mohammed / Muhammad).
//! - [`korean_key`]: a one- or two-syllable romanised Korean word parsed into syllables and
//!   keyed by sound class, so McCune–Reischauer and Revised Romanization agree (Kim / Gim,
//!   Jong / Chong / Jeong, Ri / Lee / Yi / Rhee, Pak / Bak / Park, Choe / Choi).
//! - [`ocr_fold`]: digits read as the letters they resemble in a word that mixes both
//!   (Hi1da → hilda, PR3CISION → precision).
//! - [`given_name_class`]: cross-language given-name equivalents (`data/given_names.tsv`).

use std::collections::HashMap;
use std::sync::OnceLock;

const RULES: &str = include_str!("../data/romanization.tsv");
const GIVEN_NAMES: &str = include_str!("../data/given_names.tsv");
const NICKNAMES: &str = include_str!("../data/nicknames.tsv");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    Any,
    Start,
    End,
}

fn rules() -> &'static [(String, String, Where)] {
    static R: OnceLock<Vec<(String, String, Where)>> = OnceLock::new();
    R.get_or_init(|| {
        RULES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut c = l.split('\t');
                let (from, to, w) = (c.next()?, c.next()?, c.next()?);
                let w = match w.trim() {
                    "start" => Where::Start,
                    "end" => Where::End,
                    _ => Where::Any,
                };
                Some((from.to_string(), to.to_string(), w))
            })
            .collect()
    })
}

/// Collapses runs of the same character ("mohammed" → "mohamed").
pub fn collapse_doubles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// The romanisation canonical key of a lower-case ASCII token. Non-ASCII tokens (native
/// script) are returned unchanged.
pub fn canon(token: &str) -> String {
    if !token.is_ascii() {
        return token.to_string();
    }
    let mut s = collapse_doubles(token);
    for (from, to, w) in rules() {
        match w {
            Where::Any => {
                if s.contains(from.as_str()) {
                    s = s.replace(from.as_str(), to);
                }
            }
            Where::Start => {
                if let Some(rest) = s.strip_prefix(from.as_str()) {
                    s = format!("{to}{rest}");
                }
            }
            Where::End => {
                if let Some(rest) = s.strip_suffix(from.as_str()) {
                    s = format!("{rest}{to}");
                }
            }
        }
    }
    collapse_doubles(&s)
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// The consonant skeleton of a token (computed from its canonical key): vowels dropped except
/// that a leading vowel is kept as `A`, consonants mapped to sound classes, repeats collapsed.
/// Digits are kept. Native-script tokens are returned unchanged.
pub fn skeleton(token: &str) -> String {
    if !token.is_ascii() {
        return token.to_string();
    }
    skeleton_of_canon(&canon(token))
}

/// [`skeleton`] from a canonical key already computed with [`canon`].
pub fn skeleton_of_canon(c: &str) -> String {
    if !c.is_ascii() {
        return c.to_string();
    }
    let mut out = String::with_capacity(c.len());
    for (i, ch) in c.chars().enumerate() {
        let class: &str = match ch {
            v if is_vowel(v) && i == 0 => "A",
            v if is_vowel(v) => "",
            'b' | 'p' => "P",
            'd' | 't' | 'T' | 'D' => "T",
            'g' | 'k' | 'G' | 'K' => "K",
            'X' => "KS",
            'f' | 'v' | 'F' => "F",
            's' | 'z' | 'S' | 'Z' => "S",
            'C' | 'J' | 'j' => "J",
            'h' | 'H' => "H",
            'l' => "L",
            'r' => "R",
            'm' => "M",
            'n' => "N",
            d if d.is_ascii_digit() => {
                out.push(d);
                continue;
            }
            _ => "",
        };
        out.push_str(class);
    }
    collapse_doubles(&out)
}

/// Whether a token is written without interior vowels: "mhmd", "krsnv", "imd", "bhta" (the
/// first and last letters may be vowels).
pub fn is_vowelless(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 2
        && token.is_ascii()
        && b[1..b.len() - 1].iter().all(|&c| !is_vowel(c as char))
        && b.iter().any(|&c| !is_vowel(c as char))
}

/// The token with its interior vowels removed (first and last letters kept, doubled letters
/// collapsed): "mohammad" → "mhmd", "behta" → "bhta", "inversiones" → "invrsns". A query
/// written without vowels equals the listed word's form.
pub fn devowel(token: &str) -> String {
    let b = token.as_bytes();
    if !token.is_ascii() || b.len() < 3 {
        return collapse_doubles(token);
    }
    let mut out = String::with_capacity(b.len());
    out.push(b[0] as char);
    out.extend(
        b[1..b.len() - 1]
            .iter()
            .map(|&c| c as char)
            .filter(|c| !is_vowel(*c)),
    );
    out.push(b[b.len() - 1] as char);
    collapse_doubles(&out)
}

/// The token's letters in sorted order: words made of the same letters in another order
/// ("sahan" / "hasan", "baocn" / "banco") share it.
pub fn sorted_letters(token: &str) -> String {
    let mut c: Vec<char> = token.chars().collect();
    c.sort_unstable();
    c.into_iter().collect()
}

/// Reads digits as the letters they resemble in a token that mixes letters and digits and has
/// at least as many letters as digits. `None` when the token is not such a mix.
pub fn ocr_fold(token: &str) -> Option<String> {
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    let digits = token.chars().filter(|c| c.is_ascii_digit()).count();
    if digits == 0 || letters == 0 || letters < digits {
        return None;
    }
    Some(
        token
            .chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'l',
                '2' => 'z',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '6' => 'g',
                '7' => 't',
                '8' => 'b',
                '9' => 'g',
                other => other,
            })
            .collect(),
    )
}

fn given_names() -> &'static HashMap<String, u32> {
    static G: OnceLock<HashMap<String, u32>> = OnceLock::new();
    G.get_or_init(|| {
        let mut m = HashMap::new();
        for (i, line) in GIVEN_NAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .enumerate()
        {
            for w in line.split_whitespace() {
                m.entry(canon(w)).or_insert(i as u32);
            }
        }
        m
    })
}

fn nicknames() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static N: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    N.get_or_init(|| {
        let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
        for line in NICKNAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            if let Some((nick, full)) = line.split_once('\t') {
                m.entry(nick).or_default().extend(full.split_whitespace());
            }
        }
        m
    })
}

/// Whether one token is a nickname or short form of the other ("bill" / "william",
/// "pepe" / "jose"), in either direction.
pub fn is_nickname_of(a: &str, b: &str) -> bool {
    let n = nicknames();
    n.get(a).is_some_and(|f| f.contains(&b)) || n.get(b).is_some_and(|f| f.contains(&a))
}

/// Whether a token takes part in the nickname table, as a nickname or as a full name.
pub fn in_nickname_table(a: &str) -> bool {
    static ALL: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    ALL.get_or_init(|| {
        nicknames()
            .iter()
            .flat_map(|(k, v)| std::iter::once(*k).chain(v.iter().copied()))
            .collect()
    })
    .contains(a)
}

/// The full names a nickname may stand for (empty when the token is not a known nickname).
pub fn nickname_expansions(a: &str) -> &'static [&'static str] {
    nicknames().get(a).map(Vec::as_slice).unwrap_or(&[])
}

/// The equivalence class of a given name, if the table knows it.
pub fn given_name_class(token: &str) -> Option<u32> {
    given_name_class_of_canon(&canon(token))
}

/// [`given_name_class`] for a token whose canonical key is already computed.
pub fn given_name_class_of_canon(canon_key: &str) -> Option<u32> {
    given_names().get(canon_key).copied()
}

// ---- Korean ----------------------------------------------------------------------------

/// Romanised Korean initials (longest first) and their sound class.
const K_INITIALS: &[(&str, char)] = &[
    ("tch", 'J'),
    ("kk", 'K'),
    ("gg", 'K'),
    ("tt", 'T'),
    ("dd", 'T'),
    ("pp", 'P'),
    ("bb", 'P'),
    ("ss", 'S'),
    ("jj", 'J'),
    ("ch", 'J'),
    ("sh", 'S'),
    ("rh", 'R'),
    ("k", 'K'),
    ("g", 'K'),
    ("n", 'N'),
    ("t", 'T'),
    ("d", 'T'),
    ("r", 'R'),
    ("l", 'R'),
    ("m", 'M'),
    ("p", 'P'),
    ("b", 'P'),
    ("s", 'S'),
    ("j", 'J'),
    ("h", 'H'),
    ("", '-'),
];
/// Vowels (longest first) and class. McCune–Reischauer ŏ/ŭ lose their breve in ASCII and
/// Western spellings write 정 as Jong, Jung or Chung, so eo/o/u/eu share a class.
const K_VOWELS: &[(&str, &str)] = &[
    ("yeo", "YO"),
    ("yae", "YE"),
    ("wae", "WE"),
    ("weo", "WO"),
    ("yoo", "YO"),
    ("ya", "YA"),
    ("ye", "YE"),
    ("yo", "YO"),
    ("yu", "YO"),
    ("yi", "I"),
    ("ae", "E"),
    ("eo", "O"),
    ("eu", "O"),
    ("oe", "WE"),
    ("oi", "WE"),
    ("wa", "WA"),
    ("we", "WE"),
    ("wi", "WI"),
    ("wo", "WO"),
    ("ui", "UI"),
    ("ee", "I"),
    ("oo", "O"),
    ("ou", "O"),
    ("a", "A"),
    ("e", "E"),
    ("i", "I"),
    ("o", "O"),
    ("u", "O"),
];
/// Finals (longest first) and class; "rk" is the Western "Park" for 박.
const K_FINALS: &[(&str, char)] = &[
    ("ng", 'G'),
    ("rk", 'K'),
    ("k", 'K'),
    ("g", 'K'),
    ("n", 'N'),
    ("t", 'T'),
    ("d", 'T'),
    ("l", 'L'),
    ("r", 'L'),
    ("m", 'M'),
    ("p", 'P'),
    ("b", 'P'),
    ("", '-'),
];

fn parse_syllables(s: &str, left: usize, out: &mut Vec<String>) -> bool {
    if s.is_empty() {
        return !out.is_empty();
    }
    if left == 0 {
        return false;
    }
    for (ini, ic) in K_INITIALS {
        let Some(r1) = s.strip_prefix(ini) else {
            continue;
        };
        for (vow, vc) in K_VOWELS {
            let Some(r2) = r1.strip_prefix(vow) else {
                continue;
            };
            for (fin, fc) in K_FINALS {
                let Some(r3) = r2.strip_prefix(fin) else {
                    continue;
                };
                // a final must not steal the only initial a following vowel needs
                out.push(format!("{ic}{vc}{fc}"));
                if parse_syllables(r3, left - 1, out) {
                    return true;
                }
                out.pop();
            }
        }
    }
    false
}

/// The Korean syllable key of a token that reads as one or two romanised Korean syllables,
/// else `None`. At the start of a word an initial r/l becomes n, and n drops before i/y
/// (the initial-sound rule: Ri / Li / Lee / Yi / I, Ryu / Yu, Rim / Lim / Im).
pub fn korean_key(token: &str) -> Option<String> {
    if token.len() > 8 || token.is_empty() || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut syl = Vec::new();
    if !parse_syllables(token, 2, &mut syl) {
        return None;
    }
    let first = &mut syl[0];
    if first.starts_with('R') {
        first.replace_range(0..1, "N");
    }
    if first.starts_with('N') && (first[1..].starts_with('I') || first[1..].starts_with('Y')) {
        first.replace_range(0..1, "-");
    }
    Some(syl.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_keys_agree_on_romanisations() {
        assert_eq!(canon("yekaterina"), canon("ekaterina"));
        assert_eq!(canon("aleksandr"), canon("alexandr"));
        assert_eq!(canon("mueller"), canon("muller"));
        assert_eq!(canon("ivanovich"), canon("ivanovitch"));
        assert_eq!(canon("shcherbakov"), canon("schtscherbakow"));
        assert_eq!(canon("gennadyevich"), canon("gennadievich"));
        assert_eq!(canon("abdallah"), canon("abdalla"));
        assert_ne!(canon("ivan"), canon("ivana"));
    }

    #[test]
    fn skeletons_catch_vowel_drops_and_sounds() {
        assert_eq!(skeleton("mhmmd"), skeleton("mohammad"));
        assert_eq!(skeleton("muhammad"), skeleton("mohammed"));
        assert_eq!(skeleton("krsnv"), skeleton("krasnov"));
        assert_eq!(skeleton("zfezta"), skeleton("zvezda"));
        assert_eq!(skeleton("imd"), skeleton("imad"));
        assert!(
            is_vowelless("mhmmd")
                && is_vowelless("imd")
                && !is_vowelless("imad")
                && is_vowelless("bhta")
        );
        assert_eq!(devowel("mohammad"), "mhmd");
        assert_eq!(devowel("sazeh"), "szh");
        assert_eq!(devowel("proyectos"), "prycts");
        assert_eq!(sorted_letters("sahan"), sorted_letters("hasan"));
    }

    #[test]
    fn korean_romanisations_agree() {
        let k = |s: &str| korean_key(s).unwrap_or_else(|| panic!("{s} should parse"));
        assert_eq!(k("kim"), k("gim"));
        assert_eq!(k("jong"), k("chong"));
        assert_eq!(k("jong"), k("jeong"));
        assert_eq!(k("un"), k("eun"));
        for s in ["ri", "lee", "yi", "rhee", "i"] {
            assert_eq!(k(s), k("ri"), "{s}");
        }
        assert_eq!(k("pak"), k("park"));
        assert_eq!(k("pak"), k("bak"));
        assert_eq!(k("choe"), k("choi"));
        assert_eq!(k("taebong"), k("daebong"));
        assert_eq!(k("goryo"), k("koryo"));
        assert_eq!(k("chae"), k("jae"));
        assert_ne!(k("kim"), k("pak"));
        assert_eq!(korean_key("mohammed"), None);
        assert_eq!(korean_key("korea"), None);
    }

    #[test]
    fn ocr_and_given_names() {
        assert_eq!(ocr_fold("hi1da").as_deref(), Some("hilda"));
        assert_eq!(ocr_fold("pr3cision").as_deref(), Some("precision"));
        assert_eq!(ocr_fold("672"), None);
        assert_eq!(ocr_fold("b52"), None);
        assert_eq!(given_name_class("yusif"), given_name_class("joseph"));
        assert_eq!(given_name_class("oleksandr"), given_name_class("alexander"));
        assert!(given_name_class("zzyzx").is_none());
        assert!(is_nickname_of("bill", "william") && is_nickname_of("william", "bill"));
        assert!(!is_nickname_of("bill", "robert"));
    }
}
