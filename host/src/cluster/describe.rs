//! A cluster's shape in words, from the features that dominate it.
//!
//! A categorical value is named when at least [`DOMINANT`] of the cluster has
//! it; prompt length when at least 90% of the cluster is over a round token
//! count that at most [`COMMON`] of all clustered rows are over; segments when
//! the cluster's middle 80% lies in a range that holds at most [`COMMON`] of all
//! clustered rows. A value that nearly every clustered row shares (more than
//! [`UNIVERSAL`]) says nothing about this cluster and is left out, unless
//! nothing else could be said.
//!
//! Invariant: the words depend only on the members and the clustered rows,
//! never on their order in memory; a share below 100% is printed beside its value.

use std::collections::BTreeMap;

use super::FailedFeatures;

pub const DOMINANT: f64 = 0.8;
pub const COMMON: f64 = 0.6;
pub const UNIVERSAL: f64 = 0.9;
const TOKEN_MARKS: [u64; 8] = [128_000, 64_000, 32_000, 16_000, 8_000, 4_000, 2_000, 1_000];

type Get = fn(&FailedFeatures) -> Option<&str>;

/// (how a value reads, the feature)
const NAMED: [(Get, &str); 5] = [
    (|f| Some(f.outcome.as_str()), "outcome"),
    (|f| f.error_code.as_deref(), "code"),
    (|f| f.keyword.as_deref(), "keyword"),
    (|f| f.language.as_deref(), "language"),
    (|f| f.snapshot.as_deref(), "snapshot"),
];

fn share(count: usize, of: usize) -> f64 {
    count as f64 / of.max(1) as f64
}

fn qualified(words: String, s: f64) -> String {
    match s < 1.0 {
        true => format!("{words} ({:.0}%)", (s * 100.0).floor()),
        false => words,
    }
}

/// The most common value of `get` among `members` (ties: the smaller text).
fn top<'a>(members: &[&'a FailedFeatures], get: Get) -> Option<(&'a str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in members {
        if let Some(v) = get(m) {
            *counts.entry(v).or_default() += 1;
        }
    }
    let mut best: Option<(&str, usize)> = None;
    for (v, c) in counts {
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((v, c));
        }
    }
    best
}

fn phrase(kind: &str, value: &str, every: bool) -> String {
    match kind {
        "code" => format!("error code {value}"),
        "keyword" => format!("schema keyword `{value}`"),
        "snapshot" => format!("snapshot {value}"),
        "language" if value.ends_with(" script") => format!("prompts in {value}"),
        "language" if every => format!("every {value}-text row"),
        "language" => format!("{value}-text prompts"),
        _ => value.to_owned(),
    }
}

fn tokens(members: &[&FailedFeatures], all: &[FailedFeatures]) -> Option<(String, bool)> {
    for mark in TOKEN_MARKS {
        let inside = share(members.iter().filter(|m| m.tokens > mark).count(), members.len());
        let overall = share(all.iter().filter(|m| m.tokens > mark).count(), all.len());
        if inside >= 0.9 {
            let words = qualified(format!("prompts over {}k tokens", mark / 1000), inside);
            return Some((words, overall <= COMMON));
        }
    }
    None
}

fn segments(members: &[&FailedFeatures], all: &[FailedFeatures], last: u32) -> Option<(String, bool)> {
    let mut seg: Vec<u32> = members.iter().map(|m| m.segment).collect();
    seg.sort_unstable();
    let (lo, hi) = (*seg.get(seg.len() / 10)?, *seg.get(seg.len() - 1 - seg.len() / 10)?);
    let within = |s: u32| (lo..=hi).contains(&s);
    let inside = share(seg.iter().filter(|&&s| within(s)).count(), seg.len());
    let overall = share(all.iter().filter(|m| within(m.segment)).count(), all.len());
    let words = if lo == hi {
        format!("segment {lo}")
    } else if hi == last {
        format!("segment {lo} onwards")
    } else if lo == 0 {
        format!("segments up to {hi}")
    } else {
        format!("segments {lo}–{hi}")
    };
    Some((qualified(words, inside), overall <= COMMON))
}

/// The shape of `members` among `all` clustered rows; `last`: the run's last segment.
pub fn describe(members: &[&FailedFeatures], all: &[FailedFeatures], last: u32) -> String {
    // (words, distinctive)
    let mut said: Vec<(String, bool)> = Vec::new();
    for (get, kind) in NAMED {
        let Some((value, count)) = top(members, get) else {
            continue;
        };
        let inside = share(count, members.len());
        if inside < DOMINANT {
            continue;
        }
        let total = all.iter().filter(|a| get(a) == Some(value)).count();
        let every = count == total && inside >= 1.0;
        said.push((
            qualified(phrase(kind, value, every), inside),
            share(total, all.len()) <= UNIVERSAL,
        ));
    }
    said.extend(tokens(members, all));
    said.extend(segments(members, all, last).filter(|(_, d)| *d));
    let distinctive: Vec<&str> = said.iter().filter(|(_, d)| *d).map(|(w, _)| w.as_str()).collect();
    match (distinctive.is_empty(), said.is_empty()) {
        (false, _) => distinctive.join(", "),
        (true, false) => said.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>().join(", "),
        (true, true) => match top(members, NAMED[0].0) {
            Some((v, c)) => format!(
                "mixed; most common: {}",
                qualified(v.to_owned(), share(c, members.len()))
            ),
            None => "mixed".to_owned(),
        },
    }
}
