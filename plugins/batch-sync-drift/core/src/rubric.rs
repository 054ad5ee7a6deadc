//! The four rubrics and their per-pair outcome codes.
//!
//! Invariants: rubrics are always listed in the order grounding, schema,
//! tool-call, refusal (`g`, `s`, `t`, `r`); an outcome's one-character code
//! round-trips through [`Outcome::code`] / [`Outcome::from_code`]; a rubric that has
//! nothing to check is [`Outcome::NotApplicable`], never a pass or a failure.

/// What is compared on both sides of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rubric {
    /// The response's content words are found in the row's retrieval context.
    Grounding,
    /// A content answer conforms to the configured JSON Schema.
    Schema,
    /// A tool call's arguments are a JSON object (valid against `tool-schema` when set).
    ToolCall,
    /// The side answers when an answer is expected (no refusal, not empty, not
    /// truncated, not filtered) and refuses when a refusal is expected.
    Refusal,
}

/// All rubrics, in label order.
pub const RUBRICS: [Rubric; 4] = [Rubric::Grounding, Rubric::Schema, Rubric::ToolCall, Rubric::Refusal];

impl Rubric {
    /// The key in the label code (`g`, `s`, `t`, `r`).
    pub fn key(self) -> char {
        match self {
            Rubric::Grounding => 'g',
            Rubric::Schema => 's',
            Rubric::ToolCall => 't',
            Rubric::Refusal => 'r',
        }
    }

    /// The name used in metric names (`grounding`, `schema`, `tool_call`, `refusal`).
    pub fn name(self) -> &'static str {
        match self {
            Rubric::Grounding => "grounding",
            Rubric::Schema => "schema",
            Rubric::ToolCall => "tool_call",
            Rubric::Refusal => "refusal",
        }
    }
}

/// How both sides fared on one rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `B`: both sides pass.
    Both,
    /// `b`: only the batch side passes.
    BatchOnly,
    /// `s`: only the sync side passes.
    SyncOnly,
    /// `n`: neither side passes.
    Neither,
    /// `.`: nothing to check.
    NotApplicable,
}

impl Outcome {
    /// The outcome of two pass/fail results.
    pub fn of(batch: bool, sync: bool) -> Self {
        match (batch, sync) {
            (true, true) => Outcome::Both,
            (true, false) => Outcome::BatchOnly,
            (false, true) => Outcome::SyncOnly,
            (false, false) => Outcome::Neither,
        }
    }

    /// One character: `B`, `b`, `s`, `n` or `.`.
    pub fn code(self) -> char {
        match self {
            Outcome::Both => 'B',
            Outcome::BatchOnly => 'b',
            Outcome::SyncOnly => 's',
            Outcome::Neither => 'n',
            Outcome::NotApplicable => '.',
        }
    }

    /// The outcome written as `c`, if it is one.
    pub fn from_code(c: char) -> Option<Self> {
        Some(match c {
            'B' => Outcome::Both,
            'b' => Outcome::BatchOnly,
            's' => Outcome::SyncOnly,
            'n' => Outcome::Neither,
            '.' => Outcome::NotApplicable,
            _ => return None,
        })
    }

    /// Whether the batch and the sync side passed; `None` when not applicable.
    pub fn sides(self) -> Option<(bool, bool)> {
        match self {
            Outcome::Both => Some((true, true)),
            Outcome::BatchOnly => Some((true, false)),
            Outcome::SyncOnly => Some((false, true)),
            Outcome::Neither => Some((false, false)),
            Outcome::NotApplicable => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for o in [
            Outcome::Both,
            Outcome::BatchOnly,
            Outcome::SyncOnly,
            Outcome::Neither,
            Outcome::NotApplicable,
        ] {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        assert_eq!(Outcome::from_code('x'), None);
        assert_eq!(Outcome::of(false, true), Outcome::SyncOnly);
        assert_eq!(Outcome::NotApplicable.sides(), None);
        let keys: String = RUBRICS.iter().map(|r| r.key()).collect();
        assert_eq!(keys, "gstr");
    }
}
