//! Tone of a run of tokens from the valence lexicon, with the rules that matter in news prose.
//!
//! The rules follow VADER (Hutto & Gilbert 2014) where it fits and depart where news differs:
//! - a negator flips and weakens valence words in the next three words of its clause;
//! - an intensifier or dampener scales the valence word right after it (up to two words on);
//! - a turn (`but`, `however`) shrinks what came before in the sentence and grows what follows; a
//!   concessive (`although`, `despite`) shrinks the clause it opens and grows the clause after it;
//! - hedges (`could`, `might`) do not change the sign, they lower the confidence;
//! - a negator with nothing to negate still leans negative (a quarter of its weight);
//! - a question asserts nothing: its valence counts half, at lower confidence; but a question
//!   opened by a challenge (`why`, `how can`: the `question` modifiers) objects, and counts as their
//!   weight;
//! - the caller can exclude tokens (slogans in quotation marks are not the author's own voice).
//!
//! Scores are `(pos - neg) / (pos + neg + ALPHA)`: in [-1, 1], near 0 for balanced or thin
//! evidence, and comparable between a sentence and a whole document, which a sum is not.

use super::lexicon::{Lexicons, ModKind};
use super::tokens::{is_clause_break, TokKind, Tokens};

/// Smoothing of the polarity ratio: one full-strength word alone scores 0.5.
pub const ALPHA: f32 = 1.0;
/// Weight of valence inside a question.
const QUESTION: f32 = 0.5;
/// Words after a negator that it reaches.
const NEGATION_SCOPE: u32 = 3;

/// One word or phrase that moved a score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cue {
    /// First token.
    pub tok: u32,
    /// Tokens covered.
    pub len: u32,
    /// Its contribution after the rules (sign = direction).
    pub value: f32,
}

/// Tone evidence of a span: sums of positive and negative contributions and the rule flags.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tone {
    /// Sum of positive contributions.
    pub pos: f32,
    /// Sum of the magnitudes of negative contributions.
    pub neg: f32,
    /// Words (or phrases) with positive contribution.
    pub pos_words: u32,
    /// Words (or phrases) with negative contribution.
    pub neg_words: u32,
    /// Smallest hedge factor seen (1 when unhedged).
    pub hedge: f32,
    /// Whether the span is a question.
    pub question: bool,
}

impl Default for Tone {
    fn default() -> Self {
        Tone {
            pos: 0.0,
            neg: 0.0,
            pos_words: 0,
            neg_words: 0,
            hedge: 1.0,
            question: false,
        }
    }
}

/// `(pos - neg) / (pos + neg + ALPHA)`.
pub fn polarity(pos: f32, neg: f32) -> f32 {
    (pos - neg) / (pos + neg + ALPHA)
}

/// Confidence from the amount of evidence and the hedges on it.
pub fn confidence(mass: f32, hedge: f32) -> f32 {
    (1.0 - (-mass).exp()) * hedge
}

impl Tone {
    /// The score in [-1, 1].
    pub fn score(&self) -> f32 {
        polarity(self.pos, self.neg)
    }

    /// Confidence in [0, 1].
    pub fn confidence(&self) -> f32 {
        confidence(
            self.pos + self.neg,
            self.hedge * if self.question { 0.7 } else { 1.0 },
        )
    }

    /// Adds another span's evidence (for paragraphs and documents).
    pub fn add(&mut self, o: &Tone) {
        self.pos += o.pos;
        self.neg += o.neg;
        self.pos_words += o.pos_words;
        self.neg_words += o.neg_words;
        self.hedge = self.hedge.min(o.hedge);
    }
}

/// Scores tokens `a..b` of `t`, appending each contributing word to `cues`. Tokens starting at a
/// byte for which `skip` is true contribute nothing (but still take part in the rules).
pub fn score_span(
    lex: &Lexicons,
    t: &Tokens,
    a: usize,
    b: usize,
    skip: impl Fn(usize) -> bool,
    cues: &mut Vec<Cue>,
) -> Tone {
    let first = cues.len();
    let mut tone = Tone::default();
    let mut factor = 1.0f32;
    let mut after_clause: Option<f32> = None;
    let mut neg_left = 0u32;
    let mut neg_w = 1.0f32;
    // The negator in force and whether it has negated a word yet: a negation with nothing to
    // negate (`I don't want her as president`) still leans negative.
    let mut neg_at: Option<(usize, usize, bool)> = None;
    let mut rhetorical: Option<(usize, usize, f32)> = None;
    let mut boost = 0.0f32;
    let mut boost_left = 0u32;
    let mut i = a;
    while i < b {
        let tok = t.toks[i];
        if let TokKind::Punct(c) = tok.kind {
            if c == '?' {
                tone.question = true;
            }
            if is_clause_break(tok.kind) {
                bare_negation(&mut neg_at, neg_w, cues);
                neg_left = 0;
                boost_left = 0;
                if let Some(f) = after_clause.take() {
                    factor = f;
                }
            }
            i += 1;
            continue;
        }
        if let Some((n, m)) = t_modifier(lex, t, i, b) {
            match m.kind {
                ModKind::Negator => {
                    bare_negation(&mut neg_at, neg_w, cues);
                    neg_left = NEGATION_SCOPE;
                    neg_w = m.weight;
                    neg_at = Some((i, n, false));
                }
                ModKind::Intensifier | ModKind::Dampener => {
                    boost = m.weight;
                    boost_left = 2;
                }
                ModKind::Contrast if m.weight >= 1.0 => {
                    let back = (2.0 - m.weight).max(0.1);
                    for c in &mut cues[first..] {
                        c.value *= back;
                    }
                    factor = m.weight;
                    after_clause = None;
                }
                ModKind::Contrast => {
                    factor = m.weight;
                    after_clause = Some(2.0 - m.weight);
                }
                ModKind::Hedge => tone.hedge = tone.hedge.min(m.weight),
                ModKind::Question => {
                    if rhetorical.is_none() {
                        rhetorical = Some((i, n, m.weight));
                    }
                }
                ModKind::Reporting => {}
            }
            i += n;
            continue;
        }
        let mut n = 1;
        if let Some((len, &v)) = lex.valence.longest(t, i) {
            if i + len <= b {
                n = len;
                if !skip(tok.start) {
                    let mut val = v * factor;
                    if boost_left > 0 {
                        val *= 1.0 + boost;
                    }
                    if neg_left > 0 {
                        val *= neg_w;
                        if let Some(at) = neg_at.as_mut() {
                            at.2 = true;
                        }
                    }
                    cues.push(Cue {
                        tok: i as u32,
                        len: len as u32,
                        value: val,
                    });
                }
                boost_left = 0;
            }
        }
        neg_left = neg_left.saturating_sub(n as u32);
        if neg_left == 0 {
            bare_negation(&mut neg_at, neg_w, cues);
        }
        boost_left = boost_left.saturating_sub(n as u32);
        i += n;
    }
    bare_negation(&mut neg_at, neg_w, cues);
    let q = if tone.question { QUESTION } else { 1.0 };
    // A question opened by a challenge (`why`, `how can`) asks nothing: it objects.
    if let (true, Some((at, n, w))) = (tone.question, rhetorical) {
        cues.push(Cue {
            tok: at as u32,
            len: n as u32,
            value: w / QUESTION,
        });
    }
    for c in &mut cues[first..] {
        c.value *= q;
        if c.value > 0.0 {
            tone.pos += c.value;
            tone.pos_words += 1;
        } else if c.value < 0.0 {
            tone.neg -= c.value;
            tone.neg_words += 1;
        }
    }
    tone
}

/// Valence of a negator that found nothing to negate, as a share of its weight.
const BARE_NEGATION: f32 = 0.25;

fn bare_negation(at: &mut Option<(usize, usize, bool)>, w: f32, cues: &mut Vec<Cue>) {
    if let Some((i, n, used)) = at.take() {
        // Weight 1 marks phrases that only look like negation (`not only`, `no doubt`).
        if !used && w < 0.0 {
            cues.push(Cue {
                tok: i as u32,
                len: n as u32,
                value: BARE_NEGATION * w,
            });
        }
    }
}

fn t_modifier<'l>(
    lex: &'l Lexicons,
    t: &Tokens,
    i: usize,
    b: usize,
) -> Option<(usize, &'l super::lexicon::Modifier)> {
    lex.modifiers.longest(t, i).filter(|(n, _)| i + n <= b)
}

/// Whether a negator stands within [`NEGATION_SCOPE`] words before token `i` in its clause (for cue
/// lexicons scored outside [`score_span`]), and its weight.
pub fn negation_before(lex: &Lexicons, t: &Tokens, i: usize, floor: usize) -> Option<f32> {
    let mut words = 0;
    let mut j = i;
    while j > floor && words < NEGATION_SCOPE + 1 {
        j -= 1;
        if is_clause_break(t.toks[j].kind) {
            return None;
        }
        if let Some((n, m)) = lex.modifiers.longest(t, j) {
            if m.kind == ModKind::Negator && j + n <= i {
                return Some(m.weight);
            }
        }
        words += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicons {
        let mut l = Lexicons::default();
        l.add(
            "valence",
            "t",
            "good\t0.5\nbad\t-0.5\ngreat\t0.8\nthreat\t-0.6\nmutual trust\t0.6\ntrust\t0.4\n",
        )
        .unwrap();
        l.add(
            "modifiers",
            "t",
            "negator\tnot\t-0.74\nnegator\tno longer\t-0.74\nintensifier\tvery\t0.3\ndampener\tslightly\t-0.3\ncontrast\tbut\t1.5\ncontrast\talthough\t0.5\nhedge\tmight\t0.7\n",
        )
        .unwrap();
        l
    }

    fn run(s: &str) -> (Tone, Vec<Cue>) {
        let l = lex();
        let mut t = Tokens::default();
        l.tokenize(s, 0, &mut t);
        let mut cues = Vec::new();
        let tone = score_span(&l, &t, 0, t.len(), |_| false, &mut cues);
        (tone, cues)
    }

    #[test]
    fn plain_words_and_phrases() {
        let (t, c) = run("A good deal built on mutual trust.");
        assert_eq!(c.len(), 2, "mutual trust is one cue, not trust: {c:?}");
        assert!((t.pos - 1.1).abs() < 1e-6);
        assert!((t.score() - 1.1 / 2.1).abs() < 1e-6);
        assert_eq!(t.confidence(), 1.0 - (-1.1f32).exp());
    }

    #[test]
    fn negation_reaches_three_words_and_stops_at_a_comma() {
        assert!(run("This is not a good deal").0.score() < 0.0);
        assert!(run("It is no longer good").0.score() < 0.0);
        assert!(run("Not this one, good").0.score() > 0.0);
        assert!(run("not one two three four good").0.score() > 0.0);
    }

    #[test]
    fn boosters_scale_the_next_word() {
        let base = run("good").0.pos;
        assert!((run("very good").0.pos - base * 1.3).abs() < 1e-6);
        assert!((run("slightly good").0.pos - base * 0.7).abs() < 1e-6);
    }

    #[test]
    fn the_clause_after_a_turn_weighs_more() {
        assert!(run("Good, but bad").0.score() < 0.0);
        assert!(run("Although bad, good").0.score() > 0.0);
        assert!(run("Bad, although good").0.score() < 0.0);
    }

    #[test]
    fn hedges_and_questions() {
        let (t, _) = run("It might be good");
        assert_eq!(t.pos, 0.5);
        assert!(t.confidence() < run("It is good").0.confidence());
        let (q, _) = run("Is it good?");
        assert!(q.question && (q.pos - 0.25).abs() < 1e-6);
    }

    #[test]
    fn skipped_tokens_do_not_count() {
        let l = lex();
        let mut t = Tokens::default();
        l.tokenize("good “great” bad", 0, &mut t);
        let mut cues = Vec::new();
        let tone = score_span(&l, &t, 0, t.len(), |b| (5..13).contains(&b), &mut cues);
        assert_eq!((tone.pos, tone.neg), (0.5, 0.5));
    }

    #[test]
    fn negation_before_a_cue() {
        let l = lex();
        let mut t = Tokens::default();
        l.tokenize("they did not sign it, sign", 0, &mut t);
        assert_eq!(negation_before(&l, &t, 3, 0), Some(-0.74));
        assert_eq!(negation_before(&l, &t, 6, 0), None);
    }
}
