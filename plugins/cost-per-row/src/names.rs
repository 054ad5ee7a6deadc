//! Model-name normalization for price lookup: the served model name becomes the
//! list of table keys to try, most specific first, and the snapshot a name pins.
//!
//! Order (the first key the table holds wins):
//! 1. the name as given;
//! 2. version decorations removed one at a time, keeping any date: everything from
//!    `@` (Vertex: `gemini-2.0-flash-001@default`), a Bedrock `-vN` / `-vN:M` suffix
//!    (`claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku-20241022`), a
//!    three-digit `-NNN` suffix (`gemini-2.0-flash-001` → `gemini-2.0-flash`);
//! 3. then a trailing date (`-YYYY-MM-DD`, OpenAI; `-YYYYMMDD`, Anthropic) or
//!    `-latest` removed, and any version suffix this uncovers:
//!    `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`;
//! 4. a provider prefix removed from the original name — everything through the
//!    last `/` (`publishers/google/models/`, `models/`, full Vertex resource
//!    names), then a Bedrock `anthropic.` with an optional region (`us.anthropic.`)
//!    — followed by steps 1–3 on what is left
//!    (`anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku`).
//!
//! A key that drops the snapshot the name pins (its date or `-NNN` version) prices
//! another model, the alias: [`snapshot`] tells the two apart, so that fallback
//! can be reported.
//!
//! Invariants: pure string slicing on byte boundaries that are ASCII, so no input
//! panics; every candidate is a non-empty sub-slice of the input; no duplicates.

/// The keys to try for `model`, in lookup order.
pub fn candidates(model: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(6);
    push_stages(model, &mut out);
    if let Some(bare) = strip_provider_prefix(model) {
        push_stages(bare, &mut out);
    }
    out
}

fn push_stages<'a>(name: &'a str, out: &mut Vec<&'a str>) {
    push(out, name);
    let mut s = name;
    for step in [strip_at, strip_bedrock_version, strip_three_digits] {
        s = step(s);
        push(out, s);
    }
    if let Some(undated) = strip_date_suffix(s) {
        push(out, undated);
        push(out, strip_version_suffix(undated));
    }
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    if !s.is_empty() && !out.contains(&s) {
        out.push(s);
    }
}

/// `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-3-5-haiku-20241022` →
/// `claude-3-5-haiku`, `claude-3-7-sonnet-latest` → `claude-3-7-sonnet`; `None`
/// without such a suffix (or when nothing would be left).
pub fn strip_date_suffix(model: &str) -> Option<&str> {
    if let Some(base) = model.strip_suffix("-latest") {
        return (!base.is_empty()).then_some(base);
    }
    let (base, suffix) = model.rsplit_once('-').filter(|(base, _)| !base.is_empty())?;
    if suffix.len() == 8 && suffix.bytes().all(|b| b.is_ascii_digit()) {
        return Some(base); // -YYYYMMDD
    }
    // -YYYY-MM-DD: the last three dash-separated parts.
    let split = model.len().checked_sub(11)?;
    let (base, suffix) = (model.get(..split)?, model.get(split..)?.as_bytes());
    let shape_ok = suffix.iter().enumerate().all(|(i, &b)| match i {
        0 | 5 | 8 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    (shape_ok && !base.is_empty()).then_some(base)
}

/// Removes `@…`, then a Bedrock `-vN[:…]`, then a `-NNN` suffix, then a date; the
/// input itself when none applies.
pub fn strip_version_suffix(model: &str) -> &str {
    let s = strip_three_digits(strip_bedrock_version(strip_at(model)));
    strip_date_suffix(s).unwrap_or(s)
}

/// `gemini-2.0-flash-001@default` → `gemini-2.0-flash-001`.
fn strip_at(s: &str) -> &str {
    match s.split_once('@') {
        Some((base, _)) if !base.is_empty() => base,
        _ => s,
    }
}

/// `claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku-20241022`.
pub fn strip_bedrock_version(s: &str) -> &str {
    match s.rsplit_once("-v") {
        Some((base, v)) if !base.is_empty() => {
            let digits = v.split(':').next().unwrap_or("");
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                base
            } else {
                s
            }
        }
        _ => s,
    }
}

/// `gemini-2.0-flash-001` → `gemini-2.0-flash`.
fn strip_three_digits(s: &str) -> &str {
    match s.rsplit_once('-') {
        Some((base, n)) if !base.is_empty() && n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => s,
    }
}

/// The snapshot `name` pins, as digits: a `@YYYYMMDD` (Vertex), a trailing date
/// (`-2024-05-13` → `20240513`, `-20241022`) or a three-digit version (`-001`),
/// looked for after the provider prefix and a Bedrock `-vN:M`; `None` for an alias
/// (`gpt-4o`, `claude-3-7-sonnet-latest`, `…@default`).
pub fn snapshot(name: &str) -> Option<String> {
    let s = strip_provider_prefix(name).unwrap_or(name);
    let s = match s.split_once('@') {
        Some((base, tag)) if !base.is_empty() => {
            if tag.len() == 8 && tag.bytes().all(|b| b.is_ascii_digit()) {
                return Some(tag.to_string());
            }
            base
        }
        _ => s,
    };
    let s = strip_bedrock_version(s);
    if !s.ends_with("-latest")
        && let Some(base) = strip_date_suffix(s)
    {
        return s.get(base.len() + 1..).map(|d| d.replace('-', ""));
    }
    let stripped = strip_three_digits(s);
    s.get(stripped.len() + 1..)
        .filter(|_| stripped.len() < s.len())
        .map(str::to_string)
}

/// `publishers/google/models/gemini-2.0-flash` → `gemini-2.0-flash`;
/// `us.anthropic.claude-…` → `claude-…`; `None` without a known prefix.
pub fn strip_provider_prefix(model: &str) -> Option<&str> {
    let after_slash = model.rsplit_once('/').map_or(model, |(_, rest)| rest);
    let bare = match after_slash.split_once("anthropic.") {
        Some((region, rest)) if is_region_prefix(region) => rest,
        _ => after_slash,
    };
    (bare.len() < model.len() && !bare.is_empty()).then_some(bare)
}

/// Empty, or a short lowercase region code and a dot (`us.`, `eu.`, `apac.`).
fn is_region_prefix(s: &str) -> bool {
    s.is_empty()
        || s.strip_suffix('.')
            .is_some_and(|r| (2..=8).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(strip_date_suffix("gpt-4o-mini-2024-07-18"), Some("gpt-4o-mini"));
        assert_eq!(strip_date_suffix("claude-3-5-haiku-20241022"), Some("claude-3-5-haiku"));
        assert_eq!(strip_date_suffix("claude-3-7-sonnet-latest"), Some("claude-3-7-sonnet"));
        assert_eq!(strip_date_suffix("m-2024-07-18"), Some("m"));
        assert_eq!(strip_date_suffix("-2024-07-18"), None);
        assert_eq!(strip_date_suffix("-20241022"), None);
        assert_eq!(strip_date_suffix("-latest"), None);
        assert_eq!(strip_date_suffix("m-2024-7-180"), None);
        assert_eq!(strip_date_suffix("m-2024102"), None);
        assert_eq!(strip_date_suffix("gpt-4.1"), None);
        assert_eq!(strip_date_suffix("é"), None);
        assert_eq!(strip_date_suffix("éééééé-é"), None);
    }

    #[test]
    fn versions() {
        assert_eq!(strip_version_suffix("gemini-2.0-flash-001@default"), "gemini-2.0-flash");
        assert_eq!(strip_version_suffix("gemini-2.0-flash-001"), "gemini-2.0-flash");
        assert_eq!(strip_version_suffix("claude-3-5-haiku@20241022"), "claude-3-5-haiku");
        assert_eq!(
            strip_version_suffix("claude-3-5-haiku-20241022-v1:0"),
            "claude-3-5-haiku"
        );
        assert_eq!(strip_version_suffix("claude-sonnet-4-20250514-v2"), "claude-sonnet-4");
        assert_eq!(strip_version_suffix("gpt-4.1-mini"), "gpt-4.1-mini");
        assert_eq!(strip_version_suffix("model-v"), "model-v");
        assert_eq!(strip_version_suffix("model-12"), "model-12");
        assert_eq!(strip_version_suffix("@x"), "@x");
        assert_eq!(strip_version_suffix("-001"), "-001");
    }

    #[test]
    fn prefixes() {
        let p = strip_provider_prefix;
        assert_eq!(p("publishers/google/models/gemini-2.5-pro"), Some("gemini-2.5-pro"));
        assert_eq!(p("models/gemini-2.5-flash"), Some("gemini-2.5-flash"));
        assert_eq!(
            p("projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash-001"),
            Some("gemini-2.0-flash-001")
        );
        assert_eq!(
            p("anthropic.claude-3-5-haiku-20241022-v1:0"),
            Some("claude-3-5-haiku-20241022-v1:0")
        );
        assert_eq!(
            p("us.anthropic.claude-sonnet-4-20250514-v1:0"),
            Some("claude-sonnet-4-20250514-v1:0")
        );
        assert_eq!(p("Weird.anthropic.x"), None);
        assert_eq!(p("gpt-4o"), None);
        assert_eq!(p("models/"), None);
    }

    #[test]
    fn candidates_keep_the_date_before_dropping_it() {
        assert_eq!(candidates("gpt-4o"), ["gpt-4o"]);
        assert_eq!(candidates("gpt-4o-2024-08-06"), ["gpt-4o-2024-08-06", "gpt-4o"]);
        assert_eq!(
            candidates("gemini-2.0-flash-001@default"),
            [
                "gemini-2.0-flash-001@default",
                "gemini-2.0-flash-001",
                "gemini-2.0-flash"
            ]
        );
        assert_eq!(
            candidates("anthropic.claude-3-5-haiku-20241022-v1:0"),
            [
                "anthropic.claude-3-5-haiku-20241022-v1:0",
                "anthropic.claude-3-5-haiku-20241022",
                "anthropic.claude-3-5-haiku",
                "claude-3-5-haiku-20241022-v1:0",
                "claude-3-5-haiku-20241022",
                "claude-3-5-haiku",
            ]
        );
        assert_eq!(
            candidates("publishers/google/models/gemini-2.0-flash-001"),
            [
                "publishers/google/models/gemini-2.0-flash-001",
                "publishers/google/models/gemini-2.0-flash",
                "gemini-2.0-flash-001",
                "gemini-2.0-flash",
            ]
        );
        assert!(candidates("").is_empty());
    }

    #[test]
    fn snapshot_is_the_pinned_date_or_version() {
        let s = |m: &str| snapshot(m);
        let d = |x: &str| Some(x.to_string());
        assert_eq!(s("gpt-4o-2024-05-13"), d("20240513"));
        assert_eq!(s("claude-3-5-haiku-20241022"), d("20241022"));
        assert_eq!(s("us.anthropic.claude-3-5-haiku-20241022-v1:0"), d("20241022"));
        assert_eq!(s("claude-3-5-haiku@20241022"), d("20241022"));
        assert_eq!(s("publishers/google/models/gemini-2.0-flash-001"), d("001"));
        assert_eq!(s("gemini-2.0-flash-001@default"), d("001"));
        for alias in [
            "gpt-4o",
            "claude-3-7-sonnet-latest",
            "gemini-2.5-flash@default",
            "o3",
            "",
            "-001",
        ] {
            assert_eq!(s(alias), None, "{alias}");
        }
    }
}
