//! Explanations for people: which words of a name matched (for highlighting), and the
//! explanation as plain sentences.
//!
//! Highlighting cuts a name as written into runs and marks the runs whose words the explanation
//! aligned. Words are compared in normalised form through the one normaliser (`text`), so
//! "KIM Jong-un" highlights "KIM" and "Jong-un" for the aligned tokens `kim`, `jong`, `un`.

use matcher::{Explanation, Match};
use serde::Serialize;
use std::collections::HashSet;
use text::{NameType, Normalizer};
use utoipa::ToSchema;

/// A run of a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Segment {
    /// The run as written in the name, separators included.
    pub text: String,
    /// True when the run holds a word the explanation aligned.
    pub matched: bool,
}

/// Cuts `name` into runs of words and separators, marking aligned words. `query_side` picks
/// which side of the token pairs to look at.
pub fn highlight(name: &str, e: &Explanation, query_side: bool) -> Vec<Segment> {
    let joined = e.joined;
    let aligned: HashSet<&str> = e
        .tokens
        .iter()
        .map(|t| {
            if query_side {
                t.query.as_str()
            } else {
                t.candidate.as_str()
            }
        })
        .collect();
    let norm = Normalizer::new();
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |text: &str, matched: bool| match out.last_mut() {
        Some(last) if last.matched == matched => last.text.push_str(text),
        _ => out.push(Segment {
            text: text.to_string(),
            matched,
        }),
    };
    let mut rest = name;
    // whitespace waits for the next word: it joins a run only between two matched words
    let mut pending = String::new();
    let mut prev_matched = false;
    while !rest.is_empty() {
        let ws = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        if ws > 0 {
            pending.push_str(&rest[..ws]);
            rest = &rest[ws..];
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        let matched = joined || {
            let n = norm.name(word, NameType::Any);
            let latin = n.tokens.iter().map(|t| t.text.as_str());
            let native = n.native.iter().flatten().map(|t| t.text.as_str());
            latin.chain(native).any(|t| aligned.contains(t))
        };
        if !pending.is_empty() {
            push(&pending, prev_matched && matched);
            pending.clear();
        }
        push(word, matched);
        prev_matched = matched;
        rest = &rest[end..];
    }
    if !pending.is_empty() {
        push(&pending, false);
    }
    out
}

/// The explanation of one result as sentences ([`Explanation::sentences`]) and what the
/// score means against the threshold.
pub fn summary(m: &Match, threshold: f32) -> Vec<String> {
    let mut out = m.explanation.sentences();
    if m.score >= threshold {
        out.push(format!(
            "Score {:.2} is at or above the threshold {threshold:.2}: a possible match to review.",
            m.score
        ));
    } else {
        out.push(format!("Score {:.2} is below the threshold {threshold:.2}: shown for context, not reported as a match.", m.score));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use matcher::{Reason, TokenMatch};
    use model::NameKind;

    fn explanation() -> Explanation {
        let tm = |q: &str, c: &str, reason: Reason| TokenMatch {
            query: q.into(),
            candidate: c.into(),
            similarity: 1.0,
            reason,
            why: reason.describe().into(),
            weight: 1.0,
        };
        Explanation {
            query_name: "Kim Jong Un".into(),
            matched_name: "KIM Jong-un (Pyongyang)".into(),
            matched_name_kind: NameKind::Alias,
            native_script: false,
            name_source: None,
            name_score: 0.97,
            query_coverage: 1.0,
            candidate_coverage: 0.9,
            tokens: vec![
                tm("kim", "kim", Reason::Exact),
                tm("jong", "jong", Reason::Exact),
                tm("un", "un", Reason::Exact),
            ],
            unmatched_query: vec![],
            unmatched_candidate: vec!["pyongyang".into()],
            identifier: None,
            identifier_only: false,
            joined: false,
            fuzzy_penalty: None,
            adjustments: vec![],
        }
    }

    #[test]
    fn highlights_aligned_words_and_keeps_the_text() {
        let e = explanation();
        let segs = highlight(&e.matched_name, &e, false);
        let text: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, e.matched_name);
        assert_eq!(
            segs[0],
            Segment {
                text: "KIM Jong-un".into(),
                matched: true
            }
        );
        assert_eq!(
            segs[1],
            Segment {
                text: " (Pyongyang)".into(),
                matched: false
            }
        );
    }

    #[test]
    fn summary_reads_as_sentences() {
        let e = explanation();
        let m = Match {
            entity_id: "un_sc:KPi.1".into(),
            list: "un_sc".into(),
            list_id: "KPi.1".into(),
            caption: "KIM JONG UN".into(),
            schema: model::Schema::Person,
            score: 0.97,
            is_match: true,
            name: e.matched_name.clone(),
            explanation: e,
        };
        let s = summary(&m, 0.8);
        assert!(s[0].contains("listed alias (a.k.a.) “KIM Jong-un (Pyongyang)”"));
        assert!(s.iter().any(|l| l.starts_with("“kim” is “kim”: identical")));
        assert!(s
            .iter()
            .any(|l| l.contains("In the listed name but not in the query: “pyongyang”")));
        assert!(s.last().unwrap().contains("at or above the threshold 0.80"));
    }
}
