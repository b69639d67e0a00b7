//! Scoring a gold file: with a given scorer, or by K-fold cross-validation of the learned model.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use rayon::prelude::*;

use super::metrics::Report;
use super::read::{Format, Gold, Task};
use super::{Example, Judgement, Label, StanceScorer};
use crate::learn::train::{featurize_all, train_vectors, SplitMix};
use crate::learn::{Featurizer, TrainConfig};

/// What a scorer is asked for one gold example: sentiment without a span is the tone of the text;
/// everything else (stance, target-dependent sentiment) is `stance`.
pub fn predict(scorer: &dyn StanceScorer, ex: &Example, task: Task) -> Judgement {
    if task == Task::Sentiment && ex.span.is_none() {
        scorer.tone(&ex.text)
    } else {
        scorer.stance(ex)
    }
}

fn gold_label(g: &Gold) -> Result<Label> {
    match g.ex.label {
        Some(l) => Ok(l),
        None => bail!("line {}: gold example has no label", g.line),
    }
}

/// Scores every gold example with `scorer` (in parallel; the report is filled in file order).
pub fn evaluate(
    gold: &[Gold],
    scorer: &dyn StanceScorer,
    format: Format,
    task: Task,
    scorer_name: &str,
) -> Result<Report> {
    let labels = gold.iter().map(gold_label).collect::<Result<Vec<_>>>()?;
    let pred: Vec<Label> = gold
        .par_iter()
        .map(|g| predict(scorer, &g.ex, task).label)
        .collect();
    let mut r = Report::new(format.name(), task.name(), scorer_name);
    for ((g, l), p) in gold.iter().zip(labels).zip(pred) {
        r.add(&g.ex.target, g.seen, l, p);
    }
    Ok(r)
}

/// Fold number (0..k) of every example. Examples with the same text are one group and stay in
/// one fold (VAST repeats a comment for several topics, NewsMTSC a sentence for several mentions:
/// splitting them would leak the text into training). Groups are stratified by the label of their
/// first example and, with `by_target`, by target (SemEval: every fold holds every target in
/// proportion), shuffled per stratum with `seed` and dealt round-robin.
pub fn folds(gold: &[Gold], k: usize, seed: u64, by_target: bool) -> Vec<usize> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in gold.iter().enumerate() {
        groups.entry(g.ex.text.as_str()).or_default().push(i);
    }
    let mut strata: BTreeMap<(&str, Option<Label>), Vec<Vec<usize>>> = BTreeMap::new();
    for members in groups.into_values() {
        let first = &gold[members[0]].ex;
        let key = (
            if by_target { first.target.as_str() } else { "" },
            first.label,
        );
        strata.entry(key).or_default().push(members);
    }
    let mut rng = SplitMix(seed);
    let mut out = vec![0; gold.len()];
    let mut next = 0;
    for mut gs in strata.into_values() {
        rng.shuffle(&mut gs);
        for members in gs {
            for i in members {
                out[i] = next % k;
            }
            next += 1;
        }
    }
    out
}

/// K-fold cross-validation: for each fold, a fresh model trained on the other K−1 folds scores it.
/// Folds train in parallel; each training is single-threaded and seeded, so the report does not
/// depend on the thread count.
pub fn cross_validate(
    gold: &[Gold],
    format: Format,
    task: Task,
    k: usize,
    seed: u64,
    f: &Featurizer,
    cfg: &TrainConfig,
) -> Result<Report> {
    if k < 2 {
        bail!("--cv needs at least 2 folds");
    }
    let labels = gold.iter().map(gold_label).collect::<Result<Vec<_>>>()?;
    if gold.len() < k {
        bail!("{} examples cannot make {k} folds", gold.len());
    }
    let fold = folds(gold, k, seed, format == Format::Semeval);
    let examples: Vec<Example> = gold.iter().map(|g| g.ex.clone()).collect();
    let x = featurize_all(f, &examples, task);
    let preds: Vec<Vec<(usize, Label)>> = (0..k)
        .into_par_iter()
        .map(|fi| {
            let (mut tx, mut ty) = (Vec::new(), Vec::new());
            for i in 0..gold.len() {
                if fold[i] != fi {
                    tx.push(&x[i]);
                    ty.push(labels[i]);
                }
            }
            let model = train_vectors(&tx, &ty, f.clone(), cfg);
            (0..gold.len())
                .filter(|&i| fold[i] == fi)
                .map(|i| (i, predict(&model, &gold[i].ex, task).label))
                .collect()
        })
        .collect();
    let mut pred = vec![Label::Neutral; gold.len()];
    for (i, p) in preds.into_iter().flatten() {
        pred[i] = p;
    }
    let mut r = Report::new(
        format.name(),
        task.name(),
        &format!("learned, {k}-fold cross-validation, seed {seed}"),
    );
    for (i, g) in gold.iter().enumerate() {
        r.add(&g.ex.target, g.seen, labels[i], pred[i]);
    }
    Ok(r)
}
