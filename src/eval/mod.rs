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

/// Three-way stance (or sentiment: Favor=positive, Against=negative, Neutral=neither/none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Against,
    Neutral,
    Favor,
}

impl Label {
    /// All labels in their fixed order (the order of model outputs and confusion-matrix rows).
    pub const ALL: [Label; 3] = [Label::Against, Label::Neutral, Label::Favor];

    /// Position in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label at position `i` of [`Label::ALL`].
    pub fn from_index(i: usize) -> Label {
        Label::ALL[i]
    }

    /// Lower-case name used in JSON and text output.
    pub fn name(self) -> &'static str {
        match self {
            Label::Against => "against",
            Label::Neutral => "neutral",
            Label::Favor => "favor",
        }
    }
}

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
    let _ = pipeline;
    anyhow::bail!("lexicon scorer not merged yet")
}
