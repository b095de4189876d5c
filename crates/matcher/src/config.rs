//! Every weight and threshold of the matcher, in one place.
//!
//! Each field says what it does and why its default is what it is. Explanations name the
//! field that produced each part of a score, so an analyst can trace a number to this file.
//! Defaults were set on the development query set (`watchlist eval`, see the README) and
//! must stay there: no weight is read from the environment or set elsewhere.

use serde::{Deserialize, Serialize};

/// Similarity given to a pair of tokens for each reason they may be the same word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenWeights {
    /// Identical normalised tokens. 1.0 by definition: an exact name scores 1.0.
    pub exact: f32,
    /// Same romanisation key (Yekaterina / Ekaterina, Aleksandr / Alexander, -ovich /
    /// -ovitch). Near-exact: these are the same letters in another convention.
    pub transliteration: f32,
    /// Same Korean syllable key (Kim / Gim, Jong / Chong / Jeong, Ri / Lee / Yi).
    pub korean: f32,
    /// Digits read as letters give the same word (Hi1da / Hilda), or homoglyph folding did.
    pub ocr: f32,
    /// Cross-language given-name equivalents (Joseph / Yusuf, Oleksandr / Aleksandr). Lower
    /// than transliteration: these are different names that denote the same person.
    pub given_name: f32,
    /// The query token is written without vowels and its consonant skeleton equals the
    /// candidate's (Mhmmd / Mohammed).
    pub vowel_drop: f32,
    /// Same consonant skeleton with sound classes (Zfezta / Zvezda, Muhammad / Mohammed).
    pub phonetic: f32,
    /// The same letters in another order (Sahan / Hasan), words of four letters or more.
    pub anagram: f32,
    /// Two or more adjacent tokens on one side equal one token on the other
    /// (Abdul Rahman / Abdulrahman; "MOHAMMADGHOLAMI").
    pub joined: f32,
    /// A query initial against a candidate word starting with that letter (or the reverse).
    pub initial: f32,
    /// A truncated query token that is a prefix of the candidate token: `prefix_base`
    /// plus `prefix_gain` × (query length / candidate length).
    pub prefix_base: f32,
    /// What a prefix gains per share of the candidate token it covers (see `prefix_base`):
    /// with the defaults a prefix scores above 0.6 and below 0.9, more the less of the word
    /// is cut off.
    pub prefix_gain: f32,
    /// Minimum length of a token for prefix matching.
    pub prefix_min_len: usize,
    /// Edit distance: similarity is 1 − edits / length (of the longer token), capped at
    /// `typo_cap`, and only within `max_edits` for the shorter token's length. ASCII tokens
    /// use the sound-aware distance (a similar-sounding letter or another vowel costs less
    /// than an edit, a transposition `transposition_cost`); others plain Damerau–Levenshtein
    /// (transposition = 1 edit).
    pub typo_cap: f32,
    /// Extra edit budget for words of four letters or more, spent only by cheap edits (similar
    /// sounds, vowels, transpositions): "Kyomc" / "Kyong" is two sound-alike letters away.
    pub typo_slack: f32,
    /// Cost of swapping two adjacent letters, in edits (a common slip of the keyboard).
    pub transposition_cost: f32,
    /// A misspelt legal form (Limuted / Limited, LTT / LTDA) against the listed legal form.
    pub legal_form_typo: f32,
    /// Below this similarity a token pair counts as unmatched.
    pub min_token_sim: f32,
}

impl Default for TokenWeights {
    fn default() -> Self {
        TokenWeights {
            exact: 1.0,
            transliteration: 0.95,
            korean: 0.93,
            ocr: 0.94,
            given_name: 0.88,
            vowel_drop: 0.9,
            phonetic: 0.68,
            anagram: 0.82,
            joined: 0.96,
            initial: 0.8,
            prefix_base: 0.6,
            prefix_gain: 0.3,
            prefix_min_len: 3,
            typo_cap: 0.93,
            transposition_cost: 0.6,
            typo_slack: 0.3,
            legal_form_typo: 0.85,
            min_token_sim: 0.6,
        }
    }
}

impl TokenWeights {
    /// Edits allowed for a token of `len` characters (the shorter of the two).
    pub fn max_edits(&self, len: usize) -> usize {
        match len {
            0..=3 => 0,
            4..=5 => 1,
            6..=9 => 2,
            _ => 3,
        }
    }
}

/// How much each kind of token counts in a name (multiplied with its rarity weight).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KindWeights {
    /// An ordinary name word (surname, given name, an organisation's distinctive word): the
    /// full weight, the unit the other kinds are measured in.
    pub word: f32,
    /// A single letter standing for a word (persons: "H. Castellanos"): low, because one
    /// letter agrees with a great many names and proves little.
    pub initial: f32,
    /// An all-digit token ("5" in "YU PHYONG 5"): nearly a word, since a number often tells
    /// apart vessels or companies whose names are otherwise equal.
    pub number: f32,
    /// al, bin, van, de…: often dropped or glued to the next word.
    pub particle: f32,
    /// dr, sheikh, general…: not part of the identity.
    pub title: f32,
    /// jr, iii: rarely given.
    pub generational: f32,
    /// mv, mt before a vessel name.
    pub vessel_prefix: f32,
    /// and, of, the in organisation names.
    pub stopword: f32,
    /// LLC, JSC, Ltd…: must neither create nor break a match.
    pub legal_form: f32,
}

impl Default for KindWeights {
    fn default() -> Self {
        KindWeights {
            word: 1.0,
            initial: 0.35,
            number: 0.9,
            particle: 0.15,
            title: 0.08,
            generational: 0.08,
            vessel_prefix: 0.08,
            stopword: 0.12,
            legal_form: 0.15,
        }
    }
}

/// How a name's score is made from its aligned tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NameWeights {
    /// Exponent of the share of the query explained by the candidate. Higher punishes extra
    /// query words more.
    pub query_coverage_exponent: f32,
    /// Exponent of the share of the candidate explained by the query. Lower than the query's:
    /// screening inputs often omit middle names, lists rarely lack the surname given.
    pub candidate_coverage_exponent: f32,
    /// Rarity weight floor: a token in every name still counts this much (0..1).
    pub rarity_floor: f32,
    /// Rarity of a query word no listed name contains (0..1). Below 1 because such a word is
    /// as often a stray word (a trading style, a typo) as a different surname.
    pub unknown_token_rarity: f32,
    /// Compare whole names with their spaces removed, as one string (catches words joined,
    /// split or cut at other places: "OFFSHOREA ND" / "OFFSHORE AND", "E-PCFK" / "EP-CFK").
    /// Edits allowed: one per this many characters (at least 1, at most 4), plus
    /// `tokens.typo_slack`.
    pub joined_name_chars_per_edit: usize,
    /// A query that is the start of a listed name cut in the middle of a word (payment fields
    /// truncate names at 35 or 70 characters) scores `truncated_base` + `truncated_gain` × the
    /// share of the listed name it keeps, when at least `truncated_min_chars` long.
    pub truncated_base: f32,
    /// What a truncated name gains per share of the listed name (run together, in
    /// characters) that the query keeps; see `truncated_base`.
    pub truncated_gain: f32,
    /// Shortest query, in characters of its words run together, read as a truncated name:
    /// shorter starts of names are too common to say which name was cut.
    pub truncated_min_chars: usize,
    /// A fuzzy (non-exact) token pair loses this much similarity in proportion to how common
    /// the listed token is: common names agreeing only approximately ("Omer" / "Umar") are
    /// weak evidence, rare ones strong.
    pub fuzzy_common_penalty: f32,
    /// Penalty multiplier when every matched token matched only weakly (no token agrees
    /// exactly or by a transliteration rule): guards against names made of near misses.
    pub all_fuzzy_factor: f32,
    /// Multiplier of a name the publisher marks as weak or low quality (OFAC "weak a.k.a.",
    /// UN "Low" quality alias): short or generic names ("BANCORP", "Al-Grein") that OFAC says
    /// are not to be relied on alone. An exact weak alias still alerts, below a strong name.
    pub weak_alias_factor: f32,
}

impl NameWeights {
    /// The factor applied to a name of this kind: [`NameWeights::weak_alias_factor`] for weak
    /// aliases, 1 otherwise.
    pub fn kind_factor(&self, kind: model::NameKind) -> f32 {
        match kind {
            model::NameKind::WeakAlias => self.weak_alias_factor,
            _ => 1.0,
        }
    }
}

impl Default for NameWeights {
    fn default() -> Self {
        NameWeights {
            query_coverage_exponent: 0.6,
            candidate_coverage_exponent: 0.45,
            rarity_floor: 0.25,
            fuzzy_common_penalty: 0.1,
            unknown_token_rarity: 0.5,
            joined_name_chars_per_edit: 6,
            truncated_base: 0.8,
            truncated_gain: 0.15,
            truncated_min_chars: 10,
            all_fuzzy_factor: 0.93,
            weak_alias_factor: 0.9,
        }
    }
}

/// Secondary evidence: birth date, country, identifiers, schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceWeights {
    /// Birth dates agree to the day: the score moves this share of the way to 1.0.
    pub dob_exact_boost: f32,
    /// Birth dates agree at the (coarser) precision given: share of the way to 1.0.
    pub dob_partial_boost: f32,
    /// Birth years one apart, or day and month swapped: multiplier.
    pub dob_near_factor: f32,
    /// Birth dates contradict: multiplier. Strong enough to keep an exact name with a wrong
    /// birth date below the usual threshold.
    pub dob_mismatch_factor: f32,
    /// Query and entity share a country: share of the way to 1.0.
    pub country_boost: f32,
    /// Both give countries and none agree: multiplier. Mild: addresses and nationalities
    /// change and lists are incomplete.
    pub country_mismatch_factor: f32,
    /// An identifier (passport, IMO, BIC, registration…) equal on both sides: the score is
    /// at least this.
    pub identifier_floor: f32,
    /// Organisation query against a vessel or aircraft (or the reverse), or a vessel against
    /// an aircraft: multiplier. Person against a non-person is never a match.
    pub schema_near_factor: f32,
}

impl Default for EvidenceWeights {
    fn default() -> Self {
        EvidenceWeights {
            dob_exact_boost: 0.3,
            dob_partial_boost: 0.15,
            dob_near_factor: 0.9,
            dob_mismatch_factor: 0.72,
            country_boost: 0.1,
            country_mismatch_factor: 0.93,
            identifier_floor: 0.97,
            schema_near_factor: 0.8,
        }
    }
}

/// Candidate retrieval limits: bounded work per query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetrievalLimits {
    /// Names scored in full per query (the rest are dropped by the cheap retrieval score).
    pub candidates: usize,
    /// Similar vocabulary tokens considered per query token.
    pub expansions_per_token: usize,
    /// A token in more than this many names is "common": it is not used to find candidates
    /// when rarer tokens are present, only to score them.
    pub common_postings: usize,
    /// Query tokens used for retrieval (the rarest first).
    pub max_query_tokens: usize,
    /// Names whose cheap retrieval score is below this share of the best one are not scored
    /// in full (beyond the first `min_candidates`).
    pub relative_floor: f32,
    /// Names with the best cheap scores that are scored in full however far below
    /// `relative_floor` they fall (up to `candidates`): the cheap score is only an estimate,
    /// so one name far ahead of the rest does not leave the query with a single comparison.
    pub min_candidates: usize,
}

impl Default for RetrievalLimits {
    fn default() -> Self {
        RetrievalLimits {
            candidates: 32,
            expansions_per_token: 48,
            common_postings: 3000,
            max_query_tokens: 12,
            relative_floor: 0.5,
            min_candidates: 8,
        }
    }
}

/// The matcher's whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Similarity for each reason two tokens may be the same word (`tokens.*`); the reason is
    /// shown beside each token pair in explanations.
    pub tokens: TokenWeights,
    /// Weight of each kind of token within a name (`kinds.*`).
    pub kinds: KindWeights,
    /// How aligned tokens become a name score (`names.*`).
    pub names: NameWeights,
    /// Secondary evidence applied to the name score (`evidence.*`, named in explanations'
    /// adjustments).
    pub evidence: EvidenceWeights,
    /// Bounds on the work per query (`retrieval.*`): they decide which names are scored in
    /// full, and `expansions_per_token` which token pairs the first alignment pass sees
    /// (words left over are then compared in full).
    pub retrieval: RetrievalLimits,
    /// Default alert threshold: results at or above it are matches.
    pub threshold: f32,
    /// Results below this score are not returned at all.
    pub min_score: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tokens: TokenWeights::default(),
            kinds: KindWeights::default(),
            names: NameWeights::default(),
            evidence: EvidenceWeights::default(),
            retrieval: RetrievalLimits::default(),
            threshold: DEFAULT_THRESHOLD,
            min_score: 0.5,
        }
    }
}

impl KindWeights {
    /// The weight of a token kind.
    pub fn of(&self, kind: text::TokenKind) -> f32 {
        use text::TokenKind as K;
        match kind {
            K::Word => self.word,
            K::Initial => self.initial,
            K::Number => self.number,
            K::Particle => self.particle,
            K::Title => self.title,
            K::Generational => self.generational,
            K::VesselPrefix => self.vessel_prefix,
            K::Stopword => self.stopword,
            K::LegalForm => self.legal_form,
        }
    }
}

/// The calibrated alert threshold (see README, Quality): on the development set it keeps the
/// false-positive rate on ordinary names near 1%.
pub const DEFAULT_THRESHOLD: f32 = 0.8;
