//! Scoring: tone of every sentence, paragraph, quotation and document; stance of the author and of
//! quoted speakers toward targets; cooperation and conflict between pairs of actors. Every score
//! keeps its evidence (sentence indexes) and the cue words that moved it.
//!
//! The scorers read the lexicons under `pipelines/lexicons/` (see [`lexicon`]) and run after the
//! mentions and quotes stages, whose mentions and quotations are the anchors scores attach to. The
//! body is tokenised once per document; tone, stance and relations all read the same tokens.

pub mod lexicon;
pub mod relations;
pub mod stance;
pub mod text;
pub mod tokens;
pub mod tone;
pub mod topics;

use std::sync::Arc;

use crate::article::Article;
use crate::pipeline::actors::ActorKind;
use lexicon::Lexicons;
use tokens::Tokens;
use tone::{Cue, Tone};

/// Three-way stance (or sentiment: favor = positive, against = negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// Against the target (negative).
    Against,
    /// Neither.
    Neutral,
    /// For the target (positive).
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

    /// Name used in the tables, JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Against => "against",
            Label::Neutral => "neutral",
            Label::Favor => "favor",
        }
    }
}

/// What a stance target is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// One actor, by id.
    Actor(Arc<str>),
    /// Two actors named in the same sentence.
    Pair(Arc<str>, Arc<str>),
    /// A topic named by terms (matched as whole words, case-insensitively), with what is known
    /// about the positions people take on it.
    Topic(Topic),
}

/// A topic target: the words that name it and the stance knowledge declared with it (see
/// [`topics`] and `pipelines/topics.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Topic {
    /// Phrases that name the topic; tone near them is tone toward it.
    pub terms: Vec<String>,
    /// Other names of the topic (a gold target such as `Climate Change is a Real Concern`),
    /// compared whole and case-insensitively.
    pub aliases: Vec<String>,
    /// Phrases that by themselves take the topic's side (`pro-choice` for abortion rights).
    pub favor: Vec<String>,
    /// Phrases that by themselves take the other side (`pro-life`).
    pub against: Vec<String>,
    /// Actors or things whose praise implies favor toward the topic (tone near them counts).
    pub allies: Vec<String>,
    /// Actors or things whose praise implies being against the topic (tone near them counts
    /// with the sign turned).
    pub opponents: Vec<String>,
}

/// A declared target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetDef {
    /// Id used in the `stances` table.
    pub id: String,
    /// What it matches.
    pub kind: TargetKind,
}

/// Which scorer turns evidence into stance scores.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScorerChoice {
    /// The lexicon rules.
    Lexicon,
    /// A model file trained with `stancemill train`.
    Model(std::path::PathBuf),
}

/// The pipeline's scoring settings (`[stages.tone]`, `[stages.stance]`, `[stages.relations]`,
/// `[targets]`, `[lexicons]`).
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct ScoreConfig {
    /// Whether tone (and with it stance and relations) is computed at all.
    pub enabled: bool,
    /// Whether the stances table is computed.
    pub stance: bool,
    /// Words each side of a target mention whose cues count toward stance.
    pub window: usize,
    /// Score at or above which a stance is `favor`.
    pub favor: Threshold,
    /// Score at or below which a stance is `against`.
    pub against: Threshold,
    /// For a bare text that never names its target: thresholds are this many times wider.
    pub unnamed_factor: Threshold,
    /// Which scorer.
    pub scorer: ScorerChoice,
    /// Declared targets.
    pub targets: Vec<TargetDef>,
    /// Actor kinds that become targets whenever mentioned.
    pub auto_targets: Vec<ActorKind>,
    /// Whether the relations table is computed.
    pub relations: bool,
    /// Lexicon sources: (lexicon, files), `builtin` for the shipped file.
    pub lexicons: Vec<(String, Vec<String>)>,
}

/// A float setting that can be hashed with the rest of the pipeline (its bits).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold(pub f32);

impl std::hash::Hash for Threshold {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            enabled: true,
            stance: true,
            window: 8,
            favor: Threshold(0.1),
            against: Threshold(-0.1),
            unnamed_factor: Threshold(2.0),
            scorer: ScorerChoice::Lexicon,
            targets: Vec::new(),
            auto_targets: vec![
                ActorKind::State,
                ActorKind::Organisation,
                ActorKind::Agreement,
            ],
            relations: true,
            lexicons: lexicon::BUILTIN
                .iter()
                .map(|(n, _)| (n.to_string(), vec!["builtin".into()]))
                .collect(),
        }
    }
}

impl ScoreConfig {
    /// The label for a score.
    pub fn label(&self, score: f32) -> Label {
        if score >= self.favor.0 {
            Label::Favor
        } else if score <= self.against.0 {
            Label::Against
        } else {
            Label::Neutral
        }
    }
}

/// A cue as stored with an article: byte range in `body` and contribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CueSpan {
    /// Byte range in `body`.
    pub bytes: (u32, u32),
    /// Contribution (sign = direction).
    pub value: f32,
}

/// Where a stance was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The whole document.
    Document,
    /// One paragraph.
    Paragraph,
    /// One quotation.
    Quote,
}

impl Scope {
    /// Name used in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Document => "document",
            Scope::Paragraph => "paragraph",
            Scope::Quote => "quote",
        }
    }
}

/// One row of the `stances` table.
#[derive(Clone, Debug, PartialEq)]
pub struct StanceRow {
    /// Document, paragraph or quote.
    pub scope: Scope,
    /// The paragraph (paragraph scope) or the quote's paragraph.
    pub paragraph_index: Option<u32>,
    /// The quotation (quote scope).
    pub quote_index: Option<u32>,
    /// `author`, the speaker's actor id, or `unknown`.
    pub holder: Arc<str>,
    /// Target id.
    pub target: Arc<str>,
    /// `actor`, `pair` or `topic`.
    pub target_kind: &'static str,
    /// Mentions of the target in the scope.
    pub mentions: u32,
    /// Score in [-1, 1].
    pub score: f32,
    /// Label from the thresholds.
    pub label: Label,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// Sentences the score rests on.
    pub evidence: Vec<u32>,
    /// Cue words, strongest first.
    pub cues: Vec<String>,
}

/// One row of the `relations` table.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationRow {
    /// Document or paragraph.
    pub scope: Scope,
    /// The paragraph (paragraph scope).
    pub paragraph_index: Option<u32>,
    /// First actor (ids in order).
    pub actor_a: Arc<str>,
    /// Second actor.
    pub actor_b: Arc<str>,
    /// Sentences naming both.
    pub co_mentions: u32,
    /// Cooperation in [0, 1).
    pub cooperation: f32,
    /// Conflict in [0, 1).
    pub conflict: f32,
    /// Net score in [-1, 1] (cooperation positive).
    pub score: f32,
    /// `cooperation`, `conflict`, `mixed` or `neutral`.
    pub label: &'static str,
    /// GDELT QuadClass of the strongest cues (1 verbal cooperation … 4 material conflict).
    pub quad_class: Option<u8>,
    /// Sentences with cues for the pair (or, without cues, the sentences naming both).
    pub evidence: Vec<u32>,
    /// Cue words, strongest first.
    pub cues: Vec<String>,
}

/// Everything the scorers found in one article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// Tone per sentence.
    pub sentence_tone: Vec<Tone>,
    /// Tone per paragraph (sum of its sentences).
    pub paragraph_tone: Vec<Tone>,
    /// Tone per quotation.
    pub quote_tone: Vec<Tone>,
    /// Tone of the document.
    pub document_tone: Tone,
    /// Tone cues of all sentences, in order.
    pub cues: Vec<CueSpan>,
    /// `cues[sentence_cues[i]..sentence_cues[i + 1]]` are sentence `i`'s cues.
    pub sentence_cues: Vec<u32>,
    /// Stance rows.
    pub stances: Vec<StanceRow>,
    /// Relation rows.
    pub relations: Vec<RelationRow>,
}

impl Scores {
    /// The tone cues of sentence `i`.
    pub fn cues_of(&self, i: usize) -> &[CueSpan] {
        match (self.sentence_cues.get(i), self.sentence_cues.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.cues[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Cue words as strings, strongest first, each once.
pub fn cue_words(body: &str, cues: impl IntoIterator<Item = CueSpan>, max: usize) -> Vec<String> {
    let mut v: Vec<CueSpan> = cues.into_iter().collect();
    v.sort_by(|a, b| {
        b.value
            .abs()
            .total_cmp(&a.value.abs())
            .then(a.bytes.cmp(&b.bytes))
    });
    let mut out: Vec<String> = Vec::new();
    for c in v {
        let w = &body[c.bytes.0 as usize..c.bytes.1 as usize];
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
            if out.len() == max {
                break;
            }
        }
    }
    out
}

/// The scoring stage, built once per run.
#[derive(Debug)]
pub struct Scorer {
    /// Settings.
    pub config: ScoreConfig,
    /// Lexicons.
    pub lex: Arc<Lexicons>,
    stance: stance::StanceScorer,
    /// The topic targets' phrases, for bare texts whose target names a topic.
    topics: topics::TopicIndex,
    /// A learned model that scores the stance rows' evidence instead of the lexicon rules (the
    /// evidence and cue words still come from the lexicon), with the display names it reads
    /// targets by.
    model: Option<(
        Arc<crate::learn::Model>,
        std::collections::HashMap<String, String>,
    )>,
}

thread_local! {
    static TOKENS: std::cell::RefCell<Tokens> = std::cell::RefCell::new(Tokens::default());
}

impl Scorer {
    /// Builds the scorer (lexicons are read and checked when the pipeline is loaded).
    pub fn new(config: &ScoreConfig, lex: Arc<Lexicons>) -> Scorer {
        // Topic phrases are matched like lexicon entries, so their words need ids too.
        let topic_words: Vec<String> = topics::TopicIndex::words(&config.targets);
        let lex = if topic_words.iter().all(|w| lex.vocab.get(w).is_some()) {
            lex
        } else {
            let mut l = (*lex).clone();
            for w in &topic_words {
                l.vocab.intern(w);
            }
            Arc::new(l)
        };
        Scorer {
            stance: stance::StanceScorer::new(config),
            topics: topics::TopicIndex::new(&config.targets, &lex.vocab),
            config: config.clone(),
            lex,
            model: None,
        }
    }

    /// The scorer a pipeline describes, with its learned model when it names one.
    pub fn for_pipeline(p: &crate::pipeline::Pipeline) -> Scorer {
        let mut s = Scorer::new(&p.score, p.lexicons.clone());
        if let Some(m) = &p.model {
            let names = p
                .actors
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect();
            s.model = Some((m.model.clone(), names));
        }
        s
    }

    /// Scores one article in place.
    pub fn score(&self, a: &mut Article) {
        if !self.config.enabled {
            return;
        }
        TOKENS.with(|t| {
            let mut t = t.borrow_mut();
            t.clear();
            self.lex.tokenize(&a.body, 0, &mut t);
            let ctx = self.tone(a, &t);
            if self.config.stance {
                a.scores.stances = self.stance.score(self, a, &t, &ctx);
                if let Some((model, names)) = &self.model {
                    rescore(model, names, a);
                }
            }
            if self.config.relations {
                a.scores.relations = relations::score(self, a, &t, &ctx);
            }
        });
    }

    fn tone(&self, a: &mut Article, t: &Tokens) -> Context {
        let s = &mut a.scores;
        s.sentence_tone.clear();
        s.cues.clear();
        s.sentence_cues.clear();
        // Slogans in quotation marks are someone else's words, not the author's tone; names carry
        // no valence (`Trans-Pacific Partnership`, `Peace Corps`).
        let mut muted: Vec<(usize, usize)> = a
            .quotes
            .iter()
            .filter(|q| q.kind == crate::article::QuoteKind::Phrase)
            .map(|q| q.bytes)
            .chain(a.mentions.iter().map(|m| m.bytes))
            .collect();
        muted.sort_unstable();
        let in_phrase = |b: usize| {
            // Spans may nest (a name inside a slogan), so look at every span starting before `b`
            // that could still reach it.
            let i = muted.partition_point(|p| p.0 <= b);
            muted[..i].iter().rev().take(4).any(|p| b < p.1)
        };
        let mut ctx = Context::default();
        let mut cues = Vec::new();
        for sent in &a.sentences {
            let ta = t.first_at(sent.bytes.0);
            let tb = t.first_at(sent.bytes.1);
            ctx.sentence_toks.push((ta as u32, tb as u32));
            s.sentence_cues.push(ctx.cues.len() as u32);
            cues.clear();
            let tone = tone::score_span(&self.lex, t, ta, tb, in_phrase, &mut cues);
            // In token order, so the stance and relation scorers can find a window's cues by
            // binary search (a run-on "sentence" can hold thousands).
            cues.sort_by_key(|c| c.tok);
            s.sentence_tone.push(tone);
            ctx.cues.extend_from_slice(&cues);
        }
        s.sentence_cues.push(ctx.cues.len() as u32);
        s.cues = ctx.cues.iter().map(|c| span(t, c)).collect();
        s.paragraph_tone = vec![Tone::default(); a.paragraphs.len()];
        for (sent, tone) in a.sentences.iter().zip(&s.sentence_tone) {
            s.paragraph_tone[sent.paragraph_index as usize].add(tone);
        }
        let mut doc = Tone::default();
        for p in &s.paragraph_tone {
            doc.add(p);
        }
        s.document_tone = doc;
        s.quote_tone.clear();
        for q in &a.quotes {
            let qa = t.first_at(q.bytes.0);
            let qb = t.first_at(q.bytes.1);
            let first = ctx.quote_cues.len();
            let tone = tone::score_span(&self.lex, t, qa, qb, |_| false, &mut ctx.quote_cues);
            ctx.quote_cues[first..].sort_by_key(|c| c.tok);
            ctx.quote_ranges
                .push((first as u32, ctx.quote_cues.len() as u32));
            ctx.quote_toks.push((qa as u32, qb as u32));
            s.quote_tone.push(tone);
        }
        ctx
    }
}

/// Replaces each stance row's score with the learned model's judgement of its evidence sentences
/// (the quotation's words for quote scope) toward the target's display name.
fn rescore(
    model: &crate::learn::Model,
    names: &std::collections::HashMap<String, String>,
    a: &mut Article,
) {
    use crate::eval::StanceScorer as _;
    let mut rows = std::mem::take(&mut a.scores.stances);
    for r in &mut rows {
        let text = match (r.scope, r.quote_index) {
            (Scope::Quote, Some(q)) => {
                let q = &a.quotes[q as usize];
                a.body[q.bytes.0..q.bytes.1].to_string()
            }
            _ => r
                .evidence
                .iter()
                .filter_map(|&s| a.sentences.get(s as usize))
                .map(|s| a.sentence_text(s))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let target = names
            .get(&*r.target)
            .cloned()
            .unwrap_or_else(|| r.target.to_string());
        let j = model.stance(&crate::eval::Example {
            text,
            target,
            span: None,
            label: None,
        });
        r.score = j.score;
        r.label = j.label;
        r.confidence = j.confidence;
    }
    a.scores.stances = rows;
}

/// Token-level results shared by the stance and relation scorers.
#[derive(Debug, Default)]
pub struct Context {
    /// Token range of each sentence.
    pub sentence_toks: Vec<(u32, u32)>,
    /// Tone cues of all sentences (author voice), in order.
    pub cues: Vec<Cue>,
    /// Token range of each quotation.
    pub quote_toks: Vec<(u32, u32)>,
    /// Tone cues inside quotations.
    pub quote_cues: Vec<Cue>,
    /// `quote_cues[a..b]` per quotation.
    pub quote_ranges: Vec<(u32, u32)>,
}

/// A cue's byte range.
pub fn span(t: &Tokens, c: &Cue) -> CueSpan {
    let a = t.toks[c.tok as usize].start;
    let b = t.toks[(c.tok + c.len - 1) as usize].end;
    CueSpan {
        bytes: (a as u32, b as u32),
        value: c.value,
    }
}
