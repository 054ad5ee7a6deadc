use super::unescape;

/// Strings of runs and escapes of every kind, at every offset around the
/// 16-byte steps, read as serde_json reads them.
#[test]
fn unescapes_like_serde_json_at_every_offset() {
    let escapes = [
        r#"\""#,
        r#"\\"#,
        r#"\/"#,
        r#"\b\f\n\r\t"#,
        r#"\u00e9"#,
        r#"\ud83d\ude00"#,
        r#"\u65e5"#,
    ];
    let runs = ["", "a", "é", "日本", "★ ok", "0123456789abcdef", "x".repeat(31).leak()];
    let mut n = 0;
    for lead in 0..40 {
        for (e, esc) in escapes.iter().enumerate() {
            for (r, run) in runs.iter().enumerate() {
                let inner = format!(
                    "{}{esc}{run}{}{esc}{}",
                    "p".repeat(lead),
                    escapes[(e + r) % escapes.len()],
                    run
                );
                let want: String = serde_json::from_str(&format!("\"{inner}\"")).unwrap_or_default();
                assert_eq!(unescape(&inner).as_deref(), Ok(want.as_str()), "{inner}");
                n += 1;
            }
        }
    }
    assert!(n > 1900);
}

#[test]
fn refuses_what_serde_json_refuses() {
    for bad in [
        r"\x",
        r"\u12",
        r"\u12g4",
        r"\ud800",
        r"\ud800\u0041",
        r"\udc00",
        "ab\\",
        r"\u+123",
        r"\ud800\u+c00",
    ] {
        assert!(serde_json::from_str::<String>(&format!("\"{bad}\"")).is_err(), "{bad}");
        assert!(unescape(bad).is_err(), "{bad}");
    }
}

/// Ten thousand strings of random runs (ASCII, two-, three- and four-byte
/// characters) and escapes, up to ~300 bytes: every 16-byte look and the
/// tail after it read as serde_json reads them.
#[test]
fn random_runs_and_escapes_read_as_serde_json_reads_them() {
    let pieces = [
        "a",
        "bc",
        "0123456789",
        "é",
        "日",
        "😀",
        " ",
        r#"\""#,
        r#"\\"#,
        r#"\n"#,
        r#"\t"#,
        r#"\/"#,
        r#"\u00e9"#,
        r#"\ud83d\ude00"#,
        r#"\u0041"#,
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..10_000 {
        let len = (next() % 60) as usize;
        let inner: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let want: String = serde_json::from_str(&format!("\"{inner}\"")).unwrap_or_default();
        assert_eq!(unescape(&inner).as_deref(), Ok(want.as_str()), "{inner}");
    }
}
