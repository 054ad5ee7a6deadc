//! The compact label a pair verdict carries to the aggregator, which sees only
//! slim verdicts (score, label, passed).
//!
//! Grammar: `[<prefix>:]...<class>:g=X,s=X,t=X,r=X` — any number of `:`-separated
//! prefix segments (`llm` or `fallback:<error-kind>`, written by the LLM variant), then the
//! class (`worse`, `equivalent`, `better`, `mixed`, `divergent`), then one outcome
//! code per rubric (grounding, schema, tool-call, refusal): `B` both pass, `b` only
//! batch, `s` only sync, `n` neither, `.` not applicable. Unscored rows carry
//! `unpaired` or `sync-unavailable:<status>`.
//!
//! Invariants: [`parse`] accepts everything [`encode`] writes (round trip) and
//! never panics on other text; labels are at most [`MAX_LABEL`] bytes.

use crate::pair::Class;
use crate::rubric::{Outcome, RUBRICS};

/// Longest label the host accepts.
pub const MAX_LABEL: usize = 128;
/// Label of a row without a sync twin.
pub const UNPAIRED: &str = "unpaired";
/// Label prefix of a row whose sync twin produced no answer.
pub const SYNC_UNAVAILABLE: &str = "sync-unavailable";

/// `<class>:g=X,s=X,t=X,r=X`.
pub fn encode(class: &str, outcomes: &[Outcome]) -> String {
    let codes: Vec<String> = RUBRICS
        .iter()
        .zip(outcomes)
        .map(|(r, o)| format!("{}={}", r.key(), o.code()))
        .collect();
    format!("{class}:{}", codes.join(","))
}

/// A parsed pair label.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<'a> {
    /// Everything before the class, without the trailing `:` (`""` when none).
    pub prefix: &'a str,
    pub class: Class,
    /// One per rubric, in label order.
    pub outcomes: [Outcome; 4],
}

/// Reads a label written by [`encode`] (with any prefix); `None` for anything else.
pub fn parse(label: &str) -> Option<Parsed<'_>> {
    let (head, codes) = label.rsplit_once(':')?;
    let (prefix, class) = match head.rsplit_once(':') {
        Some((p, c)) => (p, c),
        None => ("", head),
    };
    let class = Class::parse(class)?;
    let mut outcomes = [Outcome::NotApplicable; 4];
    let mut parts = codes.split(',');
    for (slot, rubric) in outcomes.iter_mut().zip(RUBRICS) {
        let part = parts.next()?;
        let mut chars = part.chars();
        let (key, eq, code) = (chars.next()?, chars.next()?, chars.next()?);
        if key != rubric.key() || eq != '=' || chars.next().is_some() {
            return None;
        }
        *slot = Outcome::from_code(code)?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Parsed {
        prefix,
        class,
        outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_prefixes() {
        use Outcome::*;
        let o = [Both, NotApplicable, SyncOnly, BatchOnly];
        let l = encode("worse", &o);
        assert_eq!(l, "worse:g=B,s=.,t=s,r=b");
        let p = parse(&l);
        assert_eq!(
            p,
            Some(Parsed {
                prefix: "",
                class: Class::Worse,
                outcomes: o
            })
        );
        let l = format!("fallback:timeout:{}", encode("equivalent", &[Neither; 4]));
        let p = parse(&l).map(|p| (p.prefix, p.class));
        assert_eq!(p, Some(("fallback:timeout", Class::Equivalent)));
        for bad in [
            "",
            "unpaired",
            "sync-unavailable:timeout",
            "worse:g=B",
            "worse:g=B,s=B,t=B,r=Bx",
            "meh:g=B,s=B,t=B,r=B",
            "worse:g=B,s=B,t=B,r=B,x=1",
            "worse:s=B,g=B,t=B,r=B",
            "worse:g=é,s=B,t=B,r=B",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
