//! Topic targets with stance knowledge: what a pipeline declares about a contested topic besides
//! the words that name it (`[targets.NAME]` in a pipeline, or the shipped `pipelines/topics.toml`).
//!
//! Most comment on a contested topic never names it: praising God is a stance against atheism, a
//! tweet about melting glaciers favours action on climate change, praise of a rival is a stance
//! against a candidate. A sentiment lexicon cannot know that; the topic's declaration does:
//!
//! * `terms`: phrases that name the topic; tone near them is tone toward it;
//! * `favor` / `against`: phrases that are a position by themselves (`pro-choice`, `pro-life`);
//! * `allies` / `opponents`: actors or things whose praise implies favor (allies) or being against
//!   (opponents): tone near them counts toward the topic, with the sign turned for opponents. A
//!   phrase that names the topic and is also an opponent (`climate change`, the problem a position
//!   on climate policy is about) names the topic and counts with the turned sign;
//! * `aliases`: other names of the topic, so `stancemill eval` can map a gold target
//!   (`Climate Change is a Real Concern`) to it.
//!
//! Every phrase is matched as whole words, case-insensitively, like lexicon entries; a phrase of
//! several words also matches written as one (`#prochoice`, `@HillaryClinton`), which is how
//! hashtags and handles spell phrases.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::lexicon::{PhraseMap, Vocab};
use super::tokens::{entry_words, Tokens};
use super::{TargetDef, TargetKind};

/// Weight of a topic's directional cue (`pro-choice`): as strong as `support` in `stance.tsv`.
pub const CUE_WEIGHT: f32 = 0.7;
/// Tone near an ally or opponent counts this share of tone near the topic's own terms.
pub const ALLY_SHARE: f32 = 0.7;

/// What a phrase does for its topic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// Tone near the phrase counts toward the topic times this factor (1 for the topic's terms,
    /// ±[`ALLY_SHARE`] for allies and opponents, −1 for a term that is also an opponent).
    Tone(f32),
    /// The phrase is a stance by itself: this value (positive favor, negative against).
    Cue(f32),
}

/// One phrase's meaning for one topic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    /// Index of the topic in [`TopicIndex`].
    pub topic: u32,
    /// Whether the phrase names the topic (a term or a directional cue), so that the topic is
    /// discussed; allies and opponents alone do not make a text about the topic.
    pub names: bool,
    /// What it does.
    pub effect: Effect,
}

/// A topic phrase found in a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TopicHit {
    /// First token.
    pub tok: usize,
    /// One past the last token.
    pub end: usize,
    /// Its meaning.
    pub entry: Entry,
}

/// One topic's identity.
#[derive(Clone, Debug)]
struct TopicName {
    id: Arc<str>,
    /// Lowercased aliases, the id among them (also with `_` read as a space).
    aliases: Vec<String>,
}

/// The phrases of every topic target, compiled for longest-first matching.
#[derive(Clone, Debug, Default)]
pub struct TopicIndex {
    map: PhraseMap<Vec<Entry>>,
    topics: Vec<TopicName>,
}

/// The word sequences a phrase matches: its words, and when there are several, the words joined.
fn forms(phrase: &str) -> Vec<Vec<String>> {
    let words = entry_words(phrase);
    let mut out = Vec::new();
    if words.len() > 1 {
        out.push(vec![words.concat()]);
    }
    if !words.is_empty() {
        out.push(words);
    }
    out
}

fn topics(targets: &[TargetDef]) -> impl Iterator<Item = (&TargetDef, &super::Topic)> {
    targets.iter().filter_map(|t| match &t.kind {
        TargetKind::Topic(topic) => Some((t, topic)),
        _ => None,
    })
}

fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl TopicIndex {
    /// Every word the topics' phrases use (to be given ids in the vocabulary before [`Self::new`]).
    pub fn words(targets: &[TargetDef]) -> Vec<String> {
        let mut out = Vec::new();
        for (_, t) in topics(targets) {
            for list in [&t.terms, &t.favor, &t.against, &t.allies, &t.opponents] {
                for p in list {
                    out.extend(forms(p).into_iter().flatten());
                }
            }
        }
        out
    }

    /// Compiles the topic targets among `targets`; every word of their phrases must be in `vocab`
    /// (phrases with an unknown word are skipped).
    pub fn new(targets: &[TargetDef], vocab: &Vocab) -> TopicIndex {
        let mut index = TopicIndex::default();
        let mut all: BTreeMap<Vec<u32>, Vec<Entry>> = BTreeMap::new();
        for (def, t) in topics(targets) {
            let k = index.topics.len() as u32;
            let mut aliases: Vec<String> = t.aliases.iter().map(|a| normalise(a)).collect();
            aliases.push(normalise(&def.id));
            aliases.push(normalise(&def.id.replace('_', " ")));
            aliases.dedup();
            index.topics.push(TopicName {
                id: def.id.as_str().into(),
                aliases,
            });
            // Per phrase: whether it names the topic, its tone factor, its cue value. A cue beats
            // an ally or opponent, which beats a plain term (whose tone it then turns).
            let mut own: BTreeMap<Vec<String>, (bool, Option<f32>, Option<f32>)> = BTreeMap::new();
            for p in &t.terms {
                for f in forms(p) {
                    let e = own.entry(f).or_default();
                    e.0 = true;
                    e.1.get_or_insert(1.0);
                }
            }
            for (list, sign) in [(&t.allies, 1.0f32), (&t.opponents, -1.0)] {
                for p in list {
                    for f in forms(p) {
                        let e = own.entry(f).or_default();
                        e.1 = Some(if e.0 { sign } else { sign * ALLY_SHARE });
                    }
                }
            }
            for (list, v) in [(&t.favor, CUE_WEIGHT), (&t.against, -CUE_WEIGHT)] {
                for p in list {
                    for f in forms(p) {
                        let e = own.entry(f).or_default();
                        e.0 = true;
                        e.2 = Some(v);
                    }
                }
            }
            for (words, (names, tone, cue)) in own {
                let effect = match (cue, tone) {
                    (Some(v), _) => Effect::Cue(v),
                    (None, Some(f)) => Effect::Tone(f),
                    (None, None) => continue,
                };
                let ids: Option<Vec<u32>> = words.iter().map(|w| vocab.get(w)).collect();
                if let Some(ids) = ids {
                    all.entry(ids).or_default().push(Entry {
                        topic: k,
                        names,
                        effect,
                    });
                }
            }
        }
        for (ids, entries) in all {
            index.map.insert(&ids, entries);
        }
        index
    }

    /// Whether there are no topics.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The topic a free-text target names: its id or one of its aliases, compared
    /// case-insensitively with runs of white space read as one space.
    pub fn find(&self, target: &str) -> Option<u32> {
        let t = normalise(target);
        self.topics
            .iter()
            .position(|n| n.aliases.contains(&t))
            .map(|k| k as u32)
    }

    /// The topic's target id.
    pub fn id(&self, topic: u32) -> &Arc<str> {
        &self.topics[topic as usize].id
    }

    /// Every topic phrase in tokens `lo..hi`, longest first, one hit per topic the phrase belongs to.
    pub fn hits(&self, t: &Tokens, lo: usize, hi: usize, out: &mut Vec<TopicHit>) {
        if self.map.is_empty() {
            return;
        }
        let mut i = lo;
        while i < hi {
            match self.map.longest(t, i) {
                Some((n, entries)) if i + n <= hi => {
                    for e in entries {
                        out.push(TopicHit {
                            tok: i,
                            end: i + n,
                            entry: *e,
                        });
                    }
                    i += n;
                }
                _ => i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Topic;

    fn index(topic: Topic) -> (TopicIndex, Vocab) {
        let targets = vec![TargetDef {
            id: "abortion".into(),
            kind: TargetKind::Topic(topic),
        }];
        let mut vocab = Vocab::default();
        for w in TopicIndex::words(&targets) {
            vocab.intern(&w);
        }
        (TopicIndex::new(&targets, &vocab), vocab)
    }

    fn hits(ix: &TopicIndex, vocab: &Vocab, text: &str) -> Vec<(String, Effect, bool)> {
        let mut t = Tokens::default();
        t.push_text(text, 0);
        t.intern(|w| vocab.get(w));
        let mut out = Vec::new();
        ix.hits(&t, 0, t.len(), &mut out);
        out.iter()
            .map(|h| {
                let a = t.toks[h.tok].start;
                let b = t.toks[h.end - 1].end;
                (text[a..b].to_string(), h.entry.effect, h.entry.names)
            })
            .collect()
    }

    #[test]
    fn phrases_match_as_words_and_as_hashtags_with_their_roles() {
        let (ix, vocab) = index(Topic {
            terms: vec!["abortion".into(), "Roe v Wade".into()],
            aliases: vec!["Legalization of Abortion".into()],
            favor: vec!["pro-choice".into()],
            against: vec!["pro-life".into()],
            allies: vec!["Planned Parenthood".into()],
            opponents: vec!["Roe v Wade".into()],
        });
        let h = hits(
            &ix,
            &vocab,
            "Pro-life? #prochoice! Planned Parenthood on abortion and Roe v. Wade",
        );
        assert_eq!(
            h,
            [
                ("Pro-life".into(), Effect::Cue(-CUE_WEIGHT), true),
                ("prochoice".into(), Effect::Cue(CUE_WEIGHT), true),
                ("Planned Parenthood".into(), Effect::Tone(ALLY_SHARE), false),
                ("abortion".into(), Effect::Tone(1.0), true),
            ],
            "`Roe v. Wade` has a full stop inside: no match"
        );
        let h = hits(&ix, &vocab, "roe v wade");
        assert_eq!(h, [("roe v wade".into(), Effect::Tone(-1.0), true)]);
    }

    #[test]
    fn aliases_and_ids_find_the_topic_case_insensitively() {
        let (ix, _) = index(Topic {
            terms: vec!["abortion".into()],
            aliases: vec!["Legalization of Abortion".into()],
            ..Topic::default()
        });
        assert_eq!(ix.find("legalization  of ABORTION"), Some(0));
        assert_eq!(ix.find("Abortion"), Some(0));
        assert_eq!(ix.find("abortion rights"), None);
        assert_eq!(&**ix.id(0), "abortion");
    }
}
