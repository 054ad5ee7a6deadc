use super::redact::Redactor;

fn redacted(s: &str) -> (String, u64) {
    let r = Redactor::new(&[]).unwrap();
    let (out, n) = r.text(s);
    (out.into_owned(), n)
}

#[test]
fn built_in_patterns_replace_emails_phones_cards_and_keys() {
    let (out, n) = redacted("mail jane.doe+x@example.co.uk or call +1 555-123-4567 now");
    assert_eq!(out, "mail [REDACTED:email] or call [REDACTED:phone] now");
    assert_eq!(n, 2);
    let (out, _) = redacted("card 4111 1111 1111 1111 and (555) 123-4567");
    assert_eq!(out, "card [REDACTED:card] and [REDACTED:phone]");
    for key in [
        "sk-proj-abcdefghijklmnopqrstuvwx",
        "AKIAABCDEFGHIJKLMNOP",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "Bearer abcdefghijklmnopqrstuvwxyz",
    ] {
        let (out, n) = redacted(&format!("key={key};"));
        assert_eq!((out.as_str(), n), ("key=[REDACTED:api_key];", 1), "{key}");
    }
}

#[test]
fn numbers_that_are_not_cards_or_phones_stay() {
    // Not Luhn-valid, a date, a score, a token count, a row id, a Unix time.
    for s in [
        "4111 1111 1111 1112",
        "2024-01-15",
        "0.8",
        "1234",
        "row-27",
        "1711738702",
    ] {
        assert_eq!(redacted(s), (s.to_owned(), 0), "{s}");
    }
}

#[test]
fn user_patterns_apply_and_a_bad_one_is_refused_with_its_reason() {
    let r = Redactor::new(&["ACME-[0-9]+".to_owned()]).unwrap();
    assert_eq!(r.text("order ACME-991 shipped").0, "order [REDACTED:custom] shipped");
    let err = Redactor::new(&["(unclosed".to_owned()]).err().unwrap().to_string();
    assert!(
        err.contains("--redact \"(unclosed\"") && err.contains("regular expression"),
        "{err}"
    );
}

#[test]
fn the_job_span_carries_the_canary_side_beside_the_batch() {
    use crate::jobs::store::{Canary, CanaryJudge};
    use crate::report::summary::{JudgeSummary, Summary};
    let mut s = Summary::default();
    s.judges.insert(
        "q".into(),
        JudgeSummary {
            quality: true,
            scored: 400,
            passed: 240,
            pass_rate: 0.6,
            ..Default::default()
        },
    );
    let judge = CanaryJudge {
        version: "1".into(),
        sha256: "x".into(),
        quality: true,
        scored: 40,
        passed: 40,
        metrics: Default::default(),
    };
    let canary = Canary {
        id: 7,
        provider: "openai".into(),
        input_sha256: "s".into(),
        sample: "10%".into(),
        seed: 0,
        rows: 40,
        judges: [("q".to_owned(), judge)].into_iter().collect(),
        run_id: None,
        created_at: 0,
    };
    crate::report::canary::compare(&mut s, &canary, 5.0);
    let attrs = super::job::attributes(&s);
    let get = |k: &str| {
        attrs
            .iter()
            .find(|a| a.key.as_str() == k)
            .map(|a| a.value.to_string())
            .unwrap_or_else(|| panic!("no attribute {k}"))
    };
    assert_eq!(get("batch.canary.id"), "7");
    assert_eq!(get("batch.canary.row_count"), "40");
    assert_eq!(get("batch.canary.judge.q.pass_rate"), "1");
    assert_eq!(get("batch.canary.judge.q.scored"), "40");
    assert_eq!(get("batch.canary.judge.q.drifted"), "true");
    assert_eq!(get("batch.judge.q.pass_rate"), "0.6");
    assert!(get("batch.canary.judge.q.interval_low_points").parse::<f64>().unwrap() > 5.0);
}
