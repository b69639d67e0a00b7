//! The official measures: SemEval-2016 Task 6 F_avg, macro-F1 over three classes, accuracy,
//! per-class precision/recall/F1, confusion matrix, per-target and seen/zero-shot breakdowns.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use super::Label;

/// Confusion matrix: `m[gold][predicted]`, indices in [`Label::ALL`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion(pub [[u64; 3]; 3]);

/// Precision, recall, F1 and support of one class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassStats {
    /// TP / predicted; 0 when nothing was predicted as this class (as the official script does).
    pub precision: f64,
    /// TP / gold.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Gold examples of this class.
    pub support: u64,
}

impl Confusion {
    /// Counts one (gold, predicted) pair.
    pub fn add(&mut self, gold: Label, pred: Label) {
        self.0[gold.index()][pred.index()] += 1;
    }

    /// Number of examples.
    pub fn n(&self) -> u64 {
        self.0.iter().flatten().sum()
    }

    /// Per-class statistics.
    pub fn class(&self, l: Label) -> ClassStats {
        let k = l.index();
        let tp = self.0[k][k] as f64;
        let predicted: u64 = (0..3).map(|g| self.0[g][k]).sum();
        let support: u64 = self.0[k].iter().sum();
        let precision = if predicted == 0 {
            0.0
        } else {
            tp / predicted as f64
        };
        let recall = if support == 0 {
            0.0
        } else {
            tp / support as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        ClassStats {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// SemEval-2016 Task 6: (F1(FAVOR) + F1(AGAINST)) / 2, precision and recall pooled over every
    /// example counted here (so over all targets when the matrix holds all targets).
    pub fn f_avg(&self) -> f64 {
        (self.class(Label::Favor).f1 + self.class(Label::Against).f1) / 2.0
    }

    /// Unweighted mean of the three classes' F1.
    pub fn macro_f1(&self) -> f64 {
        Label::ALL.iter().map(|&l| self.class(l).f1).sum::<f64>() / 3.0
    }

    /// Share of correct predictions; 0 for an empty matrix.
    pub fn accuracy(&self) -> f64 {
        let n = self.n();
        if n == 0 {
            return 0.0;
        }
        (0..3).map(|k| self.0[k][k]).sum::<u64>() as f64 / n as f64
    }
}

/// Above this many distinct targets (NewsMTSC mentions, VAST topics) the per-target table is left
/// out of the report: it would be mostly one-example rows.
pub const MAX_TARGETS_REPORTED: usize = 100;

/// Everything `stancemill eval` reports.
#[derive(Clone, Debug)]
pub struct Report {
    /// Gold format name.
    pub format: String,
    /// Task name.
    pub task: String,
    /// What scored: `model FILE`, `cv K seed N`, `lexicon NAME`.
    pub scorer: String,
    /// All examples.
    pub all: Confusion,
    /// Per target (exact target string).
    pub per_target: BTreeMap<String, Confusion>,
    /// VAST seen (`true`) and zero-shot (`false`) topics, when the gold file says.
    pub by_seen: BTreeMap<bool, Confusion>,
}

impl Report {
    /// An empty report.
    pub fn new(format: &str, task: &str, scorer: &str) -> Report {
        Report {
            format: format.into(),
            task: task.into(),
            scorer: scorer.into(),
            all: Confusion::default(),
            per_target: BTreeMap::new(),
            by_seen: BTreeMap::new(),
        }
    }

    /// Counts one prediction.
    pub fn add(&mut self, target: &str, seen: Option<bool>, gold: Label, pred: Label) {
        self.all.add(gold, pred);
        self.per_target
            .entry(target.to_string())
            .or_default()
            .add(gold, pred);
        if let Some(s) = seen {
            self.by_seen.entry(s).or_default().add(gold, pred);
        }
    }

    fn targets_reported(&self) -> bool {
        self.per_target.len() <= MAX_TARGETS_REPORTED
    }

    /// One JSON object: `f_avg`, `macro_f1`, `accuracy`, `per_class`, `per_target`, `confusion`,
    /// `n`, `format`, `task`, `scorer`, and `by_seen` for VAST.
    pub fn json(&self) -> Value {
        let mut per_class = Map::new();
        for l in Label::ALL {
            let c = self.all.class(l);
            per_class.insert(
                l.as_str().into(),
                json!({"precision": c.precision, "recall": c.recall, "f1": c.f1, "support": c.support}),
            );
        }
        let mut per_target = Map::new();
        if self.targets_reported() {
            for (t, c) in &self.per_target {
                per_target.insert(
                    t.clone(),
                    json!({"f_avg": c.f_avg(), "macro_f1": c.macro_f1(), "n": c.n()}),
                );
            }
        }
        let mut o = json!({
            "format": self.format,
            "task": self.task,
            "scorer": self.scorer,
            "n": self.all.n(),
            "f_avg": self.all.f_avg(),
            "macro_f1": self.all.macro_f1(),
            "accuracy": self.all.accuracy(),
            "per_class": per_class,
            "per_target": per_target,
            "labels": Label::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "confusion": self.all.0.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "targets": self.per_target.len(),
        });
        if !self.by_seen.is_empty() {
            let mut b = Map::new();
            for (s, c) in &self.by_seen {
                b.insert(
                    if *s { "seen" } else { "zero_shot" }.into(),
                    json!({"macro_f1": c.macro_f1(), "accuracy": c.accuracy(), "n": c.n()}),
                );
            }
            o["by_seen"] = Value::Object(b);
        }
        o
    }

    /// Readable text: the headline measures, per-class table, confusion matrix, breakdowns.
    pub fn text(&self) -> String {
        let a = &self.all;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{} {} — {} — {} examples",
            self.format,
            self.task,
            self.scorer,
            a.n()
        );
        let _ = writeln!(
            o,
            "F_avg {:.2}   macro-F1 {:.2}   accuracy {:.2}",
            100.0 * a.f_avg(),
            100.0 * a.macro_f1(),
            100.0 * a.accuracy()
        );
        let _ = writeln!(
            o,
            "\n{:<10}{:>10}{:>10}{:>10}{:>10}",
            "class", "precision", "recall", "F1", "support"
        );
        for l in Label::ALL.iter().rev() {
            let c = a.class(*l);
            let _ = writeln!(
                o,
                "{:<10}{:>10.2}{:>10.2}{:>10.2}{:>10}",
                l.as_str(),
                100.0 * c.precision,
                100.0 * c.recall,
                100.0 * c.f1,
                c.support
            );
        }
        let _ = writeln!(o, "\nconfusion (rows gold, columns predicted)");
        let _ = writeln!(
            o,
            "{:<10}{:>10}{:>10}{:>10}",
            "", "against", "neutral", "favor"
        );
        for l in Label::ALL {
            let r = a.0[l.index()];
            let _ = writeln!(o, "{:<10}{:>10}{:>10}{:>10}", l.as_str(), r[0], r[1], r[2]);
        }
        if !self.by_seen.is_empty() {
            let _ = writeln!(o);
            for (s, c) in self.by_seen.iter().rev() {
                let _ = writeln!(
                    o,
                    "{:<10} macro-F1 {:.2}  accuracy {:.2}  n {}",
                    if *s { "seen" } else { "zero-shot" },
                    100.0 * c.macro_f1(),
                    100.0 * c.accuracy(),
                    c.n()
                );
            }
        }
        if self.targets_reported() && self.per_target.len() > 1 {
            let _ = writeln!(
                o,
                "\n{:<36}{:>8}{:>10}{:>6}",
                "target", "F_avg", "macro-F1", "n"
            );
            for (t, c) in &self.per_target {
                let _ = writeln!(
                    o,
                    "{:<36}{:>8.2}{:>10.2}{:>6}",
                    t,
                    100.0 * c.f_avg(),
                    100.0 * c.macro_f1(),
                    c.n()
                );
            }
        } else if !self.targets_reported() {
            let _ = writeln!(
                o,
                "\n({} distinct targets: per-target table left out)",
                self.per_target.len()
            );
        }
        o
    }
}
