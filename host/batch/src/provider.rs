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

pub type InputFn = for<'a> fn(RawLine<'a>, &ProviderOptions) -> Result<InputLine<'a>, LineError>;
pub type ResultFn = for<'a> fn(RawLine<'a>, &ProviderOptions) -> Result<ResultLine<'a>, LineError>;

/// One line as the parsers take it: its bytes and, when the reader checked
/// its whole block as UTF-8 ([`crate::Line::text`]), its text, so that a
/// parser does not check every byte a second time.
#[derive(Debug, Clone, Copy)]
pub struct RawLine<'a> {
    pub(crate) bytes: &'a [u8],
    /// The same bytes as text; set only from a `&str` or a checked block.
    pub(crate) text: Option<&'a str>,
    /// The reader vouched that `bytes` hold no byte below 0x20 ([`crate::Line::clean`]).
    pub(crate) clean: bool,
}

impl<'a> RawLine<'a> {
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The line as text, checked now unless the reader checked it.
    pub fn text(&self) -> Option<&'a str> {
        self.text.or_else(|| simdutf8::basic::from_utf8(self.bytes).ok())
    }

    /// The line as text for a [`crate::json::scan::Scan`], with what the
    /// reader vouched for it.
    pub(crate) fn scan_text(&self) -> Option<crate::json::scan::ScanText<'a>> {
        Some(crate::json::scan::ScanText {
            text: self.text()?,
            clean: self.clean,
        })
    }
}

/// Text, already UTF-8 by its type.
impl<'a> From<&'a str> for RawLine<'a> {
    fn from(text: &'a str) -> RawLine<'a> {
        RawLine {
            bytes: text.as_bytes(),
            text: Some(text),
            clean: false,
        }
    }
}

/// Bytes nobody has checked yet.
impl<'a> From<&'a [u8]> for RawLine<'a> {
    fn from(bytes: &'a [u8]) -> RawLine<'a> {
        RawLine {
            bytes,
            text: None,
            clean: false,
        }
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for RawLine<'a> {
    fn from(bytes: &'a [u8; N]) -> RawLine<'a> {
        RawLine::from(&bytes[..])
    }
}

impl<'a> From<&'a Vec<u8>> for RawLine<'a> {
    fn from(bytes: &'a Vec<u8>) -> RawLine<'a> {
        RawLine::from(&bytes[..])
    }
}
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

/// One provider's registry entry.
struct Entry {
    provider: Provider,
    name: &'static str,
    /// The provider whose line shapes it writes (Azure writes OpenAI's).
    family: Provider,
    format: &'static Format,
    /// `format`'s line parsers, refusing other providers' shapes ([`checked_input`]).
    input: InputFn,
    result: ResultFn,
}

/// `entry!(Provider, "name", Family, FORMAT)`: one registry line.
macro_rules! entry {
    ($p:ident, $name:literal, $family:ident, $format:expr) => {
        Entry {
            provider: Provider::$p,
            name: $name,
            family: Provider::$family,
            format: &$format,
            input: checked_input::<{ Provider::$p as usize }>,
            result: checked_result::<{ Provider::$p as usize }>,
        }
    };
}

/// The registry, one line per provider, in [`Provider`] order.
const REGISTRY: [Entry; 6] = [
    entry!(OpenAi, "openai", OpenAi, openai::FORMAT),
    entry!(Azure, "azure", OpenAi, openai::FORMAT),
    entry!(Anthropic, "anthropic", Anthropic, anthropic::FORMAT),
    entry!(Bedrock, "bedrock", Bedrock, bedrock::FORMAT),
    entry!(Vertex, "vertex", Vertex, google::vertex::FORMAT),
    entry!(Gemini, "gemini", Gemini, google::gemini::FORMAT),
];

const _: () = {
    let mut i = 0;
    while i < REGISTRY.len() {
        assert!(
            REGISTRY[i].provider as usize == i,
            "REGISTRY must list providers in enum order"
        );
        i += 1;
    }
};

/// Provider `P`'s input parser; a line it refuses that has another
/// provider's (or the results') shape is [`LineError::OtherShape`].
fn checked_input<'a, const P: usize>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    let e = &REGISTRY[P];
    (e.format.input)(line, opts).map_err(|err| e.provider.other_shape(line.bytes, FileRole::Input).unwrap_or(err))
}

/// Provider `P`'s result parser, as [`checked_input`].
fn checked_result<'a, const P: usize>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    let e = &REGISTRY[P];
    (e.format.result)(line, opts).map_err(|err| e.provider.other_shape(line.bytes, FileRole::Results).unwrap_or(err))
}

impl Provider {
    pub const ALL: [Provider; REGISTRY.len()] = {
        let mut all = [Provider::OpenAi; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            all[i] = REGISTRY[i].provider;
            i += 1;
        }
        all
    };

    fn entry(self) -> &'static Entry {
        &REGISTRY[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.entry().name
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The provider whose line shapes this one writes (Azure → OpenAI).
    pub fn family(self) -> Provider {
        self.entry().family
    }

    /// `other` when it is a narrower member of this provider's family
    /// (OpenAI narrowed by Azure's signs is Azure), else this provider.
    pub fn narrowed(self, other: Provider) -> Provider {
        if self == self.family() && other.family() == self {
            other
        } else {
            self
        }
    }

    /// The functions that read this provider's files.
    pub fn format(self) -> &'static Format {
        self.entry().format
    }

    /// The input line parser. A line that has another provider's shape, or
    /// a result line's, is refused as [`LineError::OtherShape`].
    pub fn input_parser(self) -> InputFn {
        self.entry().input
    }

    /// The result line parser, refusing other shapes as [`Self::input_parser`].
    pub fn result_parser(self) -> ResultFn {
        self.entry().result
    }

    /// For a line of a `role` file: the error naming the other shape it has
    /// when that is another provider family's or the other role's.
    pub fn other_shape(self, line: &[u8], role: FileRole) -> Option<LineError> {
        let (seen, seen_role) = sniff(line)?;
        (seen.family() != self.family() || seen_role != role).then_some(LineError::OtherShape {
            seen,
            seen_role,
            want: self,
            role,
        })
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
