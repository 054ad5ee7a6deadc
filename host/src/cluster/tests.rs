use super::describe::describe;
use super::embed::{DIM, embed};
use super::features::language;
use super::*;

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn embedding_is_unit_length_deterministic_and_closer_for_similar_text() {
    let a = embed("Classify the sentiment of this review: the app keeps crashing");
    let b = embed("Classify the sentiment of this review: arrived quickly, works");
    let c = embed("商品はとても良かったです。配送が遅れて残念でした。");
    assert_eq!(a.len(), DIM);
    assert!((dot(&a, &a) - 1.0).abs() < 1e-5);
    assert_eq!(
        a,
        embed("Classify the sentiment of this review: the app keeps crashing")
    );
    assert!(dot(&a, &b) > dot(&a, &c) + 0.2, "{} vs {}", dot(&a, &b), dot(&a, &c));
    assert!(embed("ab").iter().all(|&x| x == 0.0), "no trigram, no direction");
}

#[test]
fn language_names_japanese_and_english_prompts() {
    assert_eq!(
        language("このレビューの感情を分類してください: 商品はとても良かったです。").as_deref(),
        Some("Japanese")
    );
    assert_eq!(
        language("Please classify the sentiment of the following customer review for our store.").as_deref(),
        Some("English")
    );
    assert_eq!(language("12345 !!!"), None);
}

fn row(index: u32, outcome: &str, code: Option<&str>, lang: &str, segment: u32, tokens: u64) -> FailedFeatures {
    let text = match lang {
        "Japanese" => format!("感情を分類してください {index} 商品はとても良かったです"),
        _ => format!("classify the sentiment of review number {index}"),
    };
    FailedFeatures {
        id: format!("row-{index}"),
        index,
        segment,
        outcome: outcome.to_owned(),
        error_code: code.map(str::to_owned),
        keyword: None,
        language: Some(lang.to_owned()),
        tokens,
        snapshot: None,
        embedding: embed(&text),
    }
}

#[test]
fn two_separated_groups_become_two_clusters_named_by_their_features() {
    let mut rows = Vec::new();
    for i in 0..60u32 {
        rows.push(match i % 3 {
            0 => row(i, "status timeout", Some("request_timeout"), "English", i / 10, 50),
            1 => row(i, "judge schema-drift failed", None, "Japanese", i / 10, 40),
            _ => row(
                i,
                "status provider_error (invalid_request)",
                Some("context_length_exceeded"),
                "English",
                i / 10,
                12_000,
            ),
        });
    }
    let c = Collected {
        rows,
        failed: 60,
        last_segment: 5,
        ..Collected::default()
    };
    let out = cluster(&c, Options::default()).expect("clusters");
    assert_eq!(out.clusters.len(), 3, "{out:#?}");
    assert_eq!(out.unclustered, 0);
    let shapes: Vec<&str> = out.clusters.iter().map(|k| k.shape.as_str()).collect();
    assert!(
        shapes.iter().any(|s| s.contains("every Japanese-text row")),
        "{shapes:?}"
    );
    assert!(
        shapes
            .iter()
            .any(|s| s.contains("prompts over 8k tokens") && s.contains("error code context_length_exceeded")),
        "{shapes:?}"
    );
    // Ties in size are ordered by their first row.
    assert_eq!(out.clusters[0].examples[0], "row-0");
    assert_eq!(out, cluster(&c, Options::default()).expect("again"), "deterministic");
}

#[test]
fn too_few_rows_are_all_unclustered() {
    let c = Collected {
        rows: (0..3)
            .map(|i| row(i, "status timeout", None, "English", 0, 10))
            .collect(),
        failed: 3,
        last_segment: 0,
        ..Collected::default()
    };
    let out = cluster(&c, Options::default()).expect("clusters");
    assert!(out.clusters.is_empty());
    assert_eq!(out.unclustered, 3);
    let empty = cluster(&Collected::default(), Options::default()).expect("empty");
    assert_eq!((empty.clustered_rows, empty.unclustered), (0, 0));
}

#[test]
fn segments_are_named_only_when_they_set_the_cluster_apart() {
    let all: Vec<FailedFeatures> = (0..100u32)
        .map(|i| row(i, "status timeout", None, "English", i / 5, 10))
        .collect();
    let late: Vec<&FailedFeatures> = all.iter().filter(|r| r.segment >= 16).collect();
    assert!(
        describe(&late, &all, 19).contains("segment 16 onwards"),
        "{}",
        describe(&late, &all, 19)
    );
    let spread: Vec<&FailedFeatures> = all.iter().step_by(3).collect();
    assert!(!describe(&spread, &all, 19).contains("segment"));
}

#[test]
fn default_min_size_grows_with_the_rows() {
    assert_eq!(default_min_size(10), 5);
    assert_eq!(default_min_size(20_000), 100);
}

#[test]
fn trim_sets_apart_members_far_from_their_fellows_but_keeps_a_tight_cluster_whole() {
    let mut data: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i) * 0.01, 0.0]).collect();
    data.push(vec![0.1, 1.2]);
    data.push(vec![0.05, -1.5]);
    let all: Vec<usize> = (0..22).collect();
    assert_eq!(super::trim::trim(&data, all, 5), (0..20).collect::<Vec<_>>());
    // Near-identical rows do not cast out a member a little further off.
    let mut dup: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i) * 1e-6]).collect();
    dup.push(vec![0.3]);
    assert_eq!(super::trim::trim(&dup, (0..21).collect(), 5).len(), 21);
}
