//! One entry point per provider: which parser reads which file, and telling
//! providers apart by the shape of their lines (`--provider auto`).
//!
//! Invariant: a file is read with exactly one provider's parser; a file
//! whose first lines disagree with each other, or with the provider the
//! user named, is refused with what was seen, never half-parsed.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::batch_object::BatchObject;
use crate::error::{LineError, ReadError};
use crate::lines::{BlockReader, FileId};
use crate::row::{InputLine, ProviderOptions, ResultLine};
use crate::{anthropic, bedrock, google, openai};

/// Providers whose batch files assay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    OpenAi,
    Azure,
    Anthropic,
    Bedrock,
    Vertex,
    Gemini,
}

/// Which side of a job a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Input,
    Results,
}

impl fmt::Display for FileRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileRole::Input => "input",
            FileRole::Results => "result",
        })
    }
}

type InputFn = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<InputLine<'a>, LineError>;
type ResultFn = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<ResultLine<'a>, LineError>;

impl Provider {
    pub const ALL: [Provider; 6] = [
        Provider::OpenAi,
        Provider::Azure,
        Provider::Anthropic,
        Provider::Bedrock,
        Provider::Vertex,
        Provider::Gemini,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Azure => "azure",
            Provider::Anthropic => "anthropic",
            Provider::Bedrock => "bedrock",
            Provider::Vertex => "vertex",
            Provider::Gemini => "gemini",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Azure writes the OpenAI shapes: the two read the same files.
    fn family(self) -> Provider {
        match self {
            Provider::Azure => Provider::OpenAi,
            p => p,
        }
    }

    pub fn input_parser(self) -> InputFn {
        match self.family() {
            Provider::Anthropic => anthropic::parse_input_line,
            Provider::Bedrock => bedrock::parse_input_line,
            Provider::Vertex => google::vertex::parse_input_line,
            Provider::Gemini => google::gemini::parse_input_line,
            _ => openai::parse_input_line_with,
        }
    }

    pub fn result_parser(self) -> ResultFn {
        match self.family() {
            Provider::Anthropic => anthropic::parse_result_line,
            Provider::Bedrock => bedrock::parse_result_line,
            Provider::Vertex => google::vertex::parse_result_line,
            Provider::Gemini => google::gemini::parse_result_line,
            _ => openai::parse_result_line_with,
        }
    }

    pub fn parse_input_messages(self, line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
        match self.family() {
            Provider::Anthropic => anthropic::parse_input_messages(line),
            Provider::Bedrock => bedrock::parse_input_messages(line),
            Provider::Vertex => google::vertex::parse_input_messages(line),
            Provider::Gemini => google::gemini::parse_input_messages(line),
            _ => openai::parse_input_messages(line),
        }
    }

    pub fn parse_input_metadata(self, line: &[u8]) -> Vec<(String, String)> {
        match self.family() {
            Provider::Anthropic => anthropic::parse_input_metadata(line),
            Provider::Bedrock => bedrock::parse_input_metadata(line),
            Provider::Vertex => google::vertex::parse_input_metadata(line),
            Provider::Gemini => google::gemini::parse_input_metadata(line),
            _ => openai::parse_input_metadata(line),
        }
    }

    pub fn parse_batch_object(self, bytes: &[u8]) -> Result<BatchObject, String> {
        match self.family() {
            Provider::Anthropic => anthropic::parse_batch_object(bytes),
            Provider::Bedrock => bedrock::parse_batch_object(bytes),
            Provider::Vertex => google::vertex::parse_batch_object(bytes),
            Provider::Gemini => google::gemini::parse_batch_object(bytes),
            _ => openai::parse_batch_object(bytes),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Top-level keys that tell the providers' line shapes apart.
#[derive(Deserialize)]
struct Keys {
    custom_id: Option<IgnoredAny>,
    method: Option<IgnoredAny>,
    url: Option<IgnoredAny>,
    body: Option<IgnoredAny>,
    response: Option<IgnoredAny>,
    error: Option<IgnoredAny>,
    params: Option<IgnoredAny>,
    result: Option<IgnoredAny>,
    #[serde(rename = "recordId")]
    record_id: Option<IgnoredAny>,
    #[serde(rename = "modelInput")]
    model_input: Option<IgnoredAny>,
    #[serde(rename = "modelOutput")]
    model_output: Option<IgnoredAny>,
    key: Option<IgnoredAny>,
    request: Option<IgnoredAny>,
    status: Option<IgnoredAny>,
    processed_time: Option<IgnoredAny>,
}

/// The provider and role one line's shape says it has, if it says.
pub fn sniff(line: &[u8]) -> Option<(Provider, FileRole)> {
    let k: Keys = serde_json::from_slice(line).ok()?;
    use FileRole::{Input, Results};
    let some = |x: &Option<IgnoredAny>| x.is_some();
    if some(&k.custom_id) {
        if some(&k.params) {
            return Some((Provider::Anthropic, Input));
        }
        if some(&k.result) {
            return Some((Provider::Anthropic, Results));
        }
        if some(&k.response) || some(&k.error) {
            return Some((Provider::OpenAi, Results));
        }
        if some(&k.body) || some(&k.url) || some(&k.method) {
            return Some((Provider::OpenAi, Input));
        }
        return None;
    }
    if some(&k.record_id) || some(&k.model_input) || some(&k.model_output) {
        let role = if some(&k.model_output) || some(&k.error) {
            Results
        } else {
            Input
        };
        return Some((Provider::Bedrock, role));
    }
    if some(&k.key) {
        if some(&k.response) || some(&k.error) {
            return Some((Provider::Gemini, Results));
        }
        if some(&k.request) {
            return Some((Provider::Gemini, Input));
        }
        return None;
    }
    if some(&k.request) {
        if some(&k.status) || some(&k.processed_time) || some(&k.response) {
            return Some((Provider::Vertex, Results));
        }
        return Some((Provider::Vertex, Input));
    }
    None
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: cannot tell the provider: line {line} has none of the known batch line shapes")]
    Unknown { path: String, line: u64 },
    #[error(
        "{path}: mixes shapes: line {first_line} has the {first} {role} shape, line {line} the {other} {role} shape"
    )]
    Mixed {
        path: String,
        role: FileRole,
        first: Provider,
        first_line: u64,
        other: Provider,
        line: u64,
    },
    #[error("{path}: line {line} has the {seen} {seen_role} shape, not the {want} {role} shape")]
    Mismatch {
        path: String,
        role: FileRole,
        want: Provider,
        seen: Provider,
        seen_role: FileRole,
        line: u64,
    },
}

/// Lines looked at to tell a file's provider.
pub const SNIFF_LINES: usize = 32;

/// Reads the first rows of `path` and checks that they share one shape of
/// the given role; returns the provider (`want`, or the one detected when
/// `want` is `None`). Files with no rows return `Ok(None)`: their emptiness
/// is reported by the reader.
pub fn detect_file(path: &Path, role: FileRole, want: Option<Provider>) -> Result<Option<Provider>, DetectError> {
    let mut reader = BlockReader::open(path, FileId(0), 64 << 20)?.with_block_bytes(256 * 1024);
    let shown = path.display().to_string();
    let mut first: Option<(Provider, u64)> = None;
    let mut seen = 0usize;
    while seen < SNIFF_LINES {
        let block = match reader.next_block() {
            Ok(Some(b)) => b,
            Ok(None) | Err(ReadError::Empty { .. }) => break,
            Err(e) => return Err(e.into()),
        };
        for line in block.lines() {
            if seen >= SNIFF_LINES {
                break;
            }
            // Unparseable lines are the reader's to report, with their reason.
            if serde_json::from_slice::<IgnoredAny>(line.bytes).is_err() {
                continue;
            }
            seen += 1;
            let Some((p, r)) = sniff(line.bytes) else {
                return Err(DetectError::Unknown {
                    path: shown,
                    line: line.number,
                });
            };
            if let Some(w) = want
                && (w.family() != p.family() || r != role)
            {
                return Err(DetectError::Mismatch {
                    path: shown,
                    role,
                    want: w,
                    seen: p,
                    seen_role: r,
                    line: line.number,
                });
            }
            if r != role {
                return Err(DetectError::Mismatch {
                    path: shown,
                    role,
                    want: p,
                    seen: p,
                    seen_role: r,
                    line: line.number,
                });
            }
            match first {
                None => first = Some((p, line.number)),
                Some((f, fl)) if f != p => {
                    return Err(DetectError::Mixed {
                        path: shown,
                        role,
                        first: f,
                        first_line: fl,
                        other: p,
                        line: line.number,
                    });
                }
                Some(_) => {}
            }
        }
    }
    Ok(want.or(first.map(|(p, _)| p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_documented_shape_is_recognized() {
        let cases: [(&str, Provider, FileRole); 10] = [
            (
                r#"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}"#,
                Provider::OpenAi,
                FileRole::Input,
            ),
            (
                r#"{"id":"x","custom_id":"a","response":{"status_code":200},"error":null}"#,
                Provider::OpenAi,
                FileRole::Results,
            ),
            (
                r#"{"custom_id":"a","params":{"model":"m"}}"#,
                Provider::Anthropic,
                FileRole::Input,
            ),
            (
                r#"{"custom_id":"a","result":{"type":"canceled"}}"#,
                Provider::Anthropic,
                FileRole::Results,
            ),
            (
                r#"{"recordId":"R1","modelInput":{}}"#,
                Provider::Bedrock,
                FileRole::Input,
            ),
            (
                r#"{"recordId":"R1","modelInput":{},"modelOutput":{}}"#,
                Provider::Bedrock,
                FileRole::Results,
            ),
            (r#"{"request":{"contents":[]}}"#, Provider::Vertex, FileRole::Input),
            (
                r#"{"status":"","processed_time":"t","request":{},"response":{}}"#,
                Provider::Vertex,
                FileRole::Results,
            ),
            (r#"{"key":"k","request":{}}"#, Provider::Gemini, FileRole::Input),
            (r#"{"response":{},"key":"k"}"#, Provider::Gemini, FileRole::Results),
        ];
        for (line, p, r) in cases {
            assert_eq!(sniff(line.as_bytes()), Some((p, r)), "{line}");
        }
        assert_eq!(sniff(br#"{"hello":1}"#), None);
    }

    fn file(text: &str) -> tempfile_path::TempPath {
        tempfile_path::write(text)
    }

    mod tempfile_path {
        use std::path::PathBuf;
        pub struct TempPath(pub PathBuf);
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
        pub fn write(text: &str) -> TempPath {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "assay-detect-{}-{}.jsonl",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&p, text).expect("write temp file");
            TempPath(p)
        }
    }

    #[test]
    fn mixed_and_mismatched_files_are_refused_with_what_was_seen() {
        let mixed = file("{\"custom_id\":\"a\",\"params\":{}}\n{\"custom_id\":\"b\",\"body\":{}}\n");
        let err = detect_file(&mixed.0, FileRole::Input, None).expect_err("mixed");
        assert!(
            err.to_string()
                .contains("line 1 has the anthropic input shape, line 2 the openai input shape"),
            "{err}"
        );
        let openai = file("{\"custom_id\":\"a\",\"body\":{}}\n");
        let err = detect_file(&openai.0, FileRole::Input, Some(Provider::Anthropic)).expect_err("mismatch");
        assert!(
            err.to_string()
                .contains("has the openai input shape, not the anthropic input shape"),
            "{err}"
        );
        assert_eq!(
            detect_file(&openai.0, FileRole::Input, None).expect("detects"),
            Some(Provider::OpenAi)
        );
        assert_eq!(
            detect_file(&openai.0, FileRole::Input, Some(Provider::Azure)).expect("azure reads openai"),
            Some(Provider::Azure)
        );
        let swapped = detect_file(&openai.0, FileRole::Results, None).expect_err("input given as results");
        assert!(
            swapped
                .to_string()
                .contains("openai input shape, not the openai result shape"),
            "{swapped}"
        );
    }
}
