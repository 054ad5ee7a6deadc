//! Throughput check for read + parse + classify of OpenAI batch files.
//!
//! ```text
//! python3 /work/shared/bench/gen_openai_batch.py -n 200000 --seed 1 -o /tmp/b_out.jsonl -i /tmp/b_in.jsonl
//! cargo run --release -p assay-batch --example throughput -- /tmp/b_out.jsonl /tmp/b_in.jsonl
//! ```
//! Prints rows/s for (1) reading + parsing + classifying the output file on
//! one thread, (2) indexing the input file, (3) the full ledger pass.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use assay_batch::{
    BlockReader, FileId, Interner, Ledger, ReadOptions, RetryPolicy, Status, ingest_results, openai, read_input,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(args.first().map_or("/tmp/b_out.jsonl", String::as_str));
    let inp = Path::new(args.get(1).map_or("/tmp/b_in.jsonl", String::as_str));
    match run(out, inp) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(out: &Path, inp: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let opts = ReadOptions::default();
    // Warm the page cache so the figures measure CPU, not the disk.
    std::fs::read(out)?;

    let t = Instant::now();
    let mut reader = BlockReader::open(out, FileId(1), opts.max_line_bytes)?;
    let (mut rows, mut bytes, mut bad) = (0u64, 0u64, 0usize);
    let mut counts = [0u64; 8];
    while let Some(block) = reader.next_block()? {
        bytes += block.bytes().len() as u64;
        bad += block.bad.len();
        for line in block.lines() {
            match openai::parse_result_line(line.bytes) {
                Ok(r) => counts[r.outcome.status.index()] += 1,
                Err(_) => bad += 1,
            }
            rows += 1;
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "parse+classify: {rows} rows, {:.1} MB in {s:.3}s = {:.0} rows/s, {:.0} MB/s (bad {bad})",
        bytes as f64 / 1e6,
        rows as f64 / s,
        bytes as f64 / 1e6 / s
    );
    for st in Status::ALL {
        println!("  {:<16} {}", st.as_str(), counts[st.index()]);
    }

    let t = Instant::now();
    let (index, bad_in) = read_input(inp, FileId(0), &opts)?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "read_input: {} rows in {s:.3}s = {:.0} rows/s (bad {}), {} bytes/row index",
        index.len(),
        index.len() as f64 / s,
        bad_in.len(),
        index.heap_bytes() / index.len().max(1)
    );

    let t = Instant::now();
    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let parse: assay_batch::ParseResult = openai::parse_result_line;
    let st = ingest_results(out, FileId(1), 1, parse, &index, &mut ledger, &mut names, &opts)?;
    ledger.finish();
    let s = t.elapsed().as_secs_f64();
    println!(
        "ingest+ledger: {} lines in {s:.3}s = {:.0} rows/s; counts {:?}",
        st.lines,
        st.lines as f64 / s,
        ledger.status_counts()
    );
    Ok(())
}
