//! Model-name normalization for price lookup: the served model name becomes the
//! list of table keys to try, most specific first.
//!
//! Order (the first key the table holds wins):
//! 1. the name as given;
//! 2. a trailing date (`-YYYY-MM-DD`, OpenAI; `-YYYYMMDD`, Anthropic) or `-latest`
//!    removed: `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`;
//! 3. then version suffixes removed: everything from `@` (Vertex:
//!    `gemini-2.0-flash-001@default`, `claude-3-5-haiku@20241022`), a Bedrock
//!    `-vN` / `-vN:M` suffix, a three-digit `-NNN` suffix (`gemini-2.0-flash-001`),
//!    and a date this uncovers;
//! 4. a provider prefix removed from the original name — everything through the
//!    last `/` (`publishers/google/models/`, `models/`, full Vertex resource
//!    names), then a Bedrock `anthropic.` with an optional region (`us.anthropic.`)
//!    — followed by steps 1–3 on what is left
//!    (`anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku`).
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
    let undated = strip_date_suffix(name).unwrap_or(name);
    push(out, undated);
    push(out, strip_version_suffix(undated));
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
    let mut s = match model.split_once('@') {
        Some((base, _)) if !base.is_empty() => base,
        _ => model,
    };
    if let Some((base, v)) = s.rsplit_once("-v")
        && !base.is_empty()
    {
        let digits = v.split(':').next().unwrap_or("");
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            s = base;
        }
    }
    if let Some((base, n)) = s.rsplit_once('-')
        && !base.is_empty()
        && n.len() == 3
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        s = base;
    }
    strip_date_suffix(s).unwrap_or(s)
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
    fn candidate_order() {
        assert_eq!(candidates("gpt-4o"), ["gpt-4o"]);
        assert_eq!(candidates("gpt-4o-2024-08-06"), ["gpt-4o-2024-08-06", "gpt-4o"]);
        assert_eq!(
            candidates("gemini-2.0-flash-001@default"),
            ["gemini-2.0-flash-001@default", "gemini-2.0-flash"]
        );
        assert_eq!(
            candidates("anthropic.claude-3-5-haiku-20241022-v1:0"),
            [
                "anthropic.claude-3-5-haiku-20241022-v1:0",
                "anthropic.claude-3-5-haiku",
                "claude-3-5-haiku-20241022-v1:0",
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
}
