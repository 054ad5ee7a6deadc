//! Unit tests for `access`.

use super::*;

fn access(budget: u64) -> LlmAccess {
    let grant = Grant {
        sha256: None,
        models: vec!["m".into()],
        calls_per_row: 1,
        token_budget: budget,
        concurrency: 1,
        timeout: std::time::Duration::from_secs(1),
        max_tokens_per_call: 100,
        usd_per_mtok_input: None,
        usd_per_mtok_output: None,
    };
    LlmAccess::new("j", grant, None, None)
}

#[test]
fn reservation_past_budget_is_refused_and_settles_to_spent() {
    let a = access(100);
    a.reserve(60).expect("fits");
    assert!(matches!(a.reserve(50), Err(LlmError::BudgetExhausted(_))));
    a.release(60, 10);
    a.reserve(90).expect("fits after settling");
    assert!(a.reserve(1).is_err());
}

#[test]
fn model_and_size_checks_come_back_as_denials() {
    let a = access(100);
    let msgs = vec![("user".to_owned(), "hi".to_owned())];
    assert!(matches!(a.check("other", &msgs, 10), Err(LlmError::ModelNotAllowed(_))));
    assert!(matches!(a.check("", &[], 10), Err(LlmError::InvalidRequest(_))));
    assert!(matches!(a.check("m", &msgs, 101), Err(LlmError::InvalidRequest(_))));
    assert!(matches!(a.check("", &msgs, 10), Ok("m")));
}
