//! Packing a batch of observations into `assay:judge@0.2.0`'s
//! `packed-observations` (layout in `wit/v0.2/judge.wit`).
//!
//! Invariant: the batch carries exactly the observations `observe` would get,
//! field for field; labels are whole `&str`s in `text`, and a batch whose text
//! would not fit u32 offsets is refused rather than wrapped.

use super::super::bindings::types::Observation;
use super::super::bindings::v0_2::PackedObservations;
use super::{NONE, TooLarge, flag_bits, hi, lo, push_text, push_usage, status_code};

/// Words per observation (`observation-words` in the WIT).
pub const OBSERVATION_WORDS: usize = 38;

/// Reusable buffers for packing observations, one per instance.
#[derive(Default)]
pub struct ObservationPacker {
    words: Vec<u32>,
    text: Vec<u8>,
}

impl ObservationPacker {
    pub fn pack(&mut self, batch: &[Observation<'_>]) -> Result<PackedObservations<'_>, TooLarge> {
        self.words.clear();
        self.text.clear();
        for o in batch {
            self.observation(o)?;
        }
        let count = u32::try_from(batch.len()).map_err(|_| TooLarge(self.text.len()))?;
        Ok(PackedObservations {
            count,
            words: &self.words,
            text: &self.text,
        })
    }

    fn observation(&mut self, o: &Observation<'_>) -> Result<(), TooLarge> {
        let (has_snapshot, snapshot) = o.snapshot.map_or((0, 0), |s| (1, s));
        self.words.extend_from_slice(&[
            lo(o.index),
            hi(o.index),
            o.segment,
            status_code(o.status),
            flag_bits(o.flags),
            o.model,
            has_snapshot,
            snapshot,
            o.attempt,
        ]);
        push_usage(&mut self.words, &o.usage);
        push_usage(&mut self.words, &o.retry_usage);
        let verdict = match &o.verdict {
            None => [0; 7],
            Some(v) => {
                let (has_score, bits) = v.score.map_or((0, 0), |s| (1, s.to_bits()));
                let (start, len) = match v.label {
                    None => (NONE, 0),
                    Some(label) => push_text(&mut self.text, label)?,
                };
                [1, has_score, lo(bits), hi(bits), start, len, u32::from(v.passed)]
            }
        };
        self.words.extend_from_slice(&verdict);
        let validated = match o.validated {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        };
        self.words.extend_from_slice(&[validated, 0]);
        Ok(())
    }
}
