//! Mentions: every actor the gazetteer knows, found in the body with its canonical id.
//!
//! Reads: the body and its sentences. Adds: `Article::mentions`, in body order. One Aho-Corasick
//! automaton (leftmost-longest) holds every name, adjective, capital, hyphen prefix (`Sino-`) and
//! exclusion phrase of every actor, so the body is scanned once and the longest name wins
//! (`South China Sea` is a place, not China; `George Washington` is nobody's capital). A match
//! counts only on word boundaries and when its case fits: an all-lower-case word never matches a
//! capitalised name (`china`, `turkey`), and `case_sensitive` names match only as written (`US`,
//! not `us`). After a match: `Trans-Pacific Partnership (TPP)` becomes one mention with its
//! abbreviation, and a state followed by one of its bodies (`Chinese Defense Ministry`) becomes a
//! mention of that body (`CHN.defense`), linked to the state.

use std::sync::Arc;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};

use crate::article::{
    char_bits, is_alnum, next_bit, starts_of, swar, Article, FxHashMap, Mention, Span, Via,
};
use crate::pipeline::actors::{ActorDef, ActorKind};
use crate::pipeline::MentionsConfig;

/// An actor as the tables need it.
#[derive(Clone, Debug)]
pub struct ActorInfo {
    /// Id.
    pub id: Arc<str>,
    /// Kind.
    pub kind: ActorKind,
    /// Display name.
    pub name: Arc<str>,
    /// First link (a person's state, a ministry's state).
    pub affiliation: Option<Arc<str>>,
}

#[derive(Clone, Copy, Debug)]
enum Target {
    /// A surface of an actor.
    Actor {
        actor: u32,
        via: Via,
        exact: bool,
        has_upper: bool,
    },
    /// A phrase that contains a surface but means something else.
    Exclude,
}

/// The compiled mentions stage.
#[derive(Debug)]
pub struct Mentions {
    enabled: bool,
    actors: Vec<ActorInfo>,
    ac: Option<NFA>,
    /// The first words of all patterns (see [`FirstWords`]).
    first_words: FirstWords,
    patterns: Vec<String>,
    targets: Vec<Target>,
    /// Anchored automaton of institution phrases, and for each phrase its body index.
    institutions: Option<AhoCorasick>,
    institution_body: Vec<u32>,
    /// (state actor index, body index) -> institution actor index.
    institution_actor: FxHashMap<(u32, u32), u32>,
}

fn has_upper(s: &str) -> bool {
    s.chars().any(char::is_uppercase)
}

impl Mentions {
    /// Builds the automaton from the gazetteer.
    pub fn new(cfg: &MentionsConfig, defs: &[ActorDef]) -> Mentions {
        let mut actors: Vec<ActorInfo> = defs
            .iter()
            .map(|d| ActorInfo {
                id: Arc::from(d.id.as_str()),
                kind: d.kind,
                name: Arc::from(d.name.as_str()),
                affiliation: d.links.first().map(|l| Arc::from(l.as_str())),
            })
            .collect();
        let index: FxHashMap<&str, u32> = defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i as u32))
            .collect();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Target> = Vec::new();
        // A surface belongs to the first actor that lists it (files are read in order).
        let mut seen: FxHashMap<String, ()> = FxHashMap::default();
        let mut add =
            |patterns: &mut Vec<String>, targets: &mut Vec<Target>, text: String, t: Target| {
                if seen.insert(text.clone(), ()).is_none() {
                    patterns.push(text);
                    targets.push(t);
                }
            };
        for (i, d) in defs.iter().enumerate() {
            let groups: [(&Vec<String>, Via); 3] = [
                (&d.names, Via::Name),
                (&d.adjectives, Via::Adjective),
                (&d.capitals, Via::Capital),
            ];
            for (list, via) in groups {
                for s in list {
                    let t = Target::Actor {
                        actor: i as u32,
                        via,
                        exact: d.case_sensitive.contains(s),
                        has_upper: has_upper(s),
                    };
                    add(&mut patterns, &mut targets, s.clone(), t);
                }
            }
            for p in &d.prefixes {
                let t = Target::Actor {
                    actor: i as u32,
                    via: Via::Prefix,
                    exact: false,
                    has_upper: has_upper(p),
                };
                add(&mut patterns, &mut targets, format!("{p}-"), t);
            }
        }
        for (phrase, id) in &cfg.standalone {
            let (state, body) = id.split_once('.').unwrap_or((id.as_str(), ""));
            if let Some(&s) = index.get(state) {
                let aid = actors.len() as u32;
                actors.push(institution(&actors[s as usize], body, phrase));
                let t = Target::Actor {
                    actor: aid,
                    via: Via::Institution,
                    exact: false,
                    has_upper: has_upper(phrase),
                };
                add(&mut patterns, &mut targets, phrase.clone(), t);
            }
        }
        for d in defs {
            for x in &d.exclude {
                add(&mut patterns, &mut targets, x.clone(), Target::Exclude);
            }
        }
        let ac = (!patterns.is_empty()).then(|| {
            // Searched anchored only, at word starts (see `longest_at`): a contiguous NFA builds in
            // a few milliseconds (a DFA of the whole gazetteer took ~0.1 s at every start), and an
            // anchored walk leaves the trie after a byte or two on most words.
            aho_corasick::nfa::contiguous::Builder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(&patterns)
                .expect("gazetteer automaton")
        });
        let first_words = FirstWords::new(&patterns);
        // Institutions: every state gets an actor per body, created up front so rows can share ids.
        let mut institution_actor = FxHashMap::default();
        let mut phrases = Vec::new();
        let mut institution_body = Vec::new();
        for (b, (body, list)) in cfg.institutions.iter().enumerate() {
            for p in list {
                phrases.push(p.clone());
                institution_body.push(b as u32);
            }
            for s in 0..defs.len() {
                if defs[s].kind == ActorKind::State {
                    let aid = actors.len() as u32;
                    actors.push(institution(&actors[s], body, &list[0]));
                    institution_actor.insert((s as u32, b as u32), aid);
                }
            }
        }
        let institutions = (!phrases.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Anchored)
                .build(&phrases)
                .expect("institution automaton")
        });
        Mentions {
            enabled: cfg.enabled,
            actors,
            ac,
            first_words,
            patterns,
            targets,
            institutions,
            institution_body,
            institution_actor,
        }
    }

    /// Every actor the stage can report (for `explain` and tests).
    pub fn actors(&self) -> &[ActorInfo] {
        &self.actors
    }

    /// Finds mentions in `text`: (byte start, byte end, actor index, via), in order.
    pub fn find(&self, text: &str) -> Vec<(usize, usize, u32, Via)> {
        let mut out = Vec::new();
        let Some(ac) = &self.ac else { return out };
        let mut pos = 0;
        // Whether `pos` is known to be a boundary (saves looking back at the character before).
        let mut at_boundary = true;
        // A match must start on a word boundary, so only positions after a non-alphanumeric
        // character (or the start of the text) are tried, each with an anchored search: the
        // same leftmost-longest match an unanchored search from `pos` would accept. Unless some
        // name opens with a character that is no letter or digit, only the starts of words can
        // be such a position, and they are read from a bit mask.
        let alnum = char_bits(text, false);
        let starts = (!self.first_words.other_start).then(|| starts_of(alnum.clone()));
        loop {
            let s = match &starts {
                Some(starts) => match next_bit(starts, pos, false) {
                    Some(s) => s,
                    None => break,
                },
                None if at_boundary && pos < text.len() => pos,
                None => match next_boundary(text, pos) {
                    Some(s) => s,
                    None => break,
                },
            };
            at_boundary = false;
            let (word_end, hash) = word_at(text.as_bytes(), &alnum, s);
            if !self
                .first_words
                .may_start(text.as_bytes(), &alnum, s, word_end, hash)
            {
                // No name starts with this word, so none can be accepted here (see `FirstWords`).
                // The character at `word_end` (or at `s`, for an empty word) is no letter or
                // digit, so the position after it is the next boundary.
                let c = word_end.max(s);
                if c >= text.len() {
                    break;
                }
                pos = c + utf8_len(text.as_bytes()[c]);
                at_boundary = true;
                continue;
            }
            let Some((pattern_id, e)) = longest_at(ac, text.as_bytes(), s) else {
                pos = s + text[s..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let pattern = &self.patterns[pattern_id];
            let target = self.targets[pattern_id];
            let prefix = matches!(
                target,
                Target::Actor {
                    via: Via::Prefix,
                    ..
                }
            );
            // A prefix (`Sino-`) ends in its hyphen, which is the boundary.
            let ok_bounds = prefix || boundary_after(text, e);
            let ok = ok_bounds
                && match target {
                    Target::Exclude => true,
                    Target::Actor {
                        exact,
                        has_upper: up,
                        ..
                    } => {
                        let surface = &text[s..e];
                        if exact {
                            surface == pattern
                        } else {
                            !up || has_upper(surface)
                        }
                    }
                };
            if !ok {
                // Try again one character later: a later name may still match.
                pos = s + text[s..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            pos = e;
            let Target::Actor { actor, via, .. } = target else {
                continue;
            };
            if prefix {
                out.push((s, e - 1, actor, Via::Prefix));
                continue;
            }
            let mut end = e;
            // `Trans-Pacific Partnership (TPP)`: one mention with its abbreviation.
            if let Some(close) = self.abbreviation_after(text, e, actor) {
                end = close;
            }
            // `Chinese Defense Ministry`, `Russia's Foreign Ministry`: the state's body.
            if self.actors[actor as usize].kind == ActorKind::State && via != Via::Prefix {
                if let Some((inst_end, inst)) = self.institution_after(text, end, actor) {
                    out.push((s, inst_end, inst, Via::Institution));
                    pos = inst_end;
                    continue;
                }
            }
            pos = end;
            out.push((s, end, actor, via));
        }
        out
    }

    fn abbreviation_after(&self, text: &str, e: usize, actor: u32) -> Option<usize> {
        let rest = text[e..].strip_prefix(" (")?;
        let close = rest.find(')').filter(|&c| c > 0 && c <= 16)?;
        let inner = &rest[..close];
        let ac = self.ac.as_ref()?;
        let (pattern_id, end) = longest_at(ac, inner.as_bytes(), 0)?;
        let same = matches!(self.targets[pattern_id], Target::Actor { actor: a, .. } if a == actor);
        (end == inner.len() && same).then_some(e + 2 + close + 1)
    }

    fn institution_after(&self, text: &str, e: usize, state: u32) -> Option<(usize, u32)> {
        let ac = self.institutions.as_ref()?;
        let mut at = e;
        for poss in ["'s", "’s", "'", "’"] {
            if text[at..].starts_with(poss) {
                at += poss.len();
                break;
            }
        }
        let rest = &text[at..];
        let space = rest.len() - rest.trim_start_matches(' ').len();
        if space != 1 {
            return None;
        }
        at += 1;
        let m = ac.find(Input::new(&text[at..]).anchored(Anchored::Yes))?;
        let end = at + m.end();
        if !boundary_after(text, end) {
            return None;
        }
        let body = self.institution_body[m.pattern().as_usize()];
        let inst = *self.institution_actor.get(&(state, body))?;
        Some((end, inst))
    }

    /// Adds the article's mentions.
    pub fn apply(&self, a: &mut Article) {
        if !self.enabled || a.body.is_empty() {
            return;
        }
        let found = self.find(&a.body);
        if found.is_empty() {
            return;
        }
        let idx = &a.body_index;
        let mut mentions = Vec::with_capacity(found.len());
        for (s, e, actor, via) in found {
            let info = &self.actors[actor as usize];
            mentions.push(Mention {
                actor_id: info.id.clone(),
                kind: info.kind,
                affiliation: info.affiliation.clone(),
                via,
                sentence_index: a.sentence_at(s),
                span: Span {
                    start: idx.char_at(s),
                    end: idx.char_at(e),
                },
                bytes: (s, e),
            });
        }
        a.mentions = mentions;
    }
}

fn institution(state: &ActorInfo, body: &str, phrase: &str) -> ActorInfo {
    ActorInfo {
        id: Arc::from(format!("{}.{body}", state.id)),
        kind: ActorKind::Organisation,
        name: Arc::from(format!("{} ({})", phrase, state.name)),
        affiliation: Some(state.id.clone()),
    }
}

/// A filter of the patterns' first words (their leading run of letters and digits, ASCII
/// lower-cased), so that most words of a text are passed over without walking the automaton (a
/// cache miss or two per word on a gazetteer of thousands of names).
///
/// It is exact where it matters: a match that `find` accepts ends on a word boundary or, for a
/// prefix, at its hyphen, so the text's word at its start is the pattern's first word (ASCII
/// case aside). A word the filter rejects therefore has no accepted match, and a rejected
/// longest match changes nothing. False positives only cost a walk.
///
/// Words like `the` and `New` start many names but are far more common as themselves: a pattern
/// whose first word is followed by another word (`the United States`, after a space or a joining
/// mark: see [`second_word`]) is filed under the pair of words instead, by the same argument
/// applied to the second word, so `the` leads to a walk only before `United`, `Philippines` and
/// the like. The text's bytes between the two words are the pattern's, so both find the second
/// word at the same place.
#[derive(Debug)]
struct FirstWords {
    /// First words that start a pattern some other way (alone, or before a hyphen or a dot).
    bits: Vec<u64>,
    /// First words of the patterns filed under their first two words.
    pair_first: Vec<u64>,
    /// Those patterns' first two words.
    pairs: Vec<u64>,
    /// Some pattern starts with a character that is not a letter or digit.
    other_start: bool,
}

impl FirstWords {
    const BITS: u32 = 16;

    fn new(patterns: &[String]) -> FirstWords {
        let empty = || vec![0; (1 << Self::BITS) / 64];
        let mut f = FirstWords {
            bits: empty(),
            pair_first: empty(),
            pairs: empty(),
            other_start: false,
        };
        for p in patterns {
            // Hashed by the same scan as the text's words, so the two can only agree.
            let alnum = char_bits(p, false);
            let (end, h) = word_at(p.as_bytes(), &alnum, 0);
            if end == 0 {
                f.other_start = true;
                continue;
            }
            match second_word_hash(p.as_bytes(), &alnum, end) {
                Some(h2) => {
                    set(&mut f.pair_first, h);
                    set(&mut f.pairs, Self::pair(h, h2));
                }
                None => set(&mut f.bits, h),
            }
        }
        f
    }

    fn pair(h1: u64, h2: u64) -> u64 {
        hash_step(h1.rotate_left(29), (h2 >> 56) as u8) ^ h2
    }

    /// Whether a pattern may start at `s`, where [`word_at`] found a word ending at `word_end`
    /// with hash `h`; a pattern may also start with a character that is no letter or digit.
    #[inline]
    fn may_start(&self, text: &[u8], alnum: &[u64], s: usize, word_end: usize, h: u64) -> bool {
        if word_end == s {
            return self.other_start;
        }
        if get(&self.bits, h) {
            return true;
        }
        get(&self.pair_first, h)
            && second_word_hash(text, alnum, word_end)
                .is_some_and(|h2| get(&self.pairs, Self::pair(h, h2)))
    }
}

/// The hash of the word after a first word ending at `end` ([`second_word`]), if one follows: the
/// same for a pattern being filed and for the text being scanned.
#[inline(always)]
fn second_word_hash(b: &[u8], alnum: &[u64], end: usize) -> Option<u64> {
    let at = second_word(b, end)?;
    let (e2, h2) = word_at(b, alnum, at);
    (e2 > at).then_some(h2)
}

/// Where a second word may start after a first word ending at `end`: after one space, or after a
/// joining mark (`A. P. J. Abdul Kalam`, `E.U.`, `Port-au-Prince`, `People's`, `9/11`) and at
/// most one space. Patterns are filed under their first two words by the same rule ([`FirstWords`]):
/// `A.`, `S.` and `People's` open names but are far more common as the article `a`, the `S` of
/// `U.S.` and the word `people`.
fn second_word(b: &[u8], end: usize) -> Option<usize> {
    let mark = match b.get(end..)? {
        [b' ', ..] => return Some(end + 1),
        [b'.' | b'-' | b'/' | b'\'' | b'+' | b'&', ..] => 1,
        [0xe2, 0x80, 0x99, ..] => 3,
        _ => return None,
    };
    Some(end + mark + usize::from(b.get(end + mark) == Some(&b' ')))
}

fn bucket(h: u64) -> usize {
    (h >> (64 - FirstWords::BITS)) as usize
}

fn set(bits: &mut [u64], h: u64) {
    let b = bucket(h);
    bits[b / 64] |= 1 << (b % 64);
}

fn get(bits: &[u64], h: u64) -> bool {
    let b = bucket(h);
    bits[b / 64] & (1 << (b % 64)) != 0
}

/// The length of the UTF-8 character that starts with byte `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The end of the run of letters and digits that starts at `s` (`alnum` is the text's
/// [`char_bits`] mask), and its first-word hash: the word's bytes, ASCII lower-cased, eight at a
/// time. This runs at every word of every body; a byte-by-byte loop mispredicted every word's
/// end and chained a multiply per byte.
#[inline(always)]
fn word_at(text: &[u8], alnum: &[u64], s: usize) -> (usize, u64) {
    let end = next_bit(alnum, s, true).map_or(text.len(), |e| e.min(text.len()));
    let mut h = 0u64;
    let mut i = s;
    while i < end {
        let n = (end - i).min(8);
        let x = swar::load_low(text, i, n);
        h = (h.rotate_left(5) ^ swar::ascii_lower(x)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        i += n;
    }
    (end, h)
}

/// Mixes one byte into a hash (xor, then multiply).
fn hash_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The longest pattern that starts at `s` and ends within `hay`: (pattern index, end). The same
/// match as `AhoCorasick::find` with an anchored `Input` from `s` (the loop is
/// `aho_corasick::automaton::try_find_fwd` for an anchored leftmost search), without its
/// per-call set-up, which cost more than the walk itself when done at every word of a body.
fn longest_at(nfa: &NFA, hay: &[u8], s: usize) -> Option<(usize, usize)> {
    let mut sid = nfa.start_state(Anchored::Yes).ok()?;
    let mut found = None;
    if nfa.is_match(sid) {
        found = Some((nfa.match_pattern(sid, 0).as_usize(), s));
    }
    for (at, &byte) in hay.iter().enumerate().skip(s) {
        sid = nfa.next_state(Anchored::Yes, sid, byte);
        if nfa.is_special(sid) {
            if nfa.is_dead(sid) {
                break;
            }
            if nfa.is_match(sid) {
                let pid = nfa.match_pattern(sid, 0);
                // Matches copied along failure transitions start later: not anchored at `s`.
                if at + 1 - nfa.pattern_len(pid) == s {
                    found = Some((pid.as_usize(), at + 1));
                }
            }
        }
    }
    found
}

/// The first position at or after `from` that follows a non-alphanumeric character (or starts
/// the text): where a name may start.
fn next_boundary(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    if i >= b.len() {
        return None;
    }
    if boundary_before(text, i) {
        return Some(i);
    }
    // Here the character before `i` is alphanumeric: skip to the end of its word, then the
    // position after the first non-alphanumeric character is a boundary.
    loop {
        let (alnum, len) = if b[i] < 0x80 {
            (b[i].is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            (is_alnum(c), c.len_utf8())
        };
        i += len;
        if !alnum {
            return (i < b.len()).then_some(i);
        }
        if i >= b.len() {
            return None;
        }
    }
}

fn boundary_before(text: &str, s: usize) -> bool {
    text[..s].chars().next_back().is_none_or(|c| !is_alnum(c))
}

fn boundary_after(text: &str, e: usize) -> bool {
    text[e..].chars().next().is_none_or(|c| !is_alnum(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Pipeline;
    use std::sync::LazyLock;

    static STAGE: LazyLock<Mentions> = LazyLock::new(|| {
        let p = Pipeline::builtin();
        Mentions::new(&p.mentions, &p.actors)
    });

    fn find(text: &str) -> Vec<(String, String)> {
        STAGE
            .find(text)
            .into_iter()
            .map(|(s, e, a, _)| {
                (
                    text[s..e].to_string(),
                    STAGE.actors[a as usize].id.to_string(),
                )
            })
            .collect()
    }

    fn ids(text: &str) -> Vec<String> {
        find(text).into_iter().map(|(_, id)| id).collect()
    }

    #[test]
    fn names_adjectives_capitals_possessives() {
        assert_eq!(
            ids("Japan’s ties with the U.S. and Tokyo's bet on Americans"),
            ["JPN", "USA", "JPN", "USA"]
        );
        assert_eq!(find("Trump's visit")[0].0, "Trump");
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(
            ids("the South China Sea and North Korea"),
            ["SOUTH_CHINA_SEA", "PRK"]
        );
        assert_eq!(ids("the Indo-Pacific"), ["INDO_PACIFIC"]);
    }

    #[test]
    fn compounds_and_abbreviations() {
        assert_eq!(
            find("Sino-Japanese relations"),
            [
                ("Sino".into(), "CHN".into()),
                ("Japanese".into(), "JPN".into())
            ]
        );
        assert_eq!(
            ids("US-China trade and the Japan – US alliance"),
            ["USA", "CHN", "JPN", "USA"]
        );
        assert_eq!(
            find("the Trans-Pacific Partnership (TPP) and"),
            [("Trans-Pacific Partnership (TPP)".into(), "TPP".into())]
        );
    }

    #[test]
    fn case_and_exclusions() {
        assert_eq!(
            ids("tell us about fine china and a turkey"),
            Vec::<String>::new()
        );
        assert_eq!(ids("The US and CHINA"), ["USA", "CHN"]);
        assert_eq!(
            ids("George Washington read the Washington Post"),
            Vec::<String>::new()
        );
        assert_eq!(ids("Washington warned Moscow"), ["USA", "RUS"]);
    }

    #[test]
    fn first_word_filter_passes_every_pattern() {
        // The filter may pass words no pattern starts with, but never the start of a pattern's
        // own text, in any ASCII case, whatever follows it.
        for p in &STAGE.patterns {
            for text in [
                format!("{p} next"),
                format!("{} next", p.to_ascii_uppercase()),
                format!("{}.", p.to_ascii_lowercase()),
            ] {
                let b = text.as_bytes();
                let alnum = char_bits(&text, false);
                let (end, h) = word_at(b, &alnum, 0);
                assert!(
                    STAGE.first_words.may_start(b, &alnum, 0, end, h),
                    "{text:?}"
                );
            }
        }
        assert_eq!(second_word(b"A. P. J.", 1), Some(3));
        assert_eq!(second_word("People’s".as_bytes(), 6), Some(9));
        assert_eq!(second_word(b"9/11", 1), Some(2));
        assert_eq!(second_word(b"a turkey", 1), Some(2));
        assert_eq!(second_word(b"Japan, and", 5), None);
    }

    #[test]
    fn institutions() {
        assert_eq!(
            find("Chinese Defense Ministry spokesperson Ren Guoquiang and Russia's Foreign Ministry and the Pentagon"),
            [
                ("Chinese Defense Ministry".into(), "CHN.defense".into()),
                ("Russia's Foreign Ministry".into(), "RUS.foreign".into()),
                ("Pentagon".into(), "USA.defense".into()),
            ]
        );
    }
}
