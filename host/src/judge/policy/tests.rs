//! Unit tests for `policy`.

use super::*;

fn write(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(f.path(), text).expect("write");
    f
}

#[test]
fn policy_file_lowers_ceilings() {
    let f = write("[ceilings]\nmemory-mib = 32\n[defaults]\nmemory-mib = 16\n");
    let p = Policy::load(f.path()).expect("loads");
    assert_eq!(p.defaults.memory_bytes, 16 * 1024 * 1024);
    let asked = RequestedLimits {
        memory_mib: Some(64),
        ..Default::default()
    };
    assert!(p.limits_for(&asked).is_err());
}

#[test]
fn policy_file_unknown_key_names_the_file() {
    let f = write("[defaults]\nfuel = 1\n");
    let err = Policy::load(f.path()).expect_err("unknown key");
    assert!(err.to_string().contains(&f.path().display().to_string()), "{err}");
}

#[test]
fn policy_file_reads_llm_grants_by_judge() {
    let f = write("[llm.pairwise]\nmodels = [\"gpt-4o-mini\"]\ntoken-budget = 500\n");
    let p = Policy::load(f.path()).expect("loads");
    assert_eq!(p.llm.grants["pairwise"].token_budget, 500);
    let f = write("[llm.pairwise]\nmodels = []\n");
    let err = Policy::load(f.path()).expect_err("no models");
    assert!(err.to_string().contains("[llm.pairwise] needs models"), "{err}");
}

#[test]
fn default_above_ceiling_is_an_error() {
    let f = write("[ceilings]\nfuel-per-row = 10\n");
    assert!(Policy::load(f.path()).is_err());
}

#[test]
fn policy_numbers_that_overflow_are_refused() {
    for text in [
        "[defaults]\nmemory-mib = 17592186044416\n",
        "[ceilings]\nmax-wasm-mib = 17592186044416\n",
        "[defaults]\naggregator-memory-mib = 18446744073709551615\n",
    ] {
        let f = write(text);
        let err = Policy::load(f.path()).expect_err("overflow");
        assert!(err.to_string().contains("is too large"), "{text}: {err}");
    }
}

#[test]
fn huge_timeouts_saturate_instead_of_panicking() {
    let f = write(
        "[ceilings]\ntimeout-ms-per-row = 9223372036854775807\n[defaults]\ntimeout-ms-per-row = 9223372036854775807\ntimeout-ms-base = 18446744073709551615\n",
    );
    let p = Policy::load(f.path()).expect("loads");
    let l = &p.defaults;
    assert_eq!(l.rows_deadline(usize::MAX), Duration::MAX);
    assert!(l.long_call_deadline() > Duration::from_secs(1 << 50));
}
