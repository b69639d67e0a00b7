//! Cooperation and conflict between pairs of actors named in the same sentence.
//!
//! Persons and state bodies count for the state or organisation they belong to (Trump for the
//! United States, the Chinese Defense Ministry for China); places, events and agreements are not
//! parties. Each cue in a sentence (a relation cue, or more weakly a valence word) is given to the
//! pair it most plausibly describes, in this order:
//! 1. a compound it stands next to (`Sino-Japanese relations`, `the Japan – US alliance`);
//! 2. the two parties right after `between` (`an improved relation between Japan and China`);
//! 3. otherwise the closest two different parties (sum of distances in words), preferring one on
//!    each side (`North Korea … launched missiles in Japan's vicinity`, `China … has a deep mistrust
//!    with America`), one within a few words of the cue and the other within a clause or two; the
//!    weight falls with the distance to the farther party, so a cue at one end of a long
//!    sentence says little about an actor at the other end.
//!
//! Actors named inside a slogan in quotation marks (`“America First”`) are not parties: a slogan
//! names, it does not act.
//!
//! Sums become `cooperation = 1 - e^-Σcoop` and `conflict = 1 - e^-Σconflict`, and a net score with
//! the same polarity ratio as tone.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::tokens::{is_clause_break, Tokens};
use super::tone::{self, Cue};
use super::{Context, RelationRow, Scope, Scorer};
use crate::article::{Article, Via};
use crate::pipeline::actors::ActorKind;

/// Share of a valence word's weight that counts as cooperation or conflict.
const VALENCE_SHARE: f32 = 0.4;
/// A cue this close (in words) to a compound belongs to the compound's pair.
const COMPOUND_REACH: usize = 4;
/// At most this many parties per sentence are paired (bounds work on lists of 40 countries).
const MAX_PARTIES: usize = 12;
const MAX_CUES: usize = 8;
/// A cue's weight for a pair halves when the farther party is this many words away.
const DECAY_WORDS: f32 = 8.0;
/// Extra distance charged to a pair on the same side of a cue: a cue between two actors usually
/// links them (`A accused B`), one after both usually does not.
const SAME_SIDE: usize = 4;
/// Extra distance for each clause boundary (comma, semicolon, dash, bracket) between cue and party.
const CLAUSE_COST: usize = 4;
/// Without a compound or `between`, one of the two parties must be this close to the cue.
const NEAR: usize = 6;
/// … and the other within this many (a sentence of 60 words names many actors it does not relate).
const FAR: usize = 16;
/// Words around a cue where a party can still be given it (FAR plus the longest name).
const REACH: usize = FAR + MAX_NAME;
/// Words in the longest actor name or cue we look back over.
const MAX_NAME: usize = 8;

#[derive(Clone)]
struct Party {
    id: Arc<str>,
    tok: usize,
    end: usize,
}

#[derive(Default)]
struct Acc {
    co: u32,
    coop: f32,
    conflict: f32,
    quad: [f32; 4],
    sentences: Vec<u32>,
    co_sentences: Vec<u32>,
    cues: Vec<Cue>,
}

fn party(m: &crate::article::Mention) -> Option<Arc<str>> {
    match (m.kind, m.via) {
        (_, Via::Institution) => m.affiliation.clone(),
        (ActorKind::State | ActorKind::Organisation, _) => Some(m.actor_id.clone()),
        (ActorKind::Person, _) => m.affiliation.clone(),
        _ => None,
    }
}

fn ordered(a: &Arc<str>, b: &Arc<str>) -> (Arc<str>, Arc<str>) {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

/// Relation rows (document, then paragraphs) for one article.
pub fn score(sc: &Scorer, a: &Article, t: &Tokens, ctx: &Context) -> Vec<RelationRow> {
    let mut accs: BTreeMap<(Scope, u32, Arc<str>, Arc<str>), Acc> = BTreeMap::new();
    let mut mi = 0;
    let mut parties: Vec<Party> = Vec::new();
    for (si, sent) in a.sentences.iter().enumerate() {
        parties.clear();
        while mi < a.mentions.len() && a.mentions[mi].sentence_index as usize <= si {
            let m = &a.mentions[mi];
            mi += 1;
            if m.sentence_index as usize != si {
                continue;
            }
            let qi = a.quotes.partition_point(|q| q.bytes.0 <= m.bytes.0);
            let in_slogan = a.quotes[qi.saturating_sub(4)..qi].iter().any(|q| {
                q.kind == crate::article::QuoteKind::Phrase
                    && q.bytes.0 <= m.bytes.0
                    && m.bytes.1 <= q.bytes.1
            });
            if in_slogan {
                continue;
            }
            if let Some(id) = party(m) {
                let tok = t.first_at(m.bytes.0);
                parties.push(Party {
                    id,
                    tok,
                    end: t.first_at(m.bytes.1).max(tok + 1),
                });
            }
        }
        let mut ids: Vec<Arc<str>> = parties.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        if ids.len() < 2 {
            continue;
        }
        ids.truncate(MAX_PARTIES);
        let p = sent.paragraph_index;
        for x in 0..ids.len() {
            for y in x + 1..ids.len() {
                for key in [(Scope::Document, 0), (Scope::Paragraph, p)] {
                    let acc = accs
                        .entry((key.0, key.1, ids[x].clone(), ids[y].clone()))
                        .or_default();
                    acc.co += 1;
                    acc.co_sentences.push(si as u32);
                }
            }
        }
        let (sa, sb) = ctx.sentence_toks[si];
        let (sa, sb) = (sa as usize, sb as usize);
        // The cues of this sentence: relation cues first, then valence words not already covered.
        let mut cues: Vec<(Cue, Option<u8>)> = Vec::new();
        let mut j = sa;
        while j < sb {
            if near(&parties, j.saturating_sub(MAX_NAME), j + 1)
                .iter()
                .any(|p| j >= p.tok && j < p.end)
            {
                j += 1;
                continue;
            }
            if let Some((n, cue)) = sc.lex.relations.longest(t, j) {
                if j + n <= sb {
                    let mut v = if cue.cooperation {
                        cue.weight
                    } else {
                        -cue.weight
                    };
                    if let Some(w) = tone::negation_before(&sc.lex, t, j, sa) {
                        v *= -w.abs() * 0.7;
                    }
                    cues.push((
                        Cue {
                            tok: j as u32,
                            len: n as u32,
                            value: v,
                        },
                        cue.quad_class,
                    ));
                    j += n;
                    continue;
                }
            }
            j += 1;
        }
        let ca = a.scores.sentence_cues[si] as usize;
        let cb = a.scores.sentence_cues[si + 1] as usize;
        for c in &ctx.cues[ca..cb] {
            let (ct, cl) = (c.tok as usize, c.len as usize);
            // Relation cues are in token order: only the last few starting before this cue's end
            // can overlap it.
            let ri = cues.partition_point(|(r, _)| (r.tok as usize) < ct + cl);
            let covered = cues[ri.saturating_sub(MAX_NAME)..ri].iter().any(|(r, _)| {
                let (rt, rl) = (r.tok as usize, r.len as usize);
                ct < rt + rl && rt < ct + cl
            });
            let in_party = near(&parties, ct.saturating_sub(MAX_NAME), ct + cl)
                .iter()
                .any(|p| ct < p.end && p.tok < ct + cl);
            if !covered && !in_party {
                cues.push((
                    Cue {
                        value: c.value * VALENCE_SHARE,
                        ..*c
                    },
                    None,
                ));
            }
        }
        for (cue, quad) in cues {
            let (c, len) = (cue.tok as usize, cue.len as usize);
            // No rule reaches further than REACH words, so only the parties that near take part
            // (a run-on sentence naming China a thousand times stays linear).
            let around = near(&parties, c.saturating_sub(REACH), c + len + REACH);
            let Some((x, y, g)) = attribute(around, &a.body, t, c, len) else {
                continue;
            };
            if !ids.contains(&x) || !ids.contains(&y) {
                continue;
            }
            let v = cue.value * g;
            for key in [(Scope::Document, 0), (Scope::Paragraph, p)] {
                let acc = accs
                    .entry((key.0, key.1, x.clone(), y.clone()))
                    .or_default();
                if v > 0.0 {
                    acc.coop += v;
                } else {
                    acc.conflict -= v;
                }
                if let Some(q) = quad {
                    acc.quad[q as usize - 1] += v.abs();
                }
                if acc.sentences.last() != Some(&(si as u32)) {
                    acc.sentences.push(si as u32);
                }
                acc.cues.push(Cue { value: v, ..cue });
            }
        }
    }
    accs.into_iter()
        .map(|((scope, idx, x, y), mut acc)| {
            let score = tone::polarity(acc.coop, acc.conflict);
            let cooperation = 1.0 - (-acc.coop).exp();
            let conflict = 1.0 - (-acc.conflict).exp();
            let label = if acc.coop + acc.conflict < 0.05 {
                "neutral"
            } else if score >= 0.2 {
                "cooperation"
            } else if score <= -0.2 {
                "conflict"
            } else {
                "mixed"
            };
            let quad_class = acc
                .quad
                .iter()
                .enumerate()
                .filter(|(_, w)| **w > 0.0)
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i as u8 + 1);
            let evidence = if acc.sentences.is_empty() {
                std::mem::take(&mut acc.co_sentences)
            } else {
                acc.sentences
            };
            RelationRow {
                scope,
                paragraph_index: (scope == Scope::Paragraph).then_some(idx),
                actor_a: x,
                actor_b: y,
                co_mentions: acc.co,
                cooperation,
                conflict,
                score,
                label,
                quad_class,
                evidence,
                cues: super::cue_words(
                    &a.body,
                    acc.cues.iter().map(|c| super::span(t, c)),
                    MAX_CUES,
                ),
            }
        })
        .collect()
}

/// The parties that start in tokens `lo..hi` (parties are in token order).
fn near(parties: &[Party], lo: usize, hi: usize) -> &[Party] {
    let a = parties.partition_point(|p| p.tok < lo);
    let b = parties.partition_point(|p| p.tok < hi);
    &parties[a..b.max(a)]
}

/// The pair a cue at tokens `c..c+len` describes, with its weight share.
fn attribute(
    parties: &[Party],
    body: &str,
    t: &Tokens,
    c: usize,
    len: usize,
) -> Option<(Arc<str>, Arc<str>, f32)> {
    // Words between cue and party, plus a charge for every clause boundary crossed.
    let dist = |p: &Party| {
        let (x, y) = if p.tok >= c + len {
            (c + len, p.tok)
        } else {
            (p.end.min(c), c)
        };
        let breaks = (x..y).filter(|&k| is_clause_break(t.toks[k].kind)).count();
        (y - x) + breaks * CLAUSE_COST
    };
    // 1. A compound: two parties joined by a hyphen or dash, next to the cue.
    for w in parties.windows(2) {
        let (p, q) = (&w[0], &w[1]);
        if p.id == q.id || q.tok < p.end || q.tok - p.end > 1 {
            continue;
        }
        let gap = body[t.toks[p.end - 1].end..t.toks[q.tok].start].trim();
        let joined = matches!(
            gap,
            "-" | "\u{2010}" | "\u{2011}" | "\u{2013}" | "\u{2014}" | "/"
        );
        if joined && (dist(p).min(dist(q)) <= COMPOUND_REACH) {
            let (a, b) = ordered(&p.id, &q.id);
            return Some((a, b, 1.0));
        }
    }
    // 2. `<cue> between A and B`.
    let after_cue = c + len;
    if let Some(k) = (after_cue..(after_cue + 3).min(t.len())).find(|&k| t.word(k) == "between") {
        let mut next = parties.iter().filter(|p| p.tok > k && p.tok <= k + 8);
        if let Some(first) = next.next() {
            if let Some(second) = next.find(|p| p.id != first.id) {
                let (a, b) = ordered(&first.id, &second.id);
                return Some((a, b, 1.0));
            }
        }
    }
    let decay = |d: usize| 1.0 / (1.0 + d as f32 / DECAY_WORDS);
    // 3. The closest pair of different parties, preferring one on each side of the cue.
    let mut best: Option<(usize, &Party, &Party)> = None;
    for (i, p) in parties.iter().enumerate() {
        for q in &parties[i + 1..] {
            if p.id == q.id {
                continue;
            }
            let same_side = (p.end <= c) == (q.end <= c);
            let cost = dist(p) + dist(q) + if same_side { SAME_SIDE } else { 0 };
            if best.is_none_or(|(b, _, _)| cost < b) {
                best = Some((cost, p, q));
            }
        }
    }
    let (_, p, q) = best?;
    // A cue with no party near it (`… imperative to be proactive in improving relations`) says
    // nothing about which pair it describes.
    if dist(p).min(dist(q)) > NEAR || dist(p).max(dist(q)) > FAR {
        return None;
    }
    let (a, b) = ordered(&p.id, &q.id);
    Some((a, b, decay(dist(p).max(dist(q)))))
}
