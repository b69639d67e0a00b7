//! Evaluation of stance and sentiment scorers against human labels.
//!
//! The shared interface lives here: [`Label`], [`Judgement`], [`Example`] and the [`StanceScorer`]
//! trait, implemented by the learned model ([`crate::learn::Model`]) and by the lexicon scorer.
//! [`read`] loads the gold formats (SemEval-2016 Task 6, VAST, NewsMTSC, generic CSV), [`metrics`]
//! computes the official measures, and [`runner`] scores a gold file with a model, with the lexicon
//! scorer, or by K-fold cross-validation.

pub mod metrics;
pub mod read;
pub mod runner;

pub use crate::score::Label;

/// One judgement of a text toward a target.
#[derive(Clone, Debug)]
pub struct Judgement {
    /// Signed strength in [-1, 1]: negative is against/negative, positive is favour/positive.
    pub score: f32,
    /// The decided label.
    pub label: Label,
    /// How sure the scorer is, in [0, 1].
    pub confidence: f32,
}

/// One labelled or unlabelled example: the text, the target (free text: "Hillary Clinton", a VAST
/// topic, a NewsMTSC mention), and where given the target's character span in `text`.
#[derive(Clone, Debug)]
pub struct Example {
    /// The text (tweet, comment, sentence).
    pub text: String,
    /// The target of the stance or sentiment; empty when there is none.
    pub target: String,
    /// Character (not byte) offsets `[start, end)` of the target mention in `text`.
    pub span: Option<(usize, usize)>,
    /// The gold label, if known.
    pub label: Option<Label>,
}

/// Anything that can score examples: the lexicon scorer and the learned model both implement it.
pub trait StanceScorer: Sync {
    /// Stance toward ex.target (or, for target-dependent sentiment, sentiment toward the span).
    fn stance(&self, ex: &Example) -> Judgement;
    /// Tone of the whole text, for `--task sentiment`.
    fn tone(&self, text: &str) -> Judgement;
}

/// The lexicon scorer for `stancemill eval --pipeline NAME|FILE` (or neither `--model` nor `--cv`).
pub fn lexicon_scorer(pipeline: Option<&str>) -> anyhow::Result<Box<dyn StanceScorer>> {
    let p = crate::pipeline::Pipeline::resolve(pipeline).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Box::new(crate::score::Scorer::new(
        &p.score,
        p.lexicons.clone(),
    )))
}

/// Name of the dense-feature hook that feeds the lexicon scorer's judgement to a learned model.
pub const LEXICON_HOOK: &str = "lexicon";

/// The lexicon scorer's judgement of an example as features for a learned model: stance score,
/// confidence, whether the target was found, and the whole text's tone. The model learns how far
/// to trust them per class, so the lexicon's knowledge of negation and cue words reaches targets
/// and wordings the training data never saw.
pub fn lexicon_hook(
    pipeline: Option<&str>,
) -> anyhow::Result<std::sync::Arc<crate::learn::DenseHook>> {
    // Models are trained with the built-in pipeline's hook; loading one (possibly while another
    // pipeline is being resolved) must not rebuild the whole built-in pipeline every time.
    static BUILTIN: std::sync::OnceLock<std::sync::Arc<crate::score::Scorer>> =
        std::sync::OnceLock::new();
    let scorer = match pipeline {
        None => BUILTIN
            .get_or_init(|| {
                let p = crate::pipeline::Pipeline::builtin();
                std::sync::Arc::new(crate::score::Scorer::new(&p.score, p.lexicons.clone()))
            })
            .clone(),
        Some(_) => {
            let p =
                crate::pipeline::Pipeline::resolve(pipeline).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::sync::Arc::new(crate::score::Scorer::new(&p.score, p.lexicons.clone()))
        }
    };
    Ok(std::sync::Arc::new(move |ex: &Example| {
        let j = scorer.stance_of(&ex.text, &ex.target, byte_span(&ex.text, ex.span));
        vec![
            ("stance".to_string(), j.score),
            ("stance_pos".to_string(), j.score.max(0.0)),
            ("stance_neg".to_string(), (-j.score).max(0.0)),
            ("stance_conf".to_string(), j.confidence),
            ("found".to_string(), f32::from(u8::from(j.target_found))),
            ("tone".to_string(), j.tone),
        ]
    }))
}

/// Loads a model file, attaching the lexicon hook when the model was trained with it.
pub fn load_model(path: &std::path::Path) -> anyhow::Result<crate::learn::Model> {
    model_from_bytes(crate::learn::Model::load(path)?, path)
}

/// A model file's bytes (read once by the caller, which also hashes them) as a ready model.
pub fn load_model_bytes(
    bytes: &[u8],
    path: &std::path::Path,
) -> anyhow::Result<crate::learn::Model> {
    use anyhow::Context;
    let model = crate::learn::Model::from_bytes(bytes)
        .with_context(|| format!("invalid model file {}", path.display()))?;
    model_from_bytes(model, path)
}

fn model_from_bytes(
    model: crate::learn::Model,
    path: &std::path::Path,
) -> anyhow::Result<crate::learn::Model> {
    match model.required_hook() {
        None => Ok(model),
        Some(LEXICON_HOOK) => model.attach_hook(LEXICON_HOOK, lexicon_hook(None)?),
        Some(h) => anyhow::bail!(
            "model {} needs the dense-feature hook `{h}`, which stancemill does not have",
            path.display()
        ),
    }
}

/// A character span as a byte span of `text`.
pub fn byte_span(text: &str, span: Option<(usize, usize)>) -> Option<(usize, usize)> {
    let (a, b) = span?;
    let at = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(i, _)| i);
    Some((at(a), at(b)))
}

impl StanceScorer for crate::score::Scorer {
    fn stance(&self, ex: &Example) -> Judgement {
        let j = self.stance_of(&ex.text, &ex.target, byte_span(&ex.text, ex.span));
        Judgement {
            score: j.score,
            label: j.label,
            confidence: j.confidence,
        }
    }

    fn tone(&self, text: &str) -> Judgement {
        let j = self.tone_of(text);
        Judgement {
            score: j.score,
            label: j.label,
            confidence: j.confidence,
        }
    }
}
