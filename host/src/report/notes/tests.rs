//! Unit tests for `notes`: a model's note is neutralized on every view.

use super::*;

fn note(text: &str, source: NoteSource, reason: Option<&str>) -> Note {
    Note {
        text: text.into(),
        source,
        cached: false,
        reason: reason.map(str::to_owned),
    }
}

#[test]
fn a_models_markup_and_escapes_never_reach_the_page_or_the_terminal() {
    let n = note("<script>x</script>\u{1b}[31m", NoteSource::Llm, None);
    let cell = note_cell(&n);
    assert!(
        cell.starts_with("&lt;script&gt;x&lt;/script&gt;\u{fffd}[31m <small>(llm)</small>"),
        "{cell}"
    );
    let line = note_line(&n);
    assert_eq!(line, "    fix (llm): <script>x</script>\\u{1b}[31m\n");
    let why = note("a shape", NoteSource::Shape, Some("timeout: <b>30s</b>"));
    assert!(note_cell(&why).contains("(shape: timeout: &lt;b&gt;30s&lt;/b&gt;)"));
    assert_eq!(note_line(&why), "    fix (shape; timeout: <b>30s</b>): a shape\n");
}

#[test]
fn the_footer_counts_fallbacks_by_kind_and_names_the_job() {
    let notes = [
        note("s1", NoteSource::Shape, Some("budget-exhausted: 10 left")),
        note("s2", NoteSource::Shape, Some("budget-exhausted: 5 left")),
        note("s3", NoteSource::Shape, Some("timeout: 30s")),
        note("fix", NoteSource::Llm, None),
    ];
    let refs: Vec<&Note> = notes.iter().collect();
    let e = Explained {
        judge: "cluster-explain",
        granted: true,
        llm_notes: 1,
        shape_notes: 3,
        llm: Some(LlmStats {
            calls: 1,
            cached: 0,
            input_tokens: 100,
            output_tokens: 20,
            errors: BTreeMap::new(),
        }),
        stored_with_job: Some(4),
    };
    let f = footer(&e, &refs);
    assert!(
        f.contains("cluster-explain asked the model: 1 calls, 0 cached, 100 input + 20 output tokens"),
        "{f}"
    );
    assert!(
        f.contains("3 of 4 notes are the shape: the model gave none (budget-exhausted 2, timeout 1)"),
        "{f}"
    );
    assert!(f.contains("fix notes stored with job 4"), "{f}");
    let ungranted = Explained {
        granted: false,
        llm: None,
        stored_with_job: None,
        ..e
    };
    let f = footer(&ungranted, &refs);
    assert_eq!(
        f,
        "  3 of 4 notes are the shape: no [llm.cluster-explain] grant in the policy\n"
    );
}

#[test]
fn a_jobs_stored_notes_are_escaped_in_their_section() {
    let j = JobNotes {
        job: 9,
        notes: vec![ClusterNote {
            id: 1,
            job: Some(9),
            run: None,
            cluster: 1,
            rows: 40,
            shape: "every Japanese-text row".into(),
            note: "use <json> & retry".into(),
            source: "llm".into(),
            created_at: 0,
        }],
    };
    let mut o = String::new();
    render_job_notes(&mut o, &j);
    assert!(o.contains("<h2>Fix notes of job 9</h2>"), "{o}");
    assert!(o.contains("<td>use &lt;json&gt; &amp; retry</td><td>llm</td>"), "{o}");
}
