//! The snapshot block of the summary: which model and serving snapshot
//! answered each segment, and where the mix rotated.
//!
//! Invariant: shares are fractions of completed rows; `snapshots_compared`
//! says whether snapshot values were informative or only models were compared.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Majority {
    /// `None` when the result lines name no model (Bedrock's Titan, Llama and
    /// Mistral outputs, Vertex: the job sets it).
    pub model: Option<String>,
    pub snapshot: Option<String>,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentMix {
    pub segment: u32,
    pub completed: u64,
    pub models: Vec<(String, u64)>,
    pub snapshots: Vec<(String, u64)>,
    /// Share of the segment's completed rows served by the job's majority.
    pub majority_share: f64,
    pub rotated: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshots {
    pub majority: Option<Majority>,
    /// Models the result lines name (rows that name none are not a model).
    pub distinct_models: usize,
    pub distinct_snapshots: usize,
    /// False when snapshot values were too scattered and only models were compared.
    pub snapshots_compared: bool,
    pub rotated_segments: Vec<u32>,
    pub segments: Vec<SegmentMix>,
}
