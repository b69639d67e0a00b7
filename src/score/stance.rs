//! Stance toward targets: for every mention of a target, the cues near it — valence words weighted
//! by distance, directional stance cues that take the target as their object (`support for Japan`,
//! `withdrawing from the TPP`), and cooperation/conflict cues — summed per scope and holder. A
//! topic target adds its own knowledge (see [`super::topics`]): its directional phrases are
//! evidence by themselves, and the cues near its allies and opponents count, signed, in the scopes
//! that name it.
//!
//! The holder is the author outside quotations and the speaker inside them (direct or reported),
//! so `Ren Guoquiang stated that China is looking forward to work with the US` is China's stance
//! toward the United States, not the author's.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::tokens::{is_clause_break, Tokens};
use super::tone::{self, Cue};
use super::topics::Effect;
use super::{Context, Label, Scope, ScoreConfig, Scorer, StanceRow, TargetKind};
use crate::article::{Article, QuoteKind};

/// How far before a mention a directional stance cue may stand (`withdrawing from the TPP`).
const STANCE_REACH: usize = 6;
/// Cooperation/conflict cues toward a target count this much of their weight.
const RELATION_SHARE: f32 = 0.6;
/// At most this many cue words per row.
const MAX_CUES: usize = 8;
/// Words in the longest cue phrase (for finding overlapping cues).
const MAX_CUE_WORDS: u32 = 8;

/// The stance part of the scorer: the declared targets, compiled.
#[derive(Debug)]
pub struct StanceScorer {
    ids: Vec<Arc<str>>,
    actors: Vec<(Arc<str>, u32)>,
    pairs: Vec<(Arc<str>, Arc<str>, u32)>,
}

struct Hit {
    target: Arc<str>,
    kind: &'static str,
    /// Whether the hit names the target (an ally or opponent of a topic does not).
    names: bool,
    /// What the hit's cues mean for the target (`Tone(1.0)` for actors).
    effect: Effect,
    tok: usize,
    end: usize,
    sentence: u32,
    byte: usize,
}

#[derive(Default)]
struct Acc {
    kind: &'static str,
    mentions: u32,
    hedge: f32,
    sentences: Vec<u32>,
    /// Cues by first token (a map, not a list: a document-scope row can gather thousands).
    cues: BTreeMap<u32, (Cue, u32)>,
}

impl StanceScorer {
    /// Compiles the declared targets.
    pub fn new(c: &ScoreConfig) -> StanceScorer {
        let mut s = StanceScorer {
            ids: Vec::new(),
            actors: Vec::new(),
            pairs: Vec::new(),
        };
        for (i, t) in c.targets.iter().enumerate() {
            let i = i as u32;
            s.ids.push(t.id.as_str().into());
            match &t.kind {
                TargetKind::Actor(a) => s.actors.push((a.clone(), i)),
                TargetKind::Pair(a, b) => s.pairs.push((a.clone(), b.clone(), i)),
                // Topics are found by the scorer's topic index.
                TargetKind::Topic(_) => {}
            }
        }
        s
    }

    fn hits(&self, sc: &Scorer, a: &Article, t: &Tokens) -> Vec<Hit> {
        let mut hits = Vec::new();
        let auto = &sc.config.auto_targets;
        // Actor mentions per sentence, for pair targets.
        let mut by_sentence: Vec<(u32, &str, usize)> = Vec::new();
        for (mi, m) in a.mentions.iter().enumerate() {
            let tok = t.first_at(m.bytes.0);
            let end = t.first_at(m.bytes.1).max(tok + 1);
            let hit = |target: Arc<str>, kind| Hit {
                target,
                kind,
                names: true,
                effect: Effect::Tone(1.0),
                tok,
                end,
                sentence: m.sentence_index,
                byte: m.bytes.0,
            };
            if auto.contains(&m.kind) {
                hits.push(hit(m.actor_id.clone(), "actor"));
            }
            for (actor, i) in &self.actors {
                if *actor == m.actor_id
                    && !(auto.contains(&m.kind) && self.ids[*i as usize] == m.actor_id)
                {
                    hits.push(hit(self.ids[*i as usize].clone(), "actor"));
                }
            }
            by_sentence.push((m.sentence_index, &m.actor_id, mi));
        }
        for (x, y, i) in &self.pairs {
            for (s, id, mi) in &by_sentence {
                if **id != **x && **id != **y {
                    continue;
                }
                let other = if **id == **x { y } else { x };
                if by_sentence
                    .iter()
                    .any(|(s2, id2, _)| s2 == s && **id2 == **other)
                {
                    let m = &a.mentions[*mi];
                    let tok = t.first_at(m.bytes.0);
                    hits.push(Hit {
                        target: self.ids[*i as usize].clone(),
                        kind: "pair",
                        names: true,
                        effect: Effect::Tone(1.0),
                        tok,
                        end: t.first_at(m.bytes.1).max(tok + 1),
                        sentence: *s,
                        byte: m.bytes.0,
                    });
                }
            }
        }
        if !sc.topics.is_empty() {
            let mut found = Vec::new();
            sc.topics.hits(t, 0, t.len(), &mut found);
            // Allies and opponents count only in a document that discusses the topic: praise of
            // a candidate's rival is no stance on the candidate in an article about something else.
            let discussed: Vec<u32> = found
                .iter()
                .filter(|h| h.entry.names)
                .map(|h| h.entry.topic)
                .collect();
            for h in found {
                if !h.entry.names && !discussed.contains(&h.entry.topic) {
                    continue;
                }
                let byte = t.toks[h.tok].start;
                hits.push(Hit {
                    target: sc.topics.id(h.entry.topic).clone(),
                    kind: "topic",
                    names: h.entry.names,
                    effect: h.entry.effect,
                    tok: h.tok,
                    end: h.end,
                    sentence: a.sentence_at(byte),
                    byte,
                });
            }
        }
        hits
    }

    /// Stance rows for one article.
    pub fn score(&self, sc: &Scorer, a: &Article, t: &Tokens, ctx: &Context) -> Vec<StanceRow> {
        let hits = self.hits(sc, a, t);
        // Quotations are in body order; look only at the few that start before `b` (they rarely
        // overlap), so a text with thousands of quotations stays linear.
        let quote_at = |b: usize| {
            let i = a.quotes.partition_point(|q| q.bytes.0 <= b);
            (i.saturating_sub(4)..i).find(|&k| a.quotes[k].bytes.0 <= b && b < a.quotes[k].bytes.1)
        };
        let in_any_quote = |tok: u32| {
            let b = t.toks[tok as usize].start;
            quote_at(b).is_some()
        };
        let author: Arc<str> = "author".into();
        let unknown: Arc<str> = "unknown".into();
        let mut accs: BTreeMap<(Scope, u32, Arc<str>, Arc<str>), Acc> = BTreeMap::new();
        let window = sc.config.window;
        for h in &hits {
            let s = h.sentence as usize;
            let Some(&(sa, sb)) = ctx.sentence_toks.get(s) else {
                continue;
            };
            let (range, cues, holder, keys): (_, &[Cue], _, Vec<(Scope, u32)>) =
                match quote_at(h.byte) {
                    // A slogan names its target; it takes no stance on it.
                    Some(q) if a.quotes[q].kind == QuoteKind::Phrase => continue,
                    Some(q) => {
                        let quote = &a.quotes[q];
                        let holder = quote.speaker_actor_id.clone().unwrap_or(unknown.clone());
                        if holder == h.target {
                            continue;
                        }
                        let (qa, qb) = ctx.quote_toks[q];
                        let (ca, cb) = ctx.quote_ranges[q];
                        (
                            (qa.max(sa) as usize, qb.min(sb) as usize),
                            &ctx.quote_cues[ca as usize..cb as usize],
                            holder,
                            vec![(Scope::Quote, q as u32)],
                        )
                    }
                    None => {
                        let ca = a.scores.sentence_cues[s] as usize;
                        let cb = a.scores.sentence_cues[s + 1] as usize;
                        let p = a.sentences[s].paragraph_index;
                        (
                            (sa as usize, sb as usize),
                            &ctx.cues[ca..cb],
                            author.clone(),
                            vec![(Scope::Document, 0), (Scope::Paragraph, p)],
                        )
                    }
                };
            let mut found: Vec<Cue> = Vec::new();
            let factor = match h.effect {
                Effect::Tone(f) => f,
                Effect::Cue(v) => {
                    // A topic's directional cue (`pro-choice`) is the evidence by itself.
                    let v = match tone::negation_before(&sc.lex, t, h.tok, range.0) {
                        Some(w) => -v * w.abs(),
                        None => v,
                    };
                    found.push(Cue {
                        tok: h.tok as u32,
                        len: (h.end - h.tok) as u32,
                        value: v,
                    });
                    0.0
                }
            };
            let (lo, hi) = if factor == 0.0 {
                (h.tok, h.tok)
            } else {
                (
                    h.tok.saturating_sub(window).max(range.0),
                    (h.end + window).min(range.1),
                )
            };
            let first = cues.partition_point(|c| (c.tok as usize) < lo);
            for c in cues[first..].iter().take_while(|c| (c.tok as usize) < hi) {
                let (ct, cl) = (c.tok as usize, c.len as usize);
                if ct < h.end && ct + cl > h.tok {
                    continue;
                }
                if keys[0].0 == Scope::Document && in_any_quote(c.tok) {
                    continue;
                }
                found.push(Cue {
                    value: c.value * proximity(gap(ct, cl, h.tok, h.end)),
                    ..*c
                });
            }
            if factor != 0.0 {
                stance_cues_before(&sc.lex, t, h.tok, range.0, &mut found);
            }
            let mut j = lo;
            while j < hi {
                if j >= h.tok && j < h.end {
                    j = h.end;
                    continue;
                }
                if let Some((n, cue)) = sc.lex.relations.longest(t, j) {
                    let mut v = if cue.cooperation {
                        cue.weight
                    } else {
                        -cue.weight
                    };
                    v *= RELATION_SHARE * proximity(gap(j, n, h.tok, h.end));
                    if let Some(w) = tone::negation_before(&sc.lex, t, j, range.0) {
                        v *= -w.abs();
                    }
                    push_max(
                        &mut found,
                        Cue {
                            tok: j as u32,
                            len: n as u32,
                            value: v,
                        },
                    );
                    j += n;
                    continue;
                }
                j += 1;
            }
            if factor != 0.0 && factor != 1.0 {
                for c in &mut found {
                    c.value *= factor;
                }
            }
            let hedge = a.scores.sentence_tone[s].hedge;
            for (scope, idx) in keys {
                let acc = accs
                    .entry((scope, idx, holder.clone(), h.target.clone()))
                    .or_insert_with(|| Acc {
                        kind: h.kind,
                        hedge: 1.0,
                        ..Acc::default()
                    });
                acc.mentions += u32::from(h.names);
                acc.hedge = acc.hedge.min(hedge);
                if acc.sentences.last() != Some(&h.sentence) {
                    acc.sentences.push(h.sentence);
                }
                for c in &found {
                    let lo = c.tok.saturating_sub(MAX_CUE_WORDS);
                    let over = acc
                        .cues
                        .range(lo..c.tok + c.len)
                        .find(|(_, (x, _))| overlaps(x, c))
                        .map(|(k, (x, _))| (*k, x.value.abs() < c.value.abs()));
                    match over {
                        Some((k, true)) => {
                            acc.cues.remove(&k);
                            acc.cues.insert(c.tok, (*c, h.sentence));
                        }
                        Some((_, false)) => {}
                        None => {
                            acc.cues.insert(c.tok, (*c, h.sentence));
                        }
                    }
                }
            }
        }
        accs.into_iter()
            // A scope that names only a topic's allies or opponents takes no stance on it.
            .filter(|(_, acc)| acc.mentions > 0)
            .map(|((scope, idx, holder, target), acc)| {
                let (mut pos, mut neg) = (0.0f32, 0.0f32);
                for (c, _) in acc.cues.values() {
                    if c.value > 0.0 {
                        pos += c.value;
                    } else {
                        neg -= c.value;
                    }
                }
                let score = tone::polarity(pos, neg);
                let mut evidence: Vec<u32> = if acc.cues.is_empty() {
                    acc.sentences.clone()
                } else {
                    acc.cues.values().map(|(_, s)| *s).collect()
                };
                evidence.sort_unstable();
                evidence.dedup();
                let label = if acc.cues.is_empty() {
                    Label::Neutral
                } else {
                    sc.config.label(score)
                };
                StanceRow {
                    scope,
                    paragraph_index: match scope {
                        Scope::Document => None,
                        Scope::Paragraph => Some(idx),
                        Scope::Quote => Some(a.quotes[idx as usize].paragraph_index),
                    },
                    quote_index: (scope == Scope::Quote).then_some(idx),
                    holder,
                    target,
                    target_kind: acc.kind,
                    mentions: acc.mentions,
                    score,
                    label,
                    confidence: tone::confidence(pos + neg, acc.hedge),
                    evidence,
                    cues: super::cue_words(
                        &a.body,
                        acc.cues.values().map(|(c, _)| super::span(t, c)),
                        MAX_CUES,
                    ),
                }
            })
            .collect()
    }
}

/// Words between a cue at tokens `c..c + len` and a target at `ht..he`.
pub(super) fn gap(c: usize, len: usize, ht: usize, he: usize) -> usize {
    if c >= he {
        c - he
    } else {
        ht.saturating_sub(c + len)
    }
}

/// Weight of a cue `d` words from the target: half at four words.
pub(super) fn proximity(d: usize) -> f32 {
    1.0 / (1.0 + d as f32 / 4.0)
}

/// Directional stance cues that take the target starting at token `ht` as their object: within
/// [`STANCE_REACH`] words before it (not before `floor`), with no clause boundary in between,
/// flipped by a negator before them.
pub(super) fn stance_cues_before(
    lex: &super::lexicon::Lexicons,
    t: &Tokens,
    ht: usize,
    floor: usize,
    found: &mut Vec<Cue>,
) {
    let mut j = ht.saturating_sub(STANCE_REACH).max(floor);
    while j < ht {
        if let Some((n, cue)) = lex.stance.longest(t, j) {
            if j + n <= ht && (j + n..ht).all(|k| !is_clause_break(t.toks[k].kind)) {
                let mut v = if cue.favor { cue.weight } else { -cue.weight };
                if let Some(w) = tone::negation_before(lex, t, j, floor) {
                    v *= -w.abs();
                }
                push_max(
                    found,
                    Cue {
                        tok: j as u32,
                        len: n as u32,
                        value: v,
                    },
                );
                j += n;
                continue;
            }
        }
        j += 1;
    }
}

fn overlaps(a: &Cue, b: &Cue) -> bool {
    a.tok < b.tok + b.len && b.tok < a.tok + a.len
}

/// Adds a cue unless an overlapping one is already there (`deepen mutual trust` as a relation cue
/// and `mutual trust` as a valence word are one piece of evidence); the stronger one stays.
pub(super) fn push_max(found: &mut Vec<Cue>, c: Cue) {
    match found.iter_mut().find(|x| overlaps(x, &c)) {
        Some(x) if x.value.abs() < c.value.abs() => *x = c,
        Some(_) => {}
        None => found.push(c),
    }
}
