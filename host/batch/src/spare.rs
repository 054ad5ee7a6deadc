//! Spare string buffers for unescaped response text, one pool per thread.
//!
//! Why: a JSON-mode response is escaped JSON, so nearly every scored row's
//! text is unescaped into a fresh `String` that lives until its block is
//! scored. At 1M rows that was a million `malloc`/`free` pairs, about 4% of
//! a run's CPU. A worker that hands its block's strings back with
//! [`recycle`] gets their buffers again for the next block on the same
//! thread.
//!
//! Invariant: a taken string is empty; the pool never holds more than
//! [`MAX_SPARE_BYTES`] of capacity in all, nor any single buffer larger than
//! [`MAX_BUFFER_BYTES`], so an unusually long response is freed, not kept.

use std::cell::RefCell;

/// Capacity a thread's pool keeps at most: a block's worth of responses
/// (1 MiB blocks) with room to spare, small beside the run's other memory.
const MAX_SPARE_BYTES: usize = 2 << 20;
/// Largest buffer kept; longer ones go back to the allocator.
const MAX_BUFFER_BYTES: usize = 64 << 10;

#[derive(Default)]
struct Pool {
    strings: Vec<String>,
    bytes: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// An empty string with room for at least `len` bytes, from the pool when it
/// has one.
pub fn take(len: usize) -> String {
    let spare = POOL.with_borrow_mut(|p| {
        let s = p.strings.pop()?;
        p.bytes -= s.capacity();
        Some(s)
    });
    match spare {
        Some(mut s) => {
            s.clear();
            s.reserve(len);
            s
        }
        None => String::with_capacity(len),
    }
}

/// Gives `s`'s buffer back to this thread's pool, or frees it when the pool
/// is full or the buffer is too large to keep.
pub fn recycle(s: String) {
    let cap = s.capacity();
    if cap == 0 || cap > MAX_BUFFER_BYTES {
        return;
    }
    POOL.with_borrow_mut(|p| {
        if p.bytes + cap <= MAX_SPARE_BYTES {
            p.bytes += cap;
            p.strings.push(s);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pooled_bytes() -> usize {
        POOL.with_borrow(|p| p.bytes)
    }

    #[test]
    fn a_recycled_buffer_is_taken_again_empty() {
        let mut s = String::with_capacity(500);
        s.push_str("a response");
        let ptr = s.as_ptr();
        recycle(s);
        let t = take(100);
        assert!(t.is_empty());
        assert_eq!(t.as_ptr(), ptr, "the same buffer");
        assert!(t.capacity() >= 500);
        assert_eq!(pooled_bytes(), 0);
    }

    #[test]
    fn a_taken_buffer_has_room_for_the_length_asked() {
        recycle(String::with_capacity(16));
        let t = take(4096);
        assert!(t.capacity() >= 4096);
    }

    #[test]
    fn the_pool_never_holds_more_than_its_cap() {
        for _ in 0..(MAX_SPARE_BYTES / 1000 + 100) {
            recycle(String::with_capacity(1000));
        }
        assert!(pooled_bytes() <= MAX_SPARE_BYTES);
        assert!(pooled_bytes() > MAX_SPARE_BYTES - 1000);
        recycle(String::with_capacity(MAX_BUFFER_BYTES + 1));
        assert!(pooled_bytes() <= MAX_SPARE_BYTES);
        while pooled_bytes() > 0 {
            take(0);
        }
    }

    #[test]
    fn a_buffer_too_large_to_keep_is_freed() {
        recycle(String::with_capacity(MAX_BUFFER_BYTES + 1));
        assert_eq!(pooled_bytes(), 0);
        assert_eq!(take(0).capacity(), 0, "nothing pooled: a fresh empty string");
    }
}
