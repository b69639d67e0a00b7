//! Training: multinomial logistic regression over the three labels by AdaGrad SGD.
//!
//! Deterministic by construction: features are computed in parallel but collected in input order,
//! the optimisation itself runs on one thread over a shuffle drawn from a seeded splitmix64
//! generator, and nothing is iterated in hash-map order. Same input + same seed = same bytes,
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
    let dim = f.dim();
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
    let mut rng = SplitMix(cfg.seed);
    const EPS: f32 = 1e-8;
    for _ in 0..cfg.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            t += 1.0;
            let (xi, yi) = (x[i], y[i].index());
            let p = probs(&w, &b, xi);
            let mut g = [0f32; 3];
            for k in 0..3 {
                g[k] = cw[yi] * (p[k] - if k == yi { 1.0 } else { 0.0 });
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
    Model::new(f, cfg.clone(), x.len(), b, w)
}

/// Softmax class probabilities of `x` under weights `w`, bias `b`.
pub fn probs(w: &[f32], b: &[f32; 3], x: &SparseVec) -> [f32; 3] {
    let mut s = *b;
    for (&j, &v) in x.idx.iter().zip(&x.val) {
        let base = j as usize * 3;
        for k in 0..3 {
            s[k] += w[base + k] * v;
        }
    }
    let m = s[0].max(s[1]).max(s[2]);
    let e = s.map(|z| (z - m).exp());
    let z = e[0] + e[1] + e[2];
    e.map(|v| v / z)
}
