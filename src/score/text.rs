//! The lexicon scorer on a bare text and a free-text target (a tweet and `Hillary Clinton`, a news
//! sentence and the span of the person it mentions, a comment and a topic): what `stancemill eval`
//! measures, with the same rules the pipeline applies to articles.
//!
//! Without mentions from the gazetteer, the target is found by its own words: a token matches a
//! target word when they share a stem (the first six letters, or the whole word when shorter), so
//! `abortions` finds `Legalization of Abortion` and `feminists` finds `Feminist Movement`. The
//! stance is then scored around those tokens with the article scorer's distance weighting and
//! directional stance cues (its cooperation/conflict cues are not used here), plus a smaller share
//! of the whole text's tone. When the text never names the target, its overall tone stands in, at
//! lower confidence and against thresholds `unnamed_factor` times wider (a comment that never names
//! a topic is more often about something else than for or against it).

use super::stance::{gap, proximity, push_max, stance_cues_before};
use super::tokens::{entry_words, TokKind, Tokens};
use super::tone::{self, Cue};
use super::topics::{Effect, ALLY_SHARE};
use super::{Label, Scorer};

/// Words too common to identify a target.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "the", "to", "with", "movement", "real", "concern", "should", "we", "be", "this", "that",
];
/// Weight of the whole text's tone next to the cues around the target.
const BACKGROUND: f32 = 0.35;

/// A judgement of a text toward a target.
#[derive(Clone, Debug, PartialEq)]
pub struct TextJudgement {
    /// Score in [-1, 1].
    pub score: f32,
    /// Label from the pipeline's thresholds.
    pub label: Label,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// Whether the target was found in the text.
    pub target_found: bool,
    /// Tone of the whole text (what [`Scorer::tone_of`] gives), computed on the way.
    pub tone: f32,
    /// The cue words, strongest first.
    pub cues: Vec<String>,
}

fn stem(w: &str) -> &str {
    match w.char_indices().nth(6) {
        Some((i, _)) => &w[..i],
        None => w,
    }
}

impl Scorer {
    /// Tone of a whole text.
    pub fn tone_of(&self, text: &str) -> TextJudgement {
        let mut t = Tokens::default();
        self.lex.tokenize(text, 0, &mut t);
        let mut cues = Vec::new();
        let tone = tone::score_span(&self.lex, &t, 0, t.len(), |_| false, &mut cues);
        let score = tone.score();
        TextJudgement {
            score,
            label: self.config.label(score),
            confidence: tone.confidence(),
            target_found: false,
            tone: score,
            cues: words(text, &t, &cues),
        }
    }

    /// Stance of `text` toward `target`; `span` (byte range) marks the target when the data gives it.
    pub fn stance_of(
        &self,
        text: &str,
        target: &str,
        span: Option<(usize, usize)>,
    ) -> TextJudgement {
        let mut t = Tokens::default();
        self.lex.tokenize(text, 0, &mut t);
        let mut tone_cues = Vec::new();
        let whole = tone::score_span(&self.lex, &t, 0, t.len(), |_| false, &mut tone_cues);
        if span.is_none() {
            if let Some(k) = self.topics.find(target) {
                return self.topic_stance(text, &t, k, whole, &tone_cues);
            }
        }
        let hits: Vec<(usize, usize)> = match span {
            Some((a, b)) => {
                let ta = t.first_at(a);
                vec![(ta, t.first_at(b).max(ta + 1).min(t.len()))]
            }
            None => find_target(&t, target),
        };
        let mut found: Vec<Cue> = Vec::new();
        for &(ht, he) in &hits {
            self.cues_around(&t, &tone_cues, ht, he, 1.0, &mut found);
        }
        let (mut pos, mut neg) = (0.0f32, 0.0f32);
        for c in &found {
            if c.value > 0.0 {
                pos += c.value;
            } else {
                neg -= c.value;
            }
        }
        let share = if hits.is_empty() { 1.0 } else { BACKGROUND };
        pos += whole.pos * share;
        neg += whole.neg * share;
        let score = tone::polarity(pos, neg);
        let mut all = found.clone();
        if hits.is_empty() {
            all = tone_cues.clone();
        }
        all.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
        TextJudgement {
            score,
            label: if hits.is_empty() {
                self.config.label(score / self.config.unnamed_factor.0)
            } else {
                self.config.label(score)
            },
            confidence: tone::confidence(pos + neg, whole.hedge)
                * if hits.is_empty() { 0.6 } else { 1.0 },
            target_found: !hits.is_empty(),
            tone: whole.score(),
            cues: words(text, &t, &all),
        }
    }
}

impl Scorer {
    /// The tone cues within the window around a target at tokens `ht..he` (weighted by distance)
    /// and the directional stance cues that take it as their object, times `factor`, into `found`.
    fn cues_around(
        &self,
        t: &Tokens,
        tone_cues: &[Cue],
        ht: usize,
        he: usize,
        factor: f32,
        found: &mut Vec<Cue>,
    ) {
        let window = self.config.window;
        let lo = ht.saturating_sub(window);
        let hi = (he + window).min(t.len());
        let mut near: Vec<Cue> = Vec::new();
        for c in tone_cues {
            let (ct, cl) = (c.tok as usize, c.len as usize);
            if ct < lo || ct >= hi || (ct < he && ct + cl > ht) {
                continue;
            }
            push_max(
                &mut near,
                Cue {
                    value: c.value * proximity(gap(ct, cl, ht, he)),
                    ..*c
                },
            );
        }
        stance_cues_before(&self.lex, t, ht, 0, &mut near);
        for c in near {
            push_max(
                found,
                Cue {
                    value: c.value * factor,
                    ..c
                },
            );
        }
    }

    /// Stance of a bare text toward topic `k`: the topic's directional cues, tone toward its terms,
    /// and signed tone toward its allies and opponents. A text that names the topic also gets a
    /// share of its whole tone (as for any target); one that names only allies or only opponents
    /// gets that share signed by their side (its mood is most likely about them: a tweet that
    /// praises God and names nothing else is against atheism); one with none of the topic's
    /// phrases is judged by its tone, as an unnamed target.
    fn topic_stance(
        &self,
        text: &str,
        t: &Tokens,
        k: u32,
        whole: tone::Tone,
        tone_cues: &[Cue],
    ) -> TextJudgement {
        let mut hits = Vec::new();
        self.topics.hits(t, 0, t.len(), &mut hits);
        hits.retain(|h| h.entry.topic == k);
        let named = hits.iter().any(|h| h.entry.names);
        let mut found: Vec<Cue> = Vec::new();
        for h in &hits {
            match h.entry.effect {
                Effect::Cue(v) => {
                    let v = match tone::negation_before(&self.lex, t, h.tok, 0) {
                        Some(w) => -v * w.abs(),
                        None => v,
                    };
                    push_max(
                        &mut found,
                        Cue {
                            tok: h.tok as u32,
                            len: (h.end - h.tok) as u32,
                            value: v,
                        },
                    );
                }
                Effect::Tone(f) => self.cues_around(t, tone_cues, h.tok, h.end, f, &mut found),
            }
        }
        if hits.is_empty() {
            let score = whole.score();
            let mut all = tone_cues.to_vec();
            all.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
            return TextJudgement {
                score,
                label: self.config.label(score / self.config.unnamed_factor.0),
                confidence: tone::confidence(whole.pos + whole.neg, whole.hedge) * 0.6,
                target_found: false,
                tone: score,
                cues: words(text, t, &all),
            };
        }
        let (mut pos, mut neg) = (0.0f32, 0.0f32);
        for c in &found {
            if c.value > 0.0 {
                pos += c.value;
            } else {
                neg -= c.value;
            }
        }
        // The whole text's tone counts a share, signed like the phrases it is most likely about:
        // the topic's own terms when it names them (turned for a term that is the problem a
        // position is about: alarm about `global warming` is favor toward acting on it), else
        // its allies or opponents (a tweet that praises God and names nothing else is against
        // atheism). Not when those phrases pull both ways.
        let tone_hits = |naming: bool| {
            hits.iter().filter_map(move |h| match h.entry.effect {
                Effect::Tone(f) if h.entry.names == naming => Some(f),
                _ => None,
            })
        };
        let (side, share) = if tone_hits(true).next().is_some() {
            (one_side(tone_hits(true)), BACKGROUND)
        } else if named {
            // Named by directional cues alone: unsigned, as for any named target.
            (1.0, BACKGROUND)
        } else {
            (one_side(tone_hits(false)), BACKGROUND * ALLY_SHARE)
        };
        if side > 0.0 {
            pos += whole.pos * share;
            neg += whole.neg * share;
        } else if side < 0.0 {
            pos += whole.neg * share;
            neg += whole.pos * share;
        }
        let score = tone::polarity(pos, neg);
        found.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
        TextJudgement {
            score,
            label: self.config.label(score),
            confidence: tone::confidence(pos + neg, whole.hedge),
            target_found: named,
            tone: whole.score(),
            cues: words(text, t, &found),
        }
    }
}

/// +1 or -1 when every factor has that sign, else 0.
fn one_side(factors: impl Iterator<Item = f32>) -> f32 {
    let mut side = 0.0;
    for f in factors {
        if side == 0.0 {
            side = f.signum();
        } else if f.signum() != side {
            return 0.0;
        }
    }
    side
}

fn words(text: &str, t: &Tokens, cues: &[Cue]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in cues {
        let a = t.toks[c.tok as usize].start;
        let b = t.toks[(c.tok + c.len - 1) as usize].end;
        let w = text[a..b].to_string();
        if !out.contains(&w) {
            out.push(w);
        }
        if out.len() == 8 {
            break;
        }
    }
    out
}

/// Token ranges where the target's own words occur (hashtags and handles included: `#hillary`,
/// `@HillaryClinton` are tokens `hillary`, `hillaryclinton`).
fn find_target(t: &Tokens, target: &str) -> Vec<(usize, usize)> {
    let words: Vec<String> = entry_words(target)
        .into_iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect();
    let joined: String = words.concat();
    let stems: Vec<&str> = words.iter().map(|w| stem(w)).collect();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t.toks[i].kind != TokKind::Word {
            i += 1;
            continue;
        }
        let n = words.len();
        let whole = n > 1
            && i + n <= t.len()
            && (0..n).all(|k| t.toks[i + k].kind == TokKind::Word && t.word(i + k) == words[k]);
        if whole {
            hits.push((i, i + n));
            i += n;
            continue;
        }
        let w = t.word(i);
        let hit = stems.iter().any(|s| s.len() >= 3 && w.starts_with(s))
            || (joined.len() >= 6 && w.contains(joined.as_str()));
        if hit {
            hits.push((i, i + 1));
        }
        i += 1;
    }
    hits
}

#[cfg(test)]
mod tests {
    use crate::pipeline::Pipeline;
    use crate::score::{Label, Scorer};

    fn scorer() -> Scorer {
        let p = Pipeline::builtin();
        Scorer::new(&p.score, p.lexicons.clone())
    }

    #[test]
    fn stance_around_the_target_words() {
        let s = scorer();
        let j = s.stance_of(
            "I strongly oppose abortions in every case.",
            "Legalization of Abortion",
            None,
        );
        assert!(j.target_found);
        assert_eq!(j.label, Label::Against, "{j:?}");
        let j = s.stance_of(
            "We support #feminists and their brave fight.",
            "Feminist Movement",
            None,
        );
        assert_eq!(j.label, Label::Favor, "{j:?}");
    }

    #[test]
    fn a_span_marks_the_target_and_the_window_decides() {
        let s = scorer();
        let text =
            "The minister praised Smith, while critics condemned the reckless plan of Jones.";
        let smith = text.find("Smith").unwrap();
        let jones = text.find("Jones").unwrap();
        let a = s.stance_of(text, "Smith", Some((smith, smith + 5)));
        let b = s.stance_of(text, "Jones", Some((jones, jones + 5)));
        assert!(a.score > b.score, "{a:?} {b:?}");
        assert_eq!(b.label, Label::Against);
    }

    #[test]
    fn without_the_target_the_tone_stands_in_at_lower_confidence() {
        let s = scorer();
        let j = s.stance_of("What a wonderful, hopeful day.", "Atheism", None);
        assert!(!j.target_found);
        assert_eq!(j.label, Label::Favor);
        assert!(j.confidence < s.tone_of("What a wonderful, hopeful day.").confidence);
    }

    #[test]
    fn a_topic_target_reads_its_cues_allies_and_opponents() {
        let s = scorer();
        // A gold target named by an alias (any case) is the topic.
        let j = s.stance_of(
            "Proud to stand with Planned Parenthood today",
            "legalization of abortion",
            None,
        );
        assert_eq!(j.label, Label::Favor, "{j:?}");
        assert!(j.target_found, "a directional cue names the topic");
        assert!(
            j.cues.iter().any(|c| c == "stand with Planned Parenthood"),
            "{j:?}"
        );
        let j = s.stance_of("I am not pro-choice.", "Legalization of Abortion", None);
        assert_eq!(j.label, Label::Against, "a negated cue is turned: {j:?}");
        // Praise of an opponent is a stance against; its cue is the praise.
        let j = s.stance_of(
            "Ted Cruz gave a wonderful, inspiring speech tonight",
            "Hillary Clinton",
            None,
        );
        assert_eq!(j.label, Label::Against, "{j:?}");
        assert!(!j.target_found);
        assert!(j.cues.iter().any(|c| c == "wonderful"), "{j:?}");
        // Alarm about the problem a topic is about is favor toward acting on it.
        let j = s.stance_of(
            "Global warming is a terrible threat to our children",
            "Climate Change is a Real Concern",
            None,
        );
        assert_eq!(j.label, Label::Favor, "{j:?}");
        // A text with nothing of the topic is judged by its tone, as before.
        let j = s.stance_of("What a wonderful, hopeful day.", "Atheism", None);
        assert!(!j.target_found);
        assert_eq!(j.label, Label::Favor);
    }

    #[test]
    fn without_the_topic_file_a_target_is_only_its_words() {
        let p = Pipeline::builtin();
        let mut config = p.score.clone();
        config.targets.clear();
        let bare = Scorer::new(&config, p.lexicons.clone());
        let text = "Thank you Lord for all your blessings";
        assert_eq!(bare.stance_of(text, "Atheism", None).label, Label::Favor);
        assert_eq!(
            scorer().stance_of(text, "Atheism", None).label,
            Label::Against
        );
    }
}
