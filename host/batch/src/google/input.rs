//! Re-reading Google input lines for their prompt and labels.
//!
//! Invariant: text is returned exactly as submitted; a content's text parts
//! are joined with `\n` in order (thought parts, files and other parts are
//! skipped); roles are kept as Google spells them (`user`, `model`), a
//! content without a role is `user`, and `systemInstruction` comes first
//! as `system`.

use serde::Deserialize;

use crate::error::LineError;
use crate::json::parse_object;
use crate::str_pairs::StrPairs;

#[derive(Deserialize)]
struct Top {
    request: Option<Request>,
    metadata: Option<StrPairs>,
}

#[derive(Deserialize)]
struct Request {
    contents: Option<Vec<Content>>,
    #[serde(rename = "systemInstruction", alias = "system_instruction")]
    system_instruction: Option<Content>,
    labels: Option<StrPairs>,
}

#[derive(Deserialize)]
struct Content {
    role: Option<String>,
    parts: Option<Vec<Part>>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
    thought: Option<bool>,
}

impl Content {
    fn text(self) -> String {
        let texts: Vec<String> = self
            .parts
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.thought != Some(true))
            .filter_map(|p| p.text)
            .collect();
        texts.join("\n")
    }
}

/// `(role, text)` pairs of `request.systemInstruction` (as `system`) and
/// `request.contents`.
pub(crate) fn messages(line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
    let top: Top = parse_object(line)?;
    let req = top.request.ok_or(LineError::MissingField("request"))?;
    let contents = req.contents.ok_or(LineError::MissingField("request.contents"))?;
    let mut out = Vec::with_capacity(contents.len() + 1);
    if let Some(sys) = req.system_instruction {
        out.push(("system".to_string(), sys.text()));
    }
    for c in contents {
        let role = c.role.clone().unwrap_or_else(|| "user".to_string());
        out.push((role, c.text()));
    }
    Ok(out)
}

/// String pairs of the line's top-level `metadata` object, then of
/// `request.labels`, each in file order; empty when absent or the line does
/// not parse (a non-string value as its JSON text).
pub(crate) fn metadata(line: &[u8]) -> Vec<(String, String)> {
    let Ok(top) = parse_object::<Top>(line) else {
        return Vec::new();
    };
    let mut out = top.metadata.map(|m| m.0).unwrap_or_default();
    if let Some(labels) = top.request.and_then(|r| r.labels) {
        out.extend(labels.0);
    }
    out
}
