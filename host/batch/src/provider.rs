//! One entry per provider: which functions read which of its files.
//!
//! Each provider folder exports one [`Format`] (its input and result line
//! parsers, prompt and metadata readers and batch-object parser), and
//! [`REGISTRY`] lists one line per provider. Adding a provider is a folder,
//! an enum variant and one registry line; nothing dispatches by provider
//! elsewhere ([`detect`] tells their line shapes apart).
//!
//! Invariant: a file is read with exactly one provider's [`Format`]; the
//! registry is in [`Provider`] order (checked at compile time), so a
//! provider's entry is found by its discriminant.

use std::fmt;

use crate::batch_object::{BatchObject, BatchObjectError};
use crate::error::LineError;
use crate::row::{InputLine, ProviderOptions, ResultLine};
use crate::{anthropic, bedrock, google, openai};

mod detect;

pub use detect::{DetectError, SNIFF_LINES, detect_file, sniff};

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

pub type InputFn = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<InputLine<'a>, LineError>;
pub type ResultFn = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<ResultLine<'a>, LineError>;
/// String pairs: `(role, text)` of a prompt, `(key, value)` of metadata.
pub type Pairs = Vec<(String, String)>;

/// How one provider's files are read: the functions its folder exports.
pub struct Format {
    /// One input line (or Anthropic body element) → its id, model and endpoint.
    pub input: InputFn,
    /// One result line → its id and classified outcome.
    pub result: ResultFn,
    /// The `(role, text)` pairs of an input line's prompt.
    pub messages: fn(&[u8]) -> Result<Pairs, LineError>,
    /// The string pairs of an input line's metadata (empty when the format has none).
    pub metadata: fn(&[u8]) -> Pairs,
    /// The provider's own batch/job object.
    pub batch_object: fn(&[u8]) -> Result<BatchObject, BatchObjectError>,
}

/// The registry: per provider, its name, the provider whose line shapes it
/// writes (its family; Azure writes OpenAI's) and its [`Format`].
const REGISTRY: [(Provider, &str, Provider, &Format); 6] = [
    (Provider::OpenAi, "openai", Provider::OpenAi, &openai::FORMAT),
    (Provider::Azure, "azure", Provider::OpenAi, &openai::FORMAT),
    (
        Provider::Anthropic,
        "anthropic",
        Provider::Anthropic,
        &anthropic::FORMAT,
    ),
    (Provider::Bedrock, "bedrock", Provider::Bedrock, &bedrock::FORMAT),
    (Provider::Vertex, "vertex", Provider::Vertex, &google::vertex::FORMAT),
    (Provider::Gemini, "gemini", Provider::Gemini, &google::gemini::FORMAT),
];

const _: () = {
    let mut i = 0;
    while i < REGISTRY.len() {
        assert!(
            REGISTRY[i].0 as usize == i,
            "REGISTRY must list providers in enum order"
        );
        i += 1;
    }
};

impl Provider {
    pub const ALL: [Provider; REGISTRY.len()] = {
        let mut all = [Provider::OpenAi; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            all[i] = REGISTRY[i].0;
            i += 1;
        }
        all
    };

    fn entry(self) -> &'static (Provider, &'static str, Provider, &'static Format) {
        &REGISTRY[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.entry().1
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The provider whose line shapes this one writes (Azure → OpenAI).
    pub(crate) fn family(self) -> Provider {
        self.entry().2
    }

    /// The functions that read this provider's files.
    pub fn format(self) -> &'static Format {
        self.entry().3
    }

    pub fn input_parser(self) -> InputFn {
        self.format().input
    }

    pub fn result_parser(self) -> ResultFn {
        self.format().result
    }

    pub fn parse_input_messages(self, line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
        (self.format().messages)(line)
    }

    pub fn parse_input_metadata(self, line: &[u8]) -> Vec<(String, String)> {
        (self.format().metadata)(line)
    }

    pub fn parse_batch_object(self, bytes: &[u8]) -> Result<BatchObject, BatchObjectError> {
        (self.format().batch_object)(bytes)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
