//! `--junit FILE`: the run as JUnit XML, for CI systems.
//!
//! Invariant: every gate is one test case in the `gates` suite (a failed gate is a
//! `failure`); every judge is one test case in the `judges` suite, an `error` when the
//! judge returned judge errors, the host stopped it on a row, or its aggregator
//! failed; the `provider` suite holds one test case, an `error` when any row ended
//! in a provider error. Judge-supplied text is escaped by quick-junit, which also
//! drops control characters that XML cannot carry.

use std::path::Path;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::ReportError;
use super::summary::{JudgeSummary, Summary};

/// The JUnit report of a run.
pub fn report(s: &Summary) -> Report {
    let mut report = Report::new("assay eval");
    report.set_time(Duration::from_millis(s.elapsed_ms));
    report.add_test_suite(gates(s));
    report.add_test_suite(judges(s));
    report.add_test_suite(provider(s));
    report
}

/// Writes the run's JUnit report to `path`.
pub fn write(s: &Summary, path: &Path) -> Result<(), ReportError> {
    let xml = report(s).to_string().map_err(|source| ReportError::Junit {
        path: path.display().to_string(),
        source,
    })?;
    std::fs::write(path, xml).map_err(|source| ReportError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn gates(s: &Summary) -> TestSuite {
    let mut suite = TestSuite::new("gates");
    for g in &s.gates {
        let status = if g.passed {
            TestCaseStatus::success()
        } else {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_type("gate").set_message(format!(
                "{} is {} below the threshold {}",
                g.name, g.actual, g.threshold
            ));
            st
        };
        let mut case = TestCase::new(g.name.as_str(), status);
        case.set_classname("assay.gates");
        suite.add_test_case(case);
    }
    suite
}

fn judges(s: &Summary) -> TestSuite {
    let mut suite = TestSuite::new("judges");
    for (name, j) in &s.judges {
        let mut case = TestCase::new(name.as_str(), judge_status(j));
        case.set_classname("assay.judges");
        case.add_property(Property::new("origin", j.origin.as_str()));
        case.add_property(Property::new("component", j.component.as_str()));
        case.add_property(Property::new("sha256", j.sha256.as_str()));
        suite.add_test_case(case);
    }
    suite
}

fn judge_status(j: &JudgeSummary) -> TestCaseStatus {
    let stopped: u64 = j.failures.values().sum();
    let mut problems = Vec::new();
    if j.judge_errors > 0 {
        problems.push(format!("{} judge errors", j.judge_errors));
    }
    if stopped > 0 {
        let kinds: Vec<String> = j
            .failures
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        problems.push(format!("{stopped} rows stopped by the host [{}]", kinds.join(", ")));
    }
    if let Some(e) = &j.aggregator_error {
        problems.push(format!("aggregator error: {e}"));
    }
    if problems.is_empty() {
        return TestCaseStatus::success();
    }
    let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
    st.set_type("judge").set_message(problems.join("; "));
    st
}

fn provider(s: &Summary) -> TestSuite {
    let mut suite = TestSuite::new("provider");
    let errors = s.status_counts.provider_error;
    let status = if errors == 0 {
        TestCaseStatus::success()
    } else {
        let kinds: Vec<String> = s
            .error_kinds
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
        st.set_type("provider_error").set_message(format!(
            "{errors} of {} rows ended in a provider error [{}]",
            s.rows_submitted,
            kinds.join(", ")
        ));
        st
    };
    let mut case = TestCase::new("provider errors", status);
    case.set_classname("assay.provider");
    suite.add_test_case(case);
    suite
}
