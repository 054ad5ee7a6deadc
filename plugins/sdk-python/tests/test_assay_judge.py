"""Plain-Python tests of assay_judge (run: python3 -m unittest discover -s tests)."""
import os
import sys
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import assay_judge as aj  # noqa: E402


class ConfigTests(unittest.TestCase):
    def test_typed_values_and_errors_name_the_key(self):
        c = aj.Config([("n", " 5 "), ("f", "0.5"), ("l", "a, b,,c"), ("n", "7")])
        self.assertEqual(c.int("n", 1), 7)
        self.assertEqual(c.int("absent", 1), 1)
        self.assertEqual(c.float("f", 0.0), 0.5)
        self.assertEqual(c.list("l"), ["a", "b", "c"])
        with self.assertRaisesRegex(aj.ConfigError, "f must be a whole number, got '0.5'"):
            c.int("f", 0)
        with self.assertRaisesRegex(aj.ConfigError, "missing required config key 'x'"):
            c.require("x")
        with self.assertRaisesRegex(aj.ConfigError, "finite"):
            aj.Config([("f", "nan")]).float("f", 0.0)


class TruncateTests(unittest.TestCase):
    def test_cuts_on_a_character_boundary(self):
        s = aj.truncate_utf8("ééééé", 6)
        self.assertLessEqual(len(s.encode()), 6)
        self.assertTrue(s.endswith("\u2026"))
        self.assertEqual(aj.truncate_utf8("short", 6), "short")


def feed(s, segment, passes, fails, label):
    for _ in range(passes):
        s.add(segment, True)
    for _ in range(fails):
        s.add(segment, False, label)


class SegmentPassRateTests(unittest.TestCase):
    def test_same_report_as_the_rust_sdk(self):
        # The case of plugins/sdk/src/agg/tests.rs, byte for byte.
        s = aj.SegmentPassRate(5.0, 20)
        s.begin(SimpleNamespace(segment_size=100, rows_submitted=350))
        feed(s, 0, 95, 5, "type")
        feed(s, 1, 95, 5, "type")
        feed(s, 2, 95, 5, "type")
        feed(s, 3, 30, 20, "required")
        metrics, alarms = s.report()
        self.assertIn(("scored", None, 350.0), metrics)
        self.assertIn(("segment_pass_rate", 3, 0.6), metrics)
        self.assertEqual(
            alarms,
            [("segment-drift", 3, "segment 3 (rows 300-349): pass rate 60.0% vs 90.0% batch-wide "
              "(-30.0 points); most broken: required (20 rows)")],
        )

    def test_rows_without_a_verdict_are_seen_not_scored(self):
        s = aj.SegmentPassRate(5.0, 1)
        s.observe(SimpleNamespace(segment=0, verdict=None))
        s.observe(SimpleNamespace(segment=0, verdict=SimpleNamespace(passed=True, label=None)))
        self.assertEqual((s.segments[0].seen, s.segments[0].scored), (2, 1))
        empty = aj.SegmentPassRate()
        empty.add(4, None)
        metrics, alarms = empty.report()
        self.assertEqual(metrics, [("scored", None, 0.0), ("passed", None, 0.0)])
        self.assertEqual(alarms, [])

    def test_exact_threshold_does_not_alarm(self):
        s = aj.SegmentPassRate(10.0, 1)
        feed(s, 0, 10, 0, "")
        feed(s, 1, 8, 2, "x")
        self.assertEqual(s.report()[1], [])


class ScoresAndLabelsTests(unittest.TestCase):
    def test_mean_and_quantiles(self):
        s = aj.Scores()
        self.assertIsNone(s.quantile(0.5))
        for i in range(101):
            s.add(i / 100)
        s.add(float("nan"))
        s.add(7.0)
        self.assertEqual(s.count, 102)
        self.assertAlmostEqual(s.mean(), 51.5 / 102, places=12)
        self.assertEqual((s.quantile(0.0), s.quantile(0.5), s.quantile(1.0)), (0.0, 0.5, 1.0))
        names = [m[0] for m in s.metrics("score_")]
        self.assertEqual(names, ["score_count", "score_mean", "score_p50", "score_p90", "score_p99"])

    def test_labels_are_bounded(self):
        labels = aj.LabelCounts()
        for i in range(aj.MAX_LABELS + 10):
            labels.add(f"l{i:03}")
        labels.add("l000")
        self.assertEqual((labels.get("other"), labels.get("l000")), (10, 2))
        self.assertEqual(labels.most_common(), ("other", 10))


if __name__ == "__main__":
    unittest.main()
