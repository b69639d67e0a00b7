//! Training: a linear model over the three labels (one-vs-rest squared hinge by default, or
//! multinomial logistic regression) by AdaGrad SGD, optionally averaged over several shuffles and
//! with a neutral offset tuned on inner folds of the training data.
//!
//! Deterministic by construction: features are computed in parallel but collected in input order,
//! each fit runs on one thread over a shuffle drawn from a seeded splitmix64 generator, parallel
//! fits (ensemble members, inner folds) are combined in a fixed order, and nothing is iterated in
//! hash-map order. Same input + same seed = same bytes,
//! whatever the thread count.

use anyhow::{bail, Result};
use rayon::prelude::*;

use super::features::{FeatureConfig, Featurizer, SparseVec};
use super::model::Model;
use crate::eval::read::Task;
use crate::eval::{Example, Label};

/// How examples of rare classes are weighted in the loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassWeight {
    /// Every example counts 1.
    None,
    /// Class `c` counts `n / (3 · n_c)`, as scikit-learn's `balanced`.
    Balanced,
}

impl ClassWeight {
    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            ClassWeight::None => "none",
            ClassWeight::Balanced => "balanced",
        }
    }
}

/// The loss minimised by SGD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Loss {
    /// Multinomial logistic regression (softmax cross-entropy).
    Log,
    /// One-vs-rest squared hinge, as a linear SVM (LIBLINEAR's default): each class's score is
    /// pushed past ±1 and examples already beyond the margin stop moving the weights.
    Hinge,
}

impl Loss {
    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Log => "log",
            Loss::Hinge => "hinge",
        }
    }
}

/// How the decision between the neutral class and the two stances is set after training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TuneNeutral {
    /// The most probable class, as trained.
    Off,
    /// Shift the neutral class's score by the offset that maximises SemEval's F_avg (which
    /// ignores neutral's own F1) on out-of-fold predictions of an inner cross-validation of the
    /// training data; the offset is added to the model's neutral bias.
    FAvg,
    /// The same, maximising macro-F1 over the three classes.
    MacroF1,
}

impl TuneNeutral {
    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            TuneNeutral::Off => "off",
            TuneNeutral::FAvg => "f-avg",
            TuneNeutral::MacroF1 => "macro-f1",
        }
    }
}

/// Folds of the inner cross-validation that sets the neutral offset.
pub const INNER_FOLDS: usize = 5;

/// Everything that decides a trained model.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Featurizer settings.
    pub features: FeatureConfig,
    /// What the labels mean; a sentiment model ignores targets of examples without a span, so
    /// that [`crate::eval::StanceScorer::tone`] (which has no target) sees what training saw.
    pub task: Task,
    /// Passes over the data.
    pub epochs: u32,
    /// L2 penalty per update on the touched weights.
    pub l2: f32,
    /// AdaGrad base learning rate.
    pub lr: f32,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// Shuffle seed.
    pub seed: u64,
    /// Return the average of the weights over all updates instead of the last ones (averaged
    /// SGD: less dependent on the last examples seen, usually better on held-out data).
    pub average: bool,
    /// The loss.
    pub loss: Loss,
    /// Number of shuffles (seeds `seed`, `seed + 1`, …) trained on the same data and averaged
    /// into one model: less dependent on one training order.
    pub ensemble: u32,
    /// Neutral offset tuning (inside the training data only).
    pub tune_neutral: TuneNeutral,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            task: Task::Stance,
            epochs: 6,
            l2: 1e-4,
            lr: 0.15,
            class_weight: ClassWeight::Balanced,
            seed: 1,
            average: true,
            loss: Loss::Log,
            ensemble: 1,
            tune_neutral: TuneNeutral::Off,
        }
    }
}

/// splitmix64: a tiny seeded generator, so the shuffle does not depend on any crate's algorithm.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by rejection so there is no modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// The example as the model sees it for `task` (see [`TrainConfig::task`]).
pub fn prepare(ex: &Example, task: Task) -> std::borrow::Cow<'_, Example> {
    if task == Task::Sentiment && ex.span.is_none() && !ex.target.is_empty() {
        let mut e = ex.clone();
        e.target.clear();
        std::borrow::Cow::Owned(e)
    } else {
        std::borrow::Cow::Borrowed(ex)
    }
}

/// Feature vectors of `examples` for `task`, computed in parallel, in input order.
pub fn featurize_all(f: &Featurizer, examples: &[Example], task: Task) -> Vec<SparseVec> {
    examples
        .par_iter()
        .map(|e| f.featurize(&prepare(e, task)))
        .collect()
}

/// Trains on labelled examples (every `label` must be `Some`).
pub fn train(examples: &[Example], f: Featurizer, cfg: &TrainConfig) -> Result<Model> {
    let labels = labels_of(examples)?;
    let x = featurize_all(&f, examples, cfg.task);
    let refs: Vec<&SparseVec> = x.iter().collect();
    Ok(train_vectors(&refs, &labels, f, cfg))
}

/// The labels of `examples`, or an error if one is missing.
pub fn labels_of(examples: &[Example]) -> Result<Vec<Label>> {
    if examples.is_empty() {
        bail!("no training examples");
    }
    examples
        .iter()
        .enumerate()
        .map(|(i, e)| match e.label {
            Some(l) => Ok(l),
            None => bail!("training example {} has no label", i + 1),
        })
        .collect()
}

/// Trains on precomputed feature vectors (what cross-validation uses to featurize once).
pub fn train_vectors(x: &[&SparseVec], y: &[Label], f: Featurizer, cfg: &TrainConfig) -> Model {
    assert_eq!(x.len(), y.len());
    let (mut b, w) = fit(x, y, f.dim(), cfg);
    let offset = neutral_offset(x, y, f.dim(), cfg);
    b[Label::Neutral.index()] += offset;
    Model::new(f, cfg.clone(), x.len(), b, w).with_neutral_offset(offset)
}

/// The neutral offset chosen by [`TuneNeutral`]: 0 when off; otherwise the models of an
/// [`INNER_FOLDS`]-fold cross-validation of `(x, y)` (folds stratified by label, dealt from a
/// shuffle seeded with `cfg.seed`) score their held-out folds, and the offset on a grid from
/// −2 to 2 in steps of 0.05 that maximises the measure on those scores wins (the smallest
/// |offset| on ties). Only training data is used, so cross-validation around it stays honest.
pub fn neutral_offset(x: &[&SparseVec], y: &[Label], dim: usize, cfg: &TrainConfig) -> f32 {
    if cfg.tune_neutral == TuneNeutral::Off || x.len() < 2 * INNER_FOLDS {
        return 0.0;
    }
    let mut by_label: [Vec<usize>; 3] = Default::default();
    for (i, l) in y.iter().enumerate() {
        by_label[l.index()].push(i);
    }
    let mut rng = SplitMix(cfg.seed ^ 0x6e65_7574_7261_6c00);
    let mut fold = vec![0usize; x.len()];
    let mut next = 0;
    for mut members in by_label {
        rng.shuffle(&mut members);
        for i in members {
            fold[i] = next % INNER_FOLDS;
            next += 1;
        }
    }
    let mut s = vec![[0f32; 3]; x.len()];
    let held: Vec<Vec<(usize, [f32; 3])>> = (0..INNER_FOLDS)
        .into_par_iter()
        .map(|fi| {
            let (mut tx, mut ty) = (Vec::new(), Vec::new());
            for i in 0..x.len() {
                if fold[i] != fi {
                    tx.push(x[i]);
                    ty.push(y[i]);
                }
            }
            // One shuffle per inner model: the offset depends little on the ensemble, and this
            // keeps tuning at INNER_FOLDS extra fits.
            let one = TrainConfig {
                ensemble: 1,
                ..cfg.clone()
            };
            let (b, w) = fit(&tx, &ty, dim, &one);
            (0..x.len())
                .filter(|&i| fold[i] == fi)
                .map(|i| (i, scores(&w, &b, x[i])))
                .collect()
        })
        .collect();
    for (i, si) in held.into_iter().flatten() {
        s[i] = si;
    }
    let measure = |off: f32| {
        let mut c = crate::eval::metrics::Confusion::default();
        for (si, &yi) in s.iter().zip(y) {
            let mut si = *si;
            si[Label::Neutral.index()] += off;
            let mut best = 0;
            for k in 1..3 {
                if si[k] > si[best] {
                    best = k;
                }
            }
            c.add(yi, Label::from_index(best));
        }
        match cfg.tune_neutral {
            TuneNeutral::MacroF1 => c.macro_f1(),
            _ => c.f_avg(),
        }
    };
    let mut best = (measure(0.0), 0.0f32);
    for step in 1..=40 {
        for off in [step as f32 * 0.05, -(step as f32) * 0.05] {
            let m = measure(off);
            if m > best.0 {
                best = (m, off);
            }
        }
    }
    best.1
}

/// Bias and slot-major weights: the average of `cfg.ensemble` fits that differ only in the
/// shuffle seed. Each fit is single-threaded; they run in parallel and are added up in seed
/// order, so the result does not depend on the thread count.
pub fn fit(x: &[&SparseVec], y: &[Label], dim: usize, cfg: &TrainConfig) -> ([f32; 3], Vec<f32>) {
    let n = cfg.ensemble.max(1);
    let mut fits: Vec<([f32; 3], Vec<f32>)> = (0..n)
        .into_par_iter()
        .map(|e| fit_one(x, y, dim, cfg, cfg.seed.wrapping_add(u64::from(e))))
        .collect();
    let rest = fits.split_off(1);
    let (mut b, mut w) = fits.pop().expect("one fit");
    if n > 1 {
        for (b2, w2) in rest {
            for k in 0..3 {
                b[k] += b2[k];
            }
            for (a, c) in w.iter_mut().zip(&w2) {
                *a += c;
            }
        }
        let inv = 1.0 / n as f32;
        b.iter_mut().for_each(|v| *v *= inv);
        w.iter_mut().for_each(|v| *v *= inv);
    }
    (b, w)
}

/// One SGD fit with shuffle seed `seed`.
fn fit_one(
    x: &[&SparseVec],
    y: &[Label],
    dim: usize,
    cfg: &TrainConfig,
    seed: u64,
) -> ([f32; 3], Vec<f32>) {
    let mut counts = [0usize; 3];
    for l in y {
        counts[l.index()] += 1;
    }
    let cw: [f32; 3] = match cfg.class_weight {
        ClassWeight::None => [1.0; 3],
        ClassWeight::Balanced => counts.map(|c| {
            if c == 0 {
                0.0
            } else {
                y.len() as f32 / (3.0 * c as f32)
            }
        }),
    };
    // Weights are slot-major (`w[slot * 3 + class]`) so one example touches contiguous memory.
    let mut w = vec![0f32; dim * 3];
    let mut g2 = vec![0f32; dim * 3];
    let mut b = [0f32; 3];
    let mut gb = [0f32; 3];
    // Averaging without touching every weight per step: with `u += t·Δ` at step t for every
    // update Δ, the average of the weights after steps 1..=T is `w − u/T`.
    let mut u = if cfg.average {
        vec![0f32; dim * 3]
    } else {
        Vec::new()
    };
    let mut ub = [0f32; 3];
    let mut t = 0f32;
    let mut order: Vec<usize> = (0..x.len()).collect();
    let mut rng = SplitMix(seed);
    const EPS: f32 = 1e-8;
    for _ in 0..cfg.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            t += 1.0;
            let (xi, yi) = (x[i], y[i].index());
            let mut g = [0f32; 3];
            match cfg.loss {
                Loss::Log => {
                    let p = probs(&w, &b, xi);
                    for k in 0..3 {
                        g[k] = cw[yi] * (p[k] - if k == yi { 1.0 } else { 0.0 });
                    }
                }
                Loss::Hinge => {
                    let s = scores(&w, &b, xi);
                    for k in 0..3 {
                        let sign = if k == yi { 1.0 } else { -1.0 };
                        let m = 1.0 - sign * s[k];
                        if m > 0.0 {
                            g[k] = -2.0 * cw[yi] * sign * m;
                        }
                    }
                }
            }
            for k in 0..3 {
                gb[k] += g[k] * g[k];
                let d = cfg.lr * g[k] / (gb[k].sqrt() + EPS);
                b[k] -= d;
                ub[k] -= t * d;
            }
            for (&j, &v) in xi.idx.iter().zip(&xi.val) {
                let base = j as usize * 3;
                for k in 0..3 {
                    let grad = g[k] * v + cfg.l2 * w[base + k];
                    g2[base + k] += grad * grad;
                    let d = cfg.lr * grad / (g2[base + k].sqrt() + EPS);
                    w[base + k] -= d;
                    if cfg.average {
                        u[base + k] -= t * d;
                    }
                }
            }
        }
    }
    if cfg.average && t > 0.0 {
        for (wi, ui) in w.iter_mut().zip(&u) {
            *wi -= ui / t;
        }
        for k in 0..3 {
            b[k] -= ub[k] / t;
        }
    }
    (b, w)
}

/// Raw class scores `w·x + b`.
pub fn scores(w: &[f32], b: &[f32; 3], x: &SparseVec) -> [f32; 3] {
    let mut s = *b;
    for (&j, &v) in x.idx.iter().zip(&x.val) {
        let base = j as usize * 3;
        for k in 0..3 {
            s[k] += w[base + k] * v;
        }
    }
    s
}

/// Softmax class probabilities of `x` under weights `w`, bias `b`.
pub fn probs(w: &[f32], b: &[f32; 3], x: &SparseVec) -> [f32; 3] {
    let s = scores(w, b, x);
    let m = s[0].max(s[1]).max(s[2]);
    let e = s.map(|z| (z - m).exp());
    let z = e[0] + e[1] + e[2];
    e.map(|v| v / z)
}
