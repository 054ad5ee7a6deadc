//! The hostile acts, one per trigger word. Each is written so the optimizer cannot
//! remove it (`black_box`, volatile writes, non-tail recursion).

use std::hash::BuildHasher;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use assay_judge_sdk::prelude::*;

fn raw(score: f64) -> Verdict {
    Verdict {
        score: Some(score),
        label: None,
        passed: true,
        details: None,
    }
}

/// Performs the act named by `trigger`.
pub fn act(trigger: &str) -> Result<Verdict, JudgeError> {
    // "echo:TEXT": TEXT (markup, escapes) as the label, the details and a log line.
    if let Some(text) = trigger.strip_prefix("echo:") {
        log::warn(text);
        let label: String = text.chars().take(32).collect();
        return Ok(Verdict::fail(label, Some(text.to_owned())));
    }
    Ok(match trigger {
        "loop" => spin_forever(),
        "sleep" => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        "grow" => grow(),
        "grow-raw" => grow_raw(),
        "recurse" => raw(recurse(0) as f64),
        "panic" => panic!("boom"),
        "exit" => std::process::exit(1),
        // A label whose bytes are not UTF-8 (deliberately breaking `String`'s
        // invariant; only its bytes are copied out): the host must refuse to lift it.
        "bad-utf8" => Verdict::fail(
            unsafe { String::from_utf8_unchecked(vec![b'o', 0xff, 0xfe, b'k']) },
            None,
        ),
        "huge" => Verdict::pass(1.0).with_details("x".repeat(1 << 20)),
        "huge-label" => Verdict::fail("L".repeat(1000), None),
        "nan" => raw(f64::NAN),
        "inf" => raw(f64::INFINITY),
        "range" => raw(1.5),
        "error" => return Err(JudgeError::InvalidInput("asked to fail".into())),
        "env" => Verdict::pass(1.0).with_details(env()),
        "fs" => Verdict::pass(1.0).with_details(fs()),
        "clock" => Verdict::pass(1.0).with_details(clock()),
        "log" => {
            let msg = "l".repeat(1024);
            for _ in 0..10_000 {
                log::info(&msg);
            }
            Verdict::pass(1.0)
        }
        "log-bomb" => {
            log_bomb();
            Verdict::pass(1.0)
        }
        "log-bomb-panic" => {
            log_bomb();
            panic!("after the log bomb")
        }
        "print-flood" => {
            let line = "p".repeat(1023);
            for _ in 0..256 {
                println!("{line}");
                eprintln!("{line}");
            }
            Verdict::pass(1.0)
        }
        "flood-then-panic" => {
            // Past the 64 KiB captured stderr and the log cap, then an error and a panic.
            let msg = "l".repeat(1024);
            for _ in 0..300 {
                log::info(&msg);
                eprintln!("{msg}");
            }
            log::error("the last error line");
            panic!("panic after the flood")
        }
        "random" => random(),
        "huge-error" => return Err(JudgeError::Failed("e".repeat(256 << 10))),
        _ => Verdict::pass(1.0),
    })
}

/// Two 48 MiB log messages: the host must cut them before copying them out.
fn log_bomb() {
    let msg = black_box("b".repeat(48 << 20));
    log::info(&msg);
    log::warn(&msg);
}

fn spin_forever() -> ! {
    let mut n = 0u64;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// Allocates 16 MiB chunks, touching each, until allocation aborts.
fn grow() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; 16 << 20];
        for i in (0..chunk.len()).step_by(4096) {
            chunk[i] = 1;
        }
        hoard.push(black_box(chunk));
    }
}

/// Grows linear memory by 1000 pages at a time, ignoring failure (-1), and writes to
/// the last byte it believes it owns: once a grow is refused, the write traps.
#[cfg(target_arch = "wasm32")]
fn grow_raw() -> ! {
    use core::arch::wasm32::{memory_grow, memory_size};
    loop {
        let before = memory_size(0) as u64;
        black_box(memory_grow(0, 1000));
        let end = ((before + 1000) * 65536 - 1).min(u64::from(u32::MAX));
        // SAFETY: deliberately not safe — this is the bug being simulated. The address is
        // either inside memory just grown or past its end, where wasm traps.
        unsafe { core::ptr::write_volatile(end as usize as *mut u8, 0xAA) };
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn grow_raw() -> ! {
    panic!("grow-raw only exists on wasm32")
}

/// Unbounded, non-tail recursion with a live stack buffer per frame.
#[allow(unconditional_recursion)] // the point: exhaust the stack
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 32]);
    let below = recurse(black_box(depth + 1));
    black_box(below.wrapping_add(frame.iter().sum::<u64>()))
}

fn env() -> String {
    let vars = std::env::vars().map(|(k, v)| format!("{k}={v}"));
    let args = std::env::args().map(|a| format!("arg:{a}"));
    vars.chain(args).collect::<Vec<_>>().join("\n")
}

fn fs() -> String {
    let dir = std::fs::read_dir("/").map(|it| {
        it.filter_map(Result::ok)
            .map(|e| e.path().display().to_string())
            .collect::<Vec<_>>()
    });
    let passwd = std::fs::read_to_string("/etc/passwd");
    format!("read_dir(/): {dir:?}\nread_to_string(/etc/passwd): {passwd:?}")
}

/// Wall clock nanos, a monotonic elapsed time, and 16 bytes seeded by the host's
/// random source (std's HashMap keys), so tests can check what the host pins.
fn clock() -> String {
    let start = Instant::now();
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(16);
    for salt in 0u8..2 {
        let seeded = std::collections::hash_map::RandomState::new().hash_one(salt);
        bytes.extend_from_slice(&seeded.to_le_bytes());
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let elapsed = start.elapsed().as_nanos();
    format!("wall_ns={wall} elapsed_ns={elapsed} random={hex}")
}

mod wasi_random {
    wit_bindgen::generate!({ path: "wit", world: "wasi:random/reader" });
}

/// Reads every `wasi:random` interface and the wall clock straight from the
/// host: eight u64s and 16 bytes of `random`, two u64s of `insecure`, the
/// insecure seed and the wall clock, so tests can check that the host derives
/// them from the run seed, the judge and the row, and nothing else.
fn random() -> Verdict {
    use wasi_random::wasi::random::{insecure, insecure_seed, random};
    let u64s: Vec<String> = (0..8).map(|_| format!("{:016x}", random::get_random_u64())).collect();
    let bytes: String = random::get_random_bytes(16)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let insecure: Vec<String> = (0..2)
        .map(|_| format!("{:016x}", insecure::get_insecure_random_u64()))
        .collect();
    let (s0, s1) = insecure_seed::insecure_seed();
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Verdict {
        score: Some(1.0),
        label: u64s.first().cloned(),
        passed: true,
        details: Some(format!(
            "u64={} bytes={bytes} insecure={} seed={s0:016x}{s1:016x} wall_ns={wall}",
            u64s.join(","),
            insecure.join(",")
        )),
    }
}
