//! Unit tests for `answer`.

use super::*;

fn ask<'a>(body: &'a Value, path: Path) -> Ask<'a> {
    Ask {
        seed: 7,
        custom_id: "r1",
        index: Some(3),
        body,
        path,
        created: 1,
    }
}

#[test]
fn the_same_seed_and_request_give_the_same_answer() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi there"}]});
    let p = Profile::default();
    assert_eq!(
        chat_completion(&ask(&body, Path::Batch), &p),
        chat_completion(&ask(&body, Path::Batch), &p)
    );
    let mut other = ask(&body, Path::Batch);
    other.seed = 8;
    assert_ne!(
        chat_completion(&ask(&body, Path::Batch), &p),
        chat_completion(&other, &p)
    );
}

#[test]
fn a_full_quality_gap_degrades_batch_answers_but_never_sync_ones() {
    let body = json!({"model": "m", "metadata": {"reference": "Paris"}});
    let p = Profile {
        quality_gap: 1.0,
        ..Profile::default()
    };
    let text = |path| chat_completion(&ask(&body, path), &p)["choices"][0]["message"]["content"].clone();
    assert_eq!(text(Path::Sync), json!("Paris"));
    assert_ne!(text(Path::Batch), json!("Paris"));
}

#[test]
fn drift_renames_json_keys_within_the_range_only() {
    let body = json!({"model": "m", "metadata": {"reference": "{\"label\":\"x\"}"}});
    let p = Profile {
        drift_rows: Some([2, 4]),
        ..Profile::default()
    };
    let mut a = ask(&body, Path::Batch);
    assert_eq!(
        chat_completion(&a, &p)["choices"][0]["message"]["content"],
        json!("{\"label_v2\":\"x\"}")
    );
    a.index = Some(4);
    assert_eq!(
        chat_completion(&a, &p)["choices"][0]["message"]["content"],
        json!("{\"label\":\"x\"}")
    );
}
