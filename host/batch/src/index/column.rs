//! Per-row positions of the input index, stored in about 4 bytes a row
//! instead of 16: both grow with the row index, so most of their bits are
//! implied by their neighbours.
//!
//! Invariant: `get(i)` returns exactly the value pushed `i`-th, whatever the
//! sequence; the compact form is only a matter of size. Byte offsets keep
//! their low 32 bits per row and their high bits as runs (one run per 4 GiB
//! of input when offsets grow, as they do in file order); line numbers keep
//! only runs of `line - row` (one run per blank, bad or duplicate line
//! before a row).

/// Runs of `(first row, value)`, sorted by first row: a row's value is that
/// of the last run starting at or before it.
#[derive(Debug, Default)]
struct Runs<T>(Vec<(u32, T)>);

impl<T: Copy + PartialEq> Runs<T> {
    fn push(&mut self, row: u32, value: T) {
        if self.0.last().is_none_or(|&(_, v)| v != value) {
            self.0.push((row, value));
        }
    }

    fn get(&self, row: u32) -> Option<T> {
        let after = self.0.partition_point(|&(first, _)| first <= row);
        after.checked_sub(1).map(|i| self.0[i].1)
    }

    fn bytes(&self) -> usize {
        self.0.capacity() * std::mem::size_of::<(u32, T)>()
    }
}

/// Byte offsets of the rows' lines.
#[derive(Debug, Default)]
pub(super) struct Offsets {
    low: Vec<u32>,
    high: Runs<u32>,
}

impl Offsets {
    pub fn push(&mut self, offset: u64) {
        let row = self.low.len() as u32;
        self.high.push(row, (offset >> 32) as u32);
        self.low.push(offset as u32);
    }

    pub fn get(&self, row: u32) -> Option<u64> {
        let low = *self.low.get(row as usize)?;
        Some((u64::from(self.high.get(row)?) << 32) | u64::from(low))
    }

    pub fn reserve(&mut self, rows: usize) {
        self.low.reserve(rows);
    }

    pub fn shrink_to_fit(&mut self) {
        self.low.shrink_to_fit();
        self.high.0.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.low.capacity() * 4 + self.high.bytes()
    }
}

/// 1-based line numbers of the rows, as runs of `line - row`.
#[derive(Debug, Default)]
pub(super) struct LineNumbers {
    rows: u32,
    gaps: Runs<u64>,
}

impl LineNumbers {
    pub fn push(&mut self, line: u64) {
        self.gaps.push(self.rows, line.wrapping_sub(u64::from(self.rows)));
        self.rows += 1;
    }

    pub fn get(&self, row: u32) -> Option<u64> {
        if row >= self.rows {
            return None;
        }
        Some(self.gaps.get(row)?.wrapping_add(u64::from(row)))
    }

    pub fn shrink_to_fit(&mut self) {
        self.gaps.0.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.gaps.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_across_4_gib_and_out_of_order() {
        let values = [0, 10, u64::from(u32::MAX), 1 << 32, (1 << 32) + 5, 7 << 33, 3, u64::MAX];
        let mut o = Offsets::default();
        values.iter().for_each(|&v| o.push(v));
        for (i, &v) in values.iter().enumerate() {
            assert_eq!(o.get(i as u32), Some(v), "row {i}");
        }
        assert_eq!(o.get(values.len() as u32), None);
    }

    #[test]
    fn line_numbers_round_trip_with_gaps_and_cost_nothing_per_row_without() {
        let mut l = LineNumbers::default();
        let lines = [1, 2, 3, 7, 8, 20, 21, 22, 2, u64::MAX];
        lines.iter().for_each(|&v| l.push(v));
        for (i, &v) in lines.iter().enumerate() {
            assert_eq!(l.get(i as u32), Some(v), "row {i}");
        }
        assert_eq!(l.get(lines.len() as u32), None);
        let mut dense = LineNumbers::default();
        (1..=100_000).for_each(|v| dense.push(v));
        assert_eq!(dense.get(99_999), Some(100_000));
        assert!(dense.heap_bytes() <= 64, "{}", dense.heap_bytes());
    }
}
