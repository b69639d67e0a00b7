//! Quotes: who says what. Direct quotations in quotation marks and reported speech, each with its
//! span, its kind and, when the text says so, its speaker.
//!
//! Reads: the body, paragraphs, sentences and mentions. Adds: `Article::quotes`, in body order.
//!
//! Direct quotations: curly `“…”` and straight `"…"` pairs inside a paragraph; a paragraph that
//! ends inside a quotation continues it when the next paragraph reopens with a quotation mark (the
//! newspaper convention), and an opening mark that is never closed is dropped, so an unbalanced
//! quote never swallows the rest of the article. Single quotes inside are part of the text.
//! Reported speech: `X said that …`, `X told reporters (that) …`, `X warned that …`,
//! `according to X, …`, `…, according to X`, and `X said` + a clause.
//!
//! Speakers: the subject next to a reporting verb (the verbs are in the pipeline file), on either
//! side of the quotation (`“…,” said Abe`, `“…,” Abe said`, `Abe said: “…”`, `stating that “…”`).
//! A subject is a name (a gazetteer person gets its canonical name and id), a role phrase with a
//! name (`Chinese Defense Ministry spokesperson Ren Guoquiang` → speaker `Ren Guoquiang`, role
//! `Chinese Defense Ministry spokesperson`, actor China), a state or organisation (`Beijing said`),
//! or `he`/`she`, resolved to the last person named in the paragraph or the one before. Nobody is
//! guessed: without a subject the speaker stays empty.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::Arc;

use crate::article::{
    blocks, char_at, class_masks, count_words, for_each_word, is_alnum, swar::LOW_BYTES, Article,
    FxHashMap, ProbeTable, Quote, QuoteKind, Span,
};
use crate::pipeline::actors::{ActorDef, ActorKind};
use crate::pipeline::QuotesConfig;

/// Words that make up role phrases before or after a name (lower-case forms).
const ROLE_WORDS: &[&str] = &[
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "spokespeople",
    "minister",
    "ministers",
    "secretary",
    "president",
    "vice",
    "prime",
    "premier",
    "chancellor",
    "ambassador",
    "envoy",
    "diplomat",
    "diplomats",
    "official",
    "officials",
    "adviser",
    "advisor",
    "aide",
    "general",
    "admiral",
    "commander",
    "chief",
    "head",
    "leader",
    "director",
    "deputy",
    "senior",
    "junior",
    "foreign",
    "defense",
    "defence",
    "trade",
    "finance",
    "interior",
    "state",
    "ministry",
    "department",
    "office",
    "representative",
    "negotiator",
    "analyst",
    "professor",
    "researcher",
    "fellow",
    "senator",
    "governor",
    "mayor",
    "lawmaker",
    "legislator",
    "member",
    "chair",
    "chairman",
    "chairwoman",
    "king",
    "queen",
    "crown",
    "prince",
    "supreme",
    "national",
    "security",
    "military",
    "army",
    "navy",
    "air",
    "force",
    "council",
    "commission",
    "council's",
    "party",
    "former",
    "top",
    "assistant",
    "undersecretary",
    "under-secretary",
    "counsellor",
    "counselor",
    "attaché",
    "correspondent",
    "economist",
    "expert",
    "scholar",
    "sources",
    "source",
    "the",
    "a",
    "an",
    "its",
    "his",
    "her",
    "their",
    "of",
    "for",
    "to",
    "and",
    "at",
    "on",
    "in",
    "with",
    "from",
    "spokesperson's",
    "affairs",
    "political",
    "economic",
    "strategic",
    "intelligence",
    "agency",
    "bureau",
    "embassy",
    "mission",
    "delegation",
    "delegate",
    "secretary-general",
    "general's",
    // Plural and common roles that open a sentence as its subject (`Analysts say …`, `Chelsea
    // boss Jose Mourinho said`): capitalised there, they would otherwise read as a name.
    "analysts",
    "economists",
    "experts",
    "scholars",
    "researchers",
    "scientists",
    "critics",
    "critic",
    "observers",
    "observer",
    "campaigners",
    "campaigner",
    "commentators",
    "commentator",
    "investors",
    "traders",
    "lawyers",
    "lawyer",
    "prosecutors",
    "prosecutor",
    "police",
    "witnesses",
    "residents",
    "doctors",
    "officers",
    "executives",
    "executive",
    "bosses",
    "boss",
    "manager",
    "coach",
    "leaders",
    "spokesmen",
    "spokeswomen",
    "representatives",
    "negotiators",
    "lawmakers",
    "legislators",
    "senators",
    "members",
    "advisers",
    "aides",
    "commanders",
    "authorities",
    "insiders",
];

/// Words that are never a speaker's name, though capitalised before a reporting verb: pronouns
/// other than `he`/`she` (which are resolved to a person), and determiners (`It said …`, `They
/// have predicted …`, `Some argue …`). The speaker is left unknown rather than named `It`.
const NOT_NAMES: &[&str] = &[
    "I", "It", "They", "We", "You", "This", "That", "These", "Those", "There", "Here", "One",
    "Some", "Many", "Others", "Both", "All", "Most", "Few", "Several", "Each", "Another", "Who",
    "Which", "What",
];
/// Titles that open a capitalised run before a name (`Foreign Minister Wang Yi`).
const TITLES: &[&str] = &[
    "President",
    "Vice",
    "Prime",
    "Minister",
    "Foreign",
    "Defense",
    "Defence",
    "Secretary",
    "General",
    "Chancellor",
    "Premier",
    "Ambassador",
    "Envoy",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Admiral",
    "Commander",
    "Chief",
    "Senator",
    "Governor",
    "Mayor",
    "King",
    "Queen",
    "Crown",
    "Prince",
    "Supreme",
    "Leader",
    "Deputy",
    "Director",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Representative",
    "Trade",
    "Finance",
    "State",
    "Interior",
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "Prof.",
    "Professor",
    "Sheikh",
    "Emir",
    "Sultan",
    "Lt.",
    "Gen.",
    "Col.",
    "Maj.",
    "Capt.",
    "Adm.",
    "Sen.",
    "Rep.",
    "Gov.",
    "Pres.",
    "Amb.",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
];
/// Words in the role list that do not make a role on their own.
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "for", "to", "and", "at", "on", "in", "with", "from", "its", "his",
    "her", "their", "The", "A", "An",
];

/// Capitalised words that open sentences and are never part of a speaker's name.
const OPENER_WORDS: &[&str] = &[
    "Later",
    "Earlier",
    "Then",
    "But",
    "And",
    "However",
    "Meanwhile",
    "Yesterday",
    "Today",
    "Still",
    "Also",
    "Separately",
    "Now",
    "So",
    "Yet",
    "Instead",
    "Moreover",
    "Indeed",
    "In",
    "On",
    "At",
    "After",
    "Before",
    "When",
    "While",
    "As",
    "Asked",
    "Speaking",
    "Privately",
    "Publicly",
    "Last",
    "This",
    "That",
    "The",
    "A",
    "An",
    "Both",
    "Even",
    "Finally",
    "First",
    "Second",
    "Third",
    "Overnight",
    "Tonight",
    "Tomorrow",
    "Recently",
    "Since",
    "Though",
    "Although",
    "Once",
    "If",
];
const PRONOUNS: &[&str] = &["he", "she", "He", "She"];
/// Words between a subject and its verb that are not part of the subject (`has repeatedly said`).
const BETWEEN: &[&str] = &[
    "has",
    "have",
    "had",
    "is",
    "was",
    "were",
    "would",
    "will",
    "also",
    "again",
    "then",
    "once",
    "often",
    "long",
    "already",
    "still",
    "even",
    "later",
    "earlier",
    "previously",
    "recently",
    "repeatedly",
    "publicly",
    "privately",
    "reportedly",
    "firmly",
    "flatly",
    "quickly",
    "bluntly",
    "openly",
    "separately",
    "has since",
    "since",
    "subsequently",
    "yesterday",
    "today",
    "on",
];

/// Words that make a stretch a clause of its own (so a later `that` is not the cue's).
const CLAUSE_VERBS: &[&str] = &[
    "would", "will", "is", "was", "are", "were", "has", "have", "had", "could", "can", "should",
    "must", "did", "does",
];
/// Nouns after which `that` is a determiner (`that year`), not a conjunction.
const TIME_NOUNS: &[&str] = &[
    "year", "day", "week", "month", "time", "morning", "evening", "night", "summer", "winter",
    "spring", "autumn", "decade", "point",
];
/// Cues that take a clause without `that` (`X said the talks would resume`).
const CLAUSE_CUES: &[&str] = &[
    "said",
    "says",
    "insists",
    "insisted",
    "argues",
    "argued",
    "claims",
    "claimed",
    "believes",
    "believed",
    "thinks",
    "warned",
    "warns",
    "added",
    "adds",
    "noted",
    "notes",
    "maintains",
    "maintained",
    "stressed",
    "predicted",
    "suggested",
    "admitted",
    "conceded",
    "acknowledged",
    "reiterated",
    "stated",
];

/// The compiled quotes stage.
#[derive(Debug)]
pub struct Quotes {
    enabled: bool,
    /// Canonical names of gazetteer persons, by id.
    names: FxHashMap<Arc<str>, String>,
    /// Reporting verbs, role words and titles.
    words: WordTable,
    statement_min_words: usize,
}

/// A person named so far: for pronoun resolution.
#[derive(Clone, Debug)]
struct Person {
    at: usize,
    paragraph: u32,
    name: String,
    actor: Option<Arc<str>>,
    affiliation: Option<Arc<str>>,
    role: Option<String>,
}

/// The words of one sentence: a slice of the body's, which starts at word `first`, and the
/// positions (in the body's words) of its cue words.
#[derive(Clone, Copy)]
struct SentenceWords<'t> {
    toks: &'t [Tok],
    first: usize,
    cues: &'t [u32],
}

/// A resolved speaker.
#[derive(Clone, Debug, Default, PartialEq)]
struct Speaker {
    name: Option<String>,
    actor: Option<Arc<str>>,
    affiliation: Option<Arc<str>>,
    role: Option<String>,
}

/// What a run of capitalised and role words is ([`Quotes::parse_run`]).
enum Run<'t, 'm> {
    /// A gazetteer person's mention ends the run.
    Person(&'m crate::article::Mention),
    /// The run is a state's or organisation's mention (`the Foreign Ministry`).
    Body(&'m crate::article::Mention),
    /// Role words, then a name when the run ends in one.
    Split {
        role: &'t [Tok],
        name: Option<&'t [Tok]>,
    },
}

/// A word of the body: its byte range and flags. Kept to 12 bytes, with no borrow of the text
/// (see [`Tok::text`]): a body has a token per 6 bytes or so, and they are written once and
/// read by every look around a quotation.
#[derive(Clone, Copy, Debug)]
struct Tok {
    start: u32,
    end: u32,
    /// What the word is, worked out once per token (`F_*`).
    f: u8,
}

const F_VERB: u8 = 1;
const F_ROLE: u8 = 2;
const F_TITLE: u8 = 4;
const F_CAP: u8 = 8;
/// `according` (any case): with `to` after it, a cue of reported speech.
const F_ACCORDING: u8 = 16;
/// The flags that make a word a cue of reported speech, whose positions [`tokens`] lists.
const F_CUE: u8 = F_VERB | F_ACCORDING;
/// A short name particle (`bin`, `de`): only in the word table, never on a token.
const F_PARTICLE: u8 = 32;

impl Tok {
    /// The first byte of the word in the body.
    fn s(&self) -> usize {
        self.start as usize
    }
    /// One past the last byte.
    fn e(&self) -> usize {
        self.end as usize
    }
    /// The word, from the body it was taken from.
    fn text<'a>(&self, body: &'a str) -> &'a str {
        &body[self.s()..self.e()]
    }
    fn verb(&self) -> bool {
        self.f & F_VERB != 0
    }
    fn role(&self) -> bool {
        self.f & F_ROLE != 0
    }
    fn title(&self) -> bool {
        self.f & F_TITLE != 0
    }
    fn cap(&self) -> bool {
        self.f & F_CAP != 0
    }
}

/// The words of a body ([`tokens`]) and the buffers that find them.
#[derive(Default)]
struct Words {
    toks: Vec<Tok>,
    /// Positions in `toks` of the words that may cue reported speech.
    cues: Vec<u32>,
    inword: Vec<u64>,
    start: Vec<u64>,
}

/// Token buffers above this many bytes are not kept for the next article, so one long body does
/// not hold its memory for the rest of the run.
const KEEP_WORDS_BYTES: usize = 8 << 20;

impl Words {
    /// The memory the buffers hold.
    fn bytes(&self) -> usize {
        self.toks.capacity() * size_of::<Tok>()
            + self.cues.capacity() * size_of::<u32>()
            + (self.inword.capacity() + self.start.capacity()) * size_of::<u64>()
    }
}

thread_local! {
    /// Each worker's token buffers, reused from one article to the next: a fresh vector of
    /// several hundred kilobytes per article cost page faults and zeroing on every article.
    static WORDS: RefCell<Words> = RefCell::default();
}

/// Words of `body` with byte offsets; `words` gives their flags. Also the positions of the words
/// that may cue reported speech (`F_CUE`): a sentence holds a few of them at most, and looking
/// for reported speech goes straight to them instead of testing each word of each sentence.
///
/// A word is a run of letters and digits, with `.`, `-` and apostrophes inside it (`U.S.`,
/// `al-Harbi`, `Japan’s`); a trailing apostrophe, hyphen or sentence full stop is not part of it.
/// In other words: in each run of bytes that may continue a word, the word starts at the first
/// letter or digit. The runs are read from bit masks built 64 bytes at a time (non-ASCII
/// characters are decoded only where they occur), so the scan has no branch per byte.
fn tokens(body: &str, words: &WordTable, into: &mut Words) {
    let b = body.as_bytes();
    let n = b.len().div_ceil(64);
    // Bytes that may continue a word, and bytes that may start one.
    let Words {
        toks: out,
        cues,
        inword,
        start,
    } = into;
    for v in [&mut *inword, &mut *start] {
        v.clear();
        v.resize(n, 0);
    }
    out.clear();
    cues.clear();
    blocks(b, b' ', |i, block| {
        let m = class_masks(block);
        let w = i / 64;
        inword[w] |= m.alnum | m.joiner;
        start[w] |= m.alnum;
        let mut high = m.high;
        while high != 0 {
            let k = high.trailing_zeros() as usize;
            high &= high - 1;
            let c = char_at(body, i + k);
            let alnum = is_alnum(c);
            if alnum || c == '’' {
                // All of the character's bytes, which may reach into the next block.
                for p in i + k..i + k + c.len_utf8() {
                    inword[p / 64] |= 1 << (p % 64);
                }
                start[w] |= u64::from(alnum) << k;
            }
        }
    });
    word_bounds(inword, start);
    // News text runs about one word per 6 bytes; reallocating a large vector costs more than
    // the spare room.
    out.reserve(b.len() / 5 + 16);
    // The k-th word start pairs with the k-th run end (see `word_bounds`).
    for_each_word(start, inword, |st, i| {
        let e = match b[i - 1] {
            b'\'' | b'-' => i - 1,
            0x99 if i - st >= 3 && b[i - 3..i] == *"’".as_bytes() => i - "’".len(),
            // A sentence full stop, not the last dot of `U.S.`.
            b'.' if i - st > 2 && !b[st..i - 1].contains(&b'.') => i - 1,
            _ => i,
        };
        if e > st {
            let f = flags(body, st, e, words);
            if f & F_CUE != 0 {
                cues.push(out.len() as u32);
            }
            // `Quotes::apply` leaves bodies of 4 GiB or more alone, so the offsets fit.
            out.push(Tok {
                start: st as u32,
                end: e as u32,
                f,
            });
        }
        ControlFlow::Continue(())
    });
}

/// Turns the masks of [`tokens`] into word bounds, in place: `start` keeps only the first start
/// bit of each run of `inword` bits (where the word begins), and `inword` only the last bit of
/// each run that has a start bit (the word's last byte before trimming). The k-th bits of the
/// two then belong to the k-th word, so the words are read off with no search, where finding
/// the next set bit and then the next clear bit cost two searches per word.
fn word_bounds(inword: &mut [u64], start: &mut [u64]) {
    // Bit 63 of the previous block's `filled`: a run with a start reaches into this block.
    let mut carry = 0u64;
    for w in 0..inword.len() {
        let (run, s) = (inword[w], start[w]);
        // Every bit of a run from its first start bit on: each start bit is spread up through
        // its run in six doubling steps (the bits of `m` are those whose last 1, 2, 4, … bits
        // are all in a run). A run filled in the previous block goes on from bit 0.
        let low_run = run & !run.wrapping_add(1);
        let mut filled = s | (low_run & carry.wrapping_neg());
        let mut m = run;
        for shift in [1, 2, 4, 8, 16, 32] {
            filled |= (filled << shift) & m;
            m &= m << shift;
        }
        let first = s & !((filled << 1) | carry);
        carry = filled >> 63;
        let next = inword.get(w + 1).map_or(0, |x| x & 1);
        let ends = run & !((run >> 1) | (next << 63));
        start[w] = first;
        inword[w] = ends & filled;
    }
}

/// The `F_*` flags of the word `body[st..e]`.
///
/// This runs for every word of every body, so a short ASCII word is packed once and everything
/// is read from that: the table entry, capitalisation from its first byte, and a
/// short name particle (`bin`, `de`) from the entry too.
#[inline(always)]
fn flags(body: &str, st: usize, e: usize, words: &WordTable) -> u8 {
    // The word as a `str` only where it is needed: slicing checks both ends for a char boundary.
    let t = || &body[st..e];
    let Some((raw, lower)) = pack_at(&body.as_bytes()[st..], e - st) else {
        // Long or not ASCII: in no list.
        return if capitalised(t()) { F_CAP } else { 0 };
    };
    let w = words.get(lower);
    let first = raw as u8;
    let cap = first.is_ascii_uppercase()
        || (first.is_ascii_lowercase()
            && if e - st <= 3 {
                w.flags & F_PARTICLE != 0
            } else {
                has_byte(raw as u32, b'-') && particle_prefixed(t())
            });
    let mut f = w.flags & (F_ROLE | F_ACCORDING);
    // A reporting verb is written in lower case (`Said` opening a sentence is rare).
    if first.is_ascii_lowercase() {
        f |= w.flags & F_VERB;
    }
    if cap {
        f |= F_CAP;
        if w.title == Some(raw) {
            f |= F_TITLE;
        }
    }
    f
}

/// Whether one of the four bytes of `x` is `c`.
fn has_byte(x: u32, c: u8) -> bool {
    let y = x ^ (0x0101_0101 * u32::from(c));
    y.wrapping_sub(0x0101_0101) & !y & 0x8080_8080 != 0
}

/// Packs a short ASCII word into one integer key, as written and lower-cased, so that looking it
/// up costs one multiply-hash instead of hashing a string. `None` for long or non-ASCII words,
/// which are never verbs, roles or titles.
fn pack(b: &[u8]) -> Option<(u128, u128)> {
    pack_at(b, b.len())
}

/// [`pack`] of `text[..len]`. When 16 bytes of `text` are there, they are read at once and the
/// bytes past the word masked off, instead of copying a word of variable length.
fn pack_at(text: &[u8], len: usize) -> Option<(u128, u128)> {
    if len > 16 {
        return None;
    }
    let raw = match text.get(..16) {
        Some(b16) => {
            let all = u128::from_le_bytes(b16.try_into().expect("16 bytes"));
            all & LOW_BYTES[len]
        }
        None => {
            let mut buf = [0u8; 16];
            buf[..len].copy_from_slice(&text[..len]);
            u128::from_le_bytes(buf)
        }
    };
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    if raw & HIGH != 0 {
        return None;
    }
    // Lower-cases the 16 ASCII bytes at once: a byte gets 0x20 added exactly when it is `A`..=`Z`
    // (the 0x80 bit of `ge_a` and not of `gt_z`; no byte carries into the next, all are < 0x80).
    const ONES: u128 = u128::from_le_bytes([1; 16]);
    let ge_a = raw + ONES * u128::from(0x80 - b'A');
    let gt_z = raw + ONES * u128::from(0x7f - b'Z');
    let upper = (ge_a & !gt_z) & HIGH;
    Some((raw, raw | (upper >> 2)))
}

/// What the word table knows of one lower-cased word.
#[derive(Clone, Copy, Debug, Default)]
struct WordInfo {
    /// `F_VERB`, `F_ROLE`, `F_ACCORDING` and `F_PARTICLE`, which hold in any case.
    flags: u8,
    /// The packed form a title is written in (`President`), when the word is a title.
    title: Option<u128>,
}

/// The word table of the quote stage: reporting verbs, role words and name particles
/// (lower-cased) and titles (as written), keyed by the packed lower-case form ([`pack`]), at most
/// a quarter full. A third of the words of a body are in it (`the`, `of` and `for` are role
/// words), hence a table read with no branch.
#[derive(Debug)]
struct WordTable {
    table: ProbeTable<u128, WordInfo>,
    shift: u32,
}

impl WordTable {
    fn new(verbs: &[String]) -> WordTable {
        let mut entries: Vec<(u128, WordInfo)> = Vec::new();
        let mut add = |w: &str, f: u8, title: bool| {
            let Some((raw, lower)) = pack(w.as_bytes()) else {
                return;
            };
            let i = match entries.iter().position(|(k, _)| *k == lower) {
                Some(i) => i,
                None => {
                    entries.push((lower, WordInfo::default()));
                    entries.len() - 1
                }
            };
            entries[i].1.flags |= f;
            if title {
                entries[i].1.title = Some(raw);
            }
        };
        for v in verbs {
            add(v, F_VERB, false);
        }
        for r in ROLE_WORDS {
            add(r, F_ROLE, false);
        }
        add("according", F_ACCORDING, false);
        for t in TITLES {
            add(t, 0, true);
        }
        for p in SHORT_PARTICLES {
            add(p, F_PARTICLE, false);
        }
        let bits = (entries.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let mut table = WordTable {
            table: ProbeTable::new(1 << bits, entries.len()),
            shift: 64 - bits,
        };
        for (k, info) in entries {
            let home = table.slot(k);
            *table.table.entry(home, k) = info;
        }
        table
    }

    /// The key's home slot.
    fn slot(&self, k: u128) -> usize {
        let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// What the table knows of the packed lower-case word `k` (nothing, for most words).
    #[inline(always)]
    fn get(&self, k: u128) -> WordInfo {
        self.table.get(self.slot(k), k)
    }
}

/// Runs `f` on the lower-case form of `t` without allocating for short ASCII words (this is
/// called for every token near a quotation).
fn with_lower<R>(t: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if t.len() <= buf.len() && t.is_ascii() {
        for (d, b) in buf.iter_mut().zip(t.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        f(std::str::from_utf8(&buf[..t.len()]).expect("ASCII"))
    } else {
        f(&t.to_lowercase())
    }
}

static ROLE_SET: std::sync::LazyLock<crate::article::FxHashMap<&'static str, ()>> =
    std::sync::LazyLock::new(|| ROLE_WORDS.iter().map(|w| (*w, ())).collect());

static OPENER_SET: std::sync::LazyLock<crate::article::FxHashMap<&'static str, ()>> =
    std::sync::LazyLock::new(|| OPENER_WORDS.iter().map(|w| (*w, ())).collect());

/// Whether `t` is a capitalised sentence opener (`Later`, `However`).
fn is_opener(t: &str) -> bool {
    OPENER_SET.contains_key(t)
}

/// Whether `t` (any case) is a role word.
fn is_role(t: &str) -> bool {
    with_lower(t, |l| ROLE_SET.contains_key(l))
}

/// The tokens of `all` (the body's, in order) that lie within `from..to`.
fn span(all: &[Tok], from: usize, to: usize) -> &[Tok] {
    let lo = all.partition_point(|t| t.s() < from);
    let hi = all.partition_point(|t| t.e() <= to).max(lo);
    &all[lo..hi]
}

/// The text from the first token of `toks` to the end of the last (empty for no tokens).
fn run_text<'a>(body: &'a str, toks: &[Tok]) -> &'a str {
    match (toks.first(), toks.last()) {
        (Some(f), Some(l)) => &body[f.s()..l.e()],
        _ => "",
    }
}

/// Whether only white space lies between two tokens (`l` before `r`). Usually one space, which is
/// answered without slicing the text: this is asked at every step of every run of capitalised words.
fn spaced(body: &str, l: &Tok, r: &Tok) -> bool {
    let gap = &body.as_bytes()[l.e()..r.s()];
    gap == b" " || body[l.e()..r.s()].trim().is_empty()
}

/// Capitalised, or a name particle that is part of a name (`al-Harbi`, `bin`, `van`, `de`).
fn capitalised(t: &str) -> bool {
    let b = t.as_bytes();
    if b[0].is_ascii_uppercase() {
        return true;
    }
    // A lower-case word is a particle only with a hyphen in its first four bytes or as one of
    // the short particles ([`flags`] reads short ASCII words from the word table instead).
    if b[0].is_ascii_lowercase() {
        return match b.len() {
            1..=3 => SHORT_PARTICLES.contains(&t),
            _ => b[..4].contains(&b'-') && particle_prefixed(t),
        };
    }
    // Particles start with a lower-case ASCII letter; anything else is a name if it is upper case
    // (digits and other ASCII never are).
    b[0] >= 0x80 && t.chars().next().is_some_and(char::is_uppercase)
}

/// Name particles written as words of their own (`Osama bin Laden`, `Ursula von der Leyen`).
const SHORT_PARTICLES: [&str; 12] = [
    "bin", "ibn", "van", "von", "de", "da", "del", "der", "di", "dos", "das", "al",
];

/// An Arabic name particle joined to a capitalised name (`al-Harbi`, `el-Sisi`).
fn particle_prefixed(t: &str) -> bool {
    ["al-", "el-", "ad-", "as-", "ash-", "at-", "az-"]
        .iter()
        .any(|p| {
            t.strip_prefix(p)
                .is_some_and(|rest| rest.chars().next().is_some_and(char::is_uppercase))
        })
}

/// Where a non-empty `needle` occurs in `hay` (overlaps included), in order. The texts searched
/// are a few paragraphs, so scanning for the first byte costs less than building a `memmem`
/// searcher for each name, which cost more than the search itself.
fn occurrences<'h>(hay: &'h [u8], needle: &'h [u8]) -> impl Iterator<Item = usize> + 'h {
    let first = needle.first().copied().unwrap_or(0);
    memchr::memchr_iter(first, hay)
        .filter(move |&i| !needle.is_empty() && hay[i..].starts_with(needle))
}

fn strip_possessive(t: &str) -> &str {
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .unwrap_or(t)
}

impl Quotes {
    /// Builds the stage.
    pub fn new(cfg: &QuotesConfig, actors: &[ActorDef]) -> Quotes {
        Quotes {
            enabled: cfg.enabled,
            names: actors
                .iter()
                .filter(|a| a.kind == ActorKind::Person)
                .map(|a| (Arc::from(a.id.as_str()), a.name.clone()))
                .collect(),
            words: WordTable::new(&cfg.verbs),
            statement_min_words: cfg.statement_min_words,
        }
    }

    fn person(&self, id: Arc<str>, affiliation: Option<Arc<str>>) -> Speaker {
        Speaker {
            name: Some(
                self.names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string()),
            ),
            actor: Some(id),
            affiliation,
            role: None,
        }
    }

    fn resolve_pronoun(&self, a: &Article, at: usize, persons: &[Person]) -> Option<Speaker> {
        let para = a.paragraph_at(at);
        let p = persons
            .iter()
            .rev()
            .find(|p| p.at < at && (p.paragraph == para || p.paragraph + 1 == para))?;
        Some(match &p.actor {
            Some(id) if p.name.is_empty() => self.person(id.clone(), p.affiliation.clone()),
            _ => Speaker {
                name: Some(p.name.clone()),
                actor: p.actor.clone(),
                affiliation: p.affiliation.clone(),
                role: p.role.clone(),
            },
        })
    }

    /// Adds the article's quotations.
    pub fn apply(&self, a: &mut Article) {
        // Token offsets are 32-bit; a body that large would not be an article anyway.
        if !self.enabled || a.paragraphs.is_empty() || u32::try_from(a.body.len()).is_err() {
            return;
        }
        // People who can be `he`/`she`: gazetteer persons, then every named speaker, in order.
        let mut persons: Vec<Person> = a
            .mentions
            .iter()
            .filter(|m| m.kind == ActorKind::Person)
            .map(|m| Person {
                at: m.bytes.0,
                paragraph: a.paragraph_at(m.bytes.0),
                name: String::new(),
                actor: Some(m.actor_id.clone()),
                affiliation: m.affiliation.clone(),
                role: None,
            })
            .collect();
        let bodies = non_person_surfaces(a);
        // The body is tokenised once; every look around a quotation takes a slice of it.
        let mut buf = WORDS.with_borrow_mut(std::mem::take);
        tokens(&a.body, &self.words, &mut buf);
        let (all, cues) = (&buf.toks[..], &buf.cues[..]);
        persons.extend(self.named_persons(a, all));
        persons.sort_by_key(|p| p.at);
        let direct = direct_quotes(a);
        let mut quotes: Vec<(usize, usize, Quote)> = Vec::new();
        let mut di = 0;
        // Sentence by sentence, so a speaker introduced by reported speech is known to the
        // quotations after it (`X said that …. “…,” she said.`).
        // The sentence's words and cue words, found by cursors that only move forward (the
        // sentences are in order) instead of four binary searches per sentence.
        let (mut lo, mut hi, mut c0, mut c1) = (0, 0, 0, 0);
        for s in &a.sentences {
            let (ss, se) = s.bytes;
            while all.get(lo).is_some_and(|t| t.s() < ss) {
                lo += 1;
            }
            while all.get(hi).is_some_and(|t| t.e() <= se) {
                hi += 1;
            }
            let end = hi.max(lo);
            while cues.get(c0).is_some_and(|&c| (c as usize) < lo) {
                c0 += 1;
            }
            while cues.get(c1).is_some_and(|&c| (c as usize) < end) {
                c1 += 1;
            }
            let words = SentenceWords {
                toks: &all[lo..end],
                first: lo,
                cues: &cues[c0..c1.max(c0)],
            };
            if let Some(q) = self.reported_in(a, s, &direct, &persons, words) {
                remember(&mut persons, a, &bodies, q.0, &q.2);
                quotes.push(q);
            }
            while di < direct.len() && direct[di].0 < s.bytes.1 {
                let (open, inner_s, inner_e, close_end) = direct[di];
                di += 1;
                let q = self.direct_quote(a, (open, inner_s, inner_e, close_end), &persons, all);
                remember(&mut persons, a, &bodies, open, &q);
                quotes.push((open, close_end, q));
            }
        }
        quotes.sort_by_key(|q| q.0);
        self.complete_speakers(a, &mut quotes, all, &person_words(a));
        a.quotes = quotes
            .into_iter()
            .map(|(_, _, mut q)| {
                q.speaker_role = q.speaker_role.as_deref().and_then(clean_role);
                q.sentence_index = a.sentence_at(q.bytes.0);
                q
            })
            .collect();
        if buf.bytes() <= KEEP_WORDS_BYTES {
            WORDS.set(buf);
        }
    }

    /// People the text introduces with a role (`Ukrainian Deputy Foreign Minister Oksana
    /// Hrytsenko`), so that a later `she` can find them even when they are not quoted first.
    fn named_persons(&self, a: &Article, toks: &[Tok]) -> Vec<Person> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            // A run of capitalised and role words without punctuation between them.
            let start = i;
            while i < toks.len()
                && (toks[i].cap() || (i > start && toks[i].role()))
                && (i == start || spaced(&a.body, &toks[i - 1], &toks[i]))
            {
                i += 1;
            }
            // Cheap test first: a title or role word must be in the run.
            let titled = i - start >= 3 && toks[start..i].iter().any(|t| t.title() || t.role());
            // A gazetteer person's or body's run is no one new, and the name must have two
            // words (tokens have no space inside, and a run's tokens are apart by spaces).
            if let Some(Run::Split {
                role,
                name: Some(name),
            }) = titled.then(|| self.parse_run(a, &toks[start..i])).flatten()
            {
                let actor = self.role_tokens_actor(a, role);
                if name.len() >= 2
                    && !role.is_empty()
                    && actor
                        .as_deref()
                        .is_none_or(|id| !self.names.contains_key(id))
                {
                    out.push(Person {
                        at: toks[i - 1].s(),
                        paragraph: a.paragraph_at(toks[start].s()),
                        name: strip_possessive(run_text(&a.body, name)).to_string(),
                        actor: actor.clone(),
                        affiliation: actor,
                        role: Some(run_text(&a.body, role).to_string()),
                    });
                }
            }
            i = i.max(start + 1);
        }
        out
    }

    /// A direct quotation `d` = (opening mark, inner start, inner end, after the closing mark).
    fn direct_quote(
        &self,
        a: &Article,
        d: (usize, usize, usize, usize),
        persons: &[Person],
        all: &[Tok],
    ) -> Quote {
        let (open, inner_s, inner_e, close_end) = d;
        let inner = &a.body[inner_s..inner_e];
        let words = count_words(inner) as usize;
        let first_upper = inner
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(char::is_uppercase);
        let punct_end = inner.trim_end().ends_with(['.', ',', '!', '?', '…']);
        let kind = if words >= self.statement_min_words || (words >= 2 && first_upper && punct_end)
        {
            QuoteKind::Statement
        } else {
            QuoteKind::Phrase
        };
        let (speaker, cue) = self
            .attribute_direct(a, open, close_end, persons, all)
            .unwrap_or_default();
        Quote {
            kind,
            paragraph_index: a.paragraph_at(open),
            // Set with the others at the end of `Quotes::apply`.
            sentence_index: 0,
            span: Span {
                start: a.body_index.char_at(inner_s),
                end: a.body_index.char_at(inner_e),
            },
            bytes: (inner_s, inner_e),
            speaker: speaker.name,
            speaker_actor_id: speaker.actor,
            speaker_affiliation: speaker.affiliation,
            speaker_role: speaker.role,
            cue,
        }
    }

    /// Fills speakers the text gives indirectly: a quotation right after an attributed one in the
    /// same paragraph (`“…,” he said. “…”`), a phrase quoted inside reported speech (`X warned that
    /// … “resolute countermeasures”`), and a bare surname (`Holloway`) named in full earlier.
    fn complete_speakers(
        &self,
        a: &Article,
        quotes: &mut [(usize, usize, Quote)],
        all: &[Tok],
        person_words: &FxHashMap<&str, usize>,
    ) {
        let has_speaker = |q: &Quote| q.speaker.is_some() || q.speaker_actor_id.is_some();
        for i in 0..quotes.len() {
            if has_speaker(&quotes[i].2) {
                continue;
            }
            let (open, close) = (quotes[i].0, quotes[i].1);
            let (kind, para) = (quotes[i].2.kind, quotes[i].2.paragraph_index);
            // Inside a reported clause: that speaker, that cue.
            let within = quotes.iter().position(|(s, e, q)| {
                q.kind == QuoteKind::Reported && *s <= open && close <= *e + 3 && has_speaker(q)
            });
            let source = within.or_else(|| {
                // The previous statement in the same paragraph.
                (kind == QuoteKind::Statement && i > 0)
                    .then(|| i - 1)
                    .filter(|&j| {
                        quotes[j].2.paragraph_index == para
                            && quotes[j].2.kind != QuoteKind::Phrase
                            && has_speaker(&quotes[j].2)
                    })
            });
            if let Some(j) = source {
                let from = quotes[j].2.clone();
                let q = &mut quotes[i].2;
                q.speaker = from.speaker;
                q.speaker_actor_id = from.speaker_actor_id;
                q.speaker_affiliation = from.speaker_affiliation;
                q.speaker_role = from.speaker_role;
                if within.is_some() {
                    q.cue = from.cue;
                }
            }
        }
        for (open, _, q) in quotes.iter_mut() {
            let Some(name) = &q.speaker else { continue };
            // A full name with no actor: the earlier introduction may carry the role (`…
            // spokesperson Vikram Nair` → India); a bare surname: its full name.
            let known = q.speaker_actor_id.is_some();
            if (name.contains(' ') && known)
                || q.speaker_actor_id
                    .as_deref()
                    .is_some_and(|id| self.names.contains_key(id))
            {
                continue;
            }
            let name = name.split_whitespace().last().unwrap_or(name).to_string();
            let name = &name;
            // Only when the name was written earlier, nearby.
            let pi = a.paragraph_at(*open) as usize;
            let from = a.paragraphs[pi.saturating_sub(2)].bytes.0.min(*open);
            let earlier = &a.body.as_bytes()[from..*open];
            if !name.is_empty() && occurrences(earlier, name.as_bytes()).next().is_none() {
                continue;
            }
            if let Some(full) = self.full_name(a, name, *open, all, person_words) {
                q.speaker = full.name.or(q.speaker.take());
                q.speaker_actor_id = full.actor.or(q.speaker_actor_id.take());
                q.speaker_affiliation = full.affiliation.or(q.speaker_affiliation.take());
                q.speaker_role = q.speaker_role.take().or(full.role);
            }
        }
    }

    /// The fullest earlier form of a surname: a gazetteer person whose name ends with it, or a
    /// capitalised run ending with it (`U.S. Ambassador Richard Holloway`), with its role.
    fn full_name(
        &self,
        a: &Article,
        surname: &str,
        before: usize,
        all: &[Tok],
        person_words: &FxHashMap<&str, usize>,
    ) -> Option<Speaker> {
        // The earliest person mention with the surname as a word; mentions are in body order and
        // do not overlap, so when it ends after `before`, no earlier one can qualify.
        if let Some(m) = person_words
            .get(surname)
            .map(|&i| &a.mentions[i])
            .filter(|m| m.bytes.1 <= before)
        {
            return Some(self.person(m.actor_id.clone(), m.affiliation.clone()));
        }
        // Names are introduced nearby: look in this paragraph and the two before it only.
        let pi = a.paragraph_at(before) as usize;
        let from = a.paragraphs[pi.saturating_sub(2)].bytes.0.min(before);
        let toks = span(all, from, before);
        // Only words that are the surname (or its possessive) matter: where its letters occur,
        // the word starting there is found by bisection, instead of comparing every word of three
        // paragraphs. The occurrences come in text order, so the words do too.
        let hay = &a.body.as_bytes()[from..before];
        for at in occurrences(hay, surname.as_bytes()).map(|p| from + p) {
            let i = toks.partition_point(|t| t.s() < at);
            if i == 0
                || toks
                    .get(i)
                    .is_none_or(|t| t.s() != at || strip_possessive(t.text(&a.body)) != surname)
            {
                continue;
            }
            // The capitalised run that ends with this surname.
            let mut st = i;
            while st > 0
                && st + 10 > i
                && (toks[st - 1].cap() || toks[st - 1].role())
                && spaced(&a.body, &toks[st - 1], &toks[st])
            {
                st -= 1;
            }
            if st < i {
                if let Some(sp) = self.speaker_from_run(a, &toks[st..=i]) {
                    if sp.name.as_deref().is_some_and(|n| n.contains(' ')) {
                        return Some(sp);
                    }
                }
            }
        }
        None
    }

    /// Speaker and cue of a direct quotation from the text after or before it.
    fn attribute_direct(
        &self,
        a: &Article,
        open: usize,
        close_end: usize,
        persons: &[Person],
        all: &[Tok],
    ) -> Option<(Speaker, Option<String>)> {
        let body = &a.body;
        let p = &a.paragraphs[a.paragraph_at(open) as usize];
        // After: `, said X` / `X said`, up to the end of the sentence that holds the closing mark
        // (for a quotation over several paragraphs, in the paragraph where it closes).
        let last = close_end.saturating_sub(1);
        let pc = &a.paragraphs[a.paragraph_at(last) as usize];
        let sent_end = a.sentences[a.sentence_at(last) as usize]
            .bytes
            .1
            .clamp(close_end, pc.bytes.1.max(close_end));
        let after = span(all, close_end, sent_end);
        if let Some(first) = after.first() {
            let gap = &body[close_end..first.s()];
            if !gap.contains(['.', '!', '?', '“', '"', ';']) {
                if first.verb() {
                    // `said Abe`, `said Foreign Minister Wang Yi`, `said the minister`.
                    if let Some(sp) = self.subject_after(a, &after[1..], persons) {
                        return Some((sp, Some(first.text(&a.body).to_string())));
                    }
                } else if let Some(vi) = after.iter().take(9).position(|t| t.verb()) {
                    if let Some(sp) =
                        self.subject_before(a, &after[..vi], after[vi].s(), persons, p.bytes.0)
                    {
                        return Some((sp, Some(after[vi].text(&a.body).to_string())));
                    }
                }
            }
        }
        // Before: `X said: “`, `X said “`, `stating that “`, `according to X, “`; a quotation that
        // opens a paragraph after one ending in `said:` takes that paragraph's last sentence.
        let mut sent_start = a.sentences[a.sentence_at(open) as usize]
            .bytes
            .0
            .min(open)
            .max(p.bytes.0);
        let mut before_end = open;
        let pi = a.paragraph_at(open) as usize;
        if open == p.bytes.0 && pi > 0 {
            let prev = &a.paragraphs[pi - 1];
            if body[prev.bytes.0..prev.bytes.1].trim_end().ends_with(':') {
                before_end = prev.bytes.1;
                sent_start = a.sentences[a.sentence_at(prev.bytes.1 - 1) as usize]
                    .bytes
                    .0;
            }
        }
        let before = span(all, sent_start, before_end);
        let colon = body[sent_start..before_end].trim_end().ends_with(':');
        let n = before.len();
        if n == 0 {
            return None;
        }
        // The cue, at most a few words before the mark (`speculated that Japan “…”`).
        for back in 1..=n.min(5) {
            let t = before[n - back];
            let is_that = t.text(&a.body).eq_ignore_ascii_case("that");
            let verb_at = if is_that && n - back > 0 && before[n - back - 1].verb() {
                Some(n - back - 1)
            } else if t.verb() && back <= 2 {
                Some(n - back)
            } else {
                None
            };
            let Some(vi) = verb_at else { continue };
            let cue = before[vi].text(&a.body).to_string();
            let sp = self
                .subject_before(a, &before[..vi], before[vi].s(), persons, p.bytes.0)
                .or_else(|| self.nearest_subject(a, &before[..vi], persons, p.bytes.0));
            return Some((sp.unwrap_or_default(), Some(cue)));
        }
        if let Some(i) = before.windows(2).position(|w| {
            w[0].text(&a.body).eq_ignore_ascii_case("according") && w[1].text(&a.body) == "to"
        }) {
            if let Some(sp) = self.subject_after(a, &before[i + 2..], persons) {
                return Some((sp, Some("according to".into())));
            }
        }
        // `Canadian trade negotiator Sophie Tremblay was blunter: "…"`: the person of the clause
        // that introduces the quotation with a colon, without a cue.
        if colon {
            if let Some(sp) = self
                .nearest_subject(a, before, persons, p.bytes.0)
                .filter(|sp| {
                    sp.role.is_some()
                        || sp
                            .actor
                            .as_deref()
                            .is_some_and(|id| self.names.contains_key(id))
                })
            {
                return Some((sp, None));
            }
        }
        None
    }

    /// The subject right after a verb: `Abe`, `Foreign Minister Wang Yi`, `the minister`, `he`.
    fn subject_after(&self, a: &Article, toks: &[Tok], persons: &[Person]) -> Option<Speaker> {
        let first = toks.first()?;
        if PRONOUNS.contains(&first.text(&a.body)) {
            return self.resolve_pronoun(a, first.s(), persons);
        }
        // The run up to the first punctuation or lower-case non-role word.
        let mut end = 0;
        while end < toks.len() && end < 10 {
            let t = toks[end];
            if end > 0 && !spaced(&a.body, &toks[end - 1], &t) {
                break;
            }
            if !(t.cap() || t.role()) {
                break;
            }
            end += 1;
        }
        if end == 0 {
            return None;
        }
        let run = &toks[..end];
        let mut sp = self.speaker_from_run(a, run)?;
        // `said Hiroshi Tanabe, Japan’s chief cabinet secretary.`: the role after a comma.
        if sp.role.is_none()
            && sp.name.is_some()
            && end < toks.len()
            && a.body[toks[end - 1].e()..toks[end].s()].trim() == ","
        {
            let mut k = end;
            while k < toks.len()
                && k - end < 12
                && (k == end || spaced(&a.body, &toks[k - 1], &toks[k]))
            {
                k += 1;
            }
            self.apply_apposition(a, &toks[end..k], &mut sp);
        }
        Some(sp)
    }

    /// Takes an apposition (`Japan’s chief cabinet secretary`) as the speaker's role, and the
    /// state it names as their actor, when it names a role; a relative clause (`which calls …`) is
    /// not a role.
    fn apply_apposition(&self, a: &Article, app: &[Tok], sp: &mut Speaker) {
        let Some(first) = app.first() else {
            return;
        };
        let relative = with_lower(first.text(&a.body), |l| {
            matches!(l, "which" | "who" | "whose" | "where" | "when" | "that")
        });
        let names_role = app.iter().any(|t| {
            is_role(strip_possessive(t.text(&a.body)))
                && !with_lower(t.text(&a.body), |l| FUNCTION_WORDS.contains(&l))
        });
        if relative || !names_role {
            return;
        }
        sp.role = Some(run_text(&a.body, app).to_string());
        if sp.actor.is_none() {
            sp.actor = self.role_tokens_actor(a, app);
            sp.affiliation = sp.actor.clone();
        }
    }

    /// The subject that ends right before a verb at `verb_at`: walks back over a name and its role.
    fn subject_before(
        &self,
        a: &Article,
        toks: &[Tok],
        verb_at: usize,
        persons: &[Person],
        para_start: usize,
    ) -> Option<Speaker> {
        // `President Xi has repeatedly said`: auxiliaries and adverbs sit between.
        let mut toks = toks;
        let mut verb_at = verb_at;
        while let Some(l) = toks.last() {
            if toks.len() > 1
                && with_lower(l.text(&a.body), |lw| BETWEEN.contains(&lw))
                && a.body[l.e()..verb_at].trim().is_empty()
            {
                verb_at = l.s();
                toks = &toks[..toks.len() - 1];
            } else {
                break;
            }
        }
        let last = toks.last()?;
        // Only white space between the subject and the verb.
        if !a.body[last.e()..verb_at].trim().is_empty() {
            // `Ren Guoquiang, a spokesperson for …, said`: an apposition between commas.
            let gap = a.body[last.e()..verb_at].trim();
            if gap != "," {
                return None;
            }
            let comma_tok = toks
                .iter()
                .rposition(|t| a.body[..t.s()].trim_end().ends_with(',') && t.s() > para_start)?;
            let name_end = comma_tok;
            let comma_at = a.body[..toks[comma_tok].s()].trim_end().len() - 1;
            let mut sp =
                self.subject_before(a, &toks[..name_end], comma_at, persons, para_start)?;
            // `Ana Ferreira, Brazil's deputy foreign minister, said`.
            if sp.role.is_none() {
                self.apply_apposition(a, &toks[comma_tok..], &mut sp);
            }
            return Some(sp);
        }
        if PRONOUNS.contains(&last.text(&a.body)) {
            return self.resolve_pronoun(a, last.s(), persons);
        }
        let mut start = toks.len();
        while start > 0 && toks.len() - start < 10 {
            let t = toks[start - 1];
            if start < toks.len() && !spaced(&a.body, &t, &toks[start]) {
                break;
            }
            if !(t.cap() || t.role()) {
                break;
            }
            start -= 1;
        }
        if start == toks.len() {
            return None;
        }
        // Leading articles and prepositions are not part of the subject.
        while start < toks.len()
            && with_lower(toks[start].text(&a.body), |l| {
                matches!(
                    l,
                    "of" | "for" | "to" | "and" | "at" | "on" | "in" | "with" | "from"
                )
            })
        {
            start += 1;
        }
        self.speaker_from_run(a, &toks[start..])
    }

    /// The closest person or pronoun before a participle cue in the same sentence
    /// (`U.S. president, Donald J. Trump, has pitched …, strongly stating that “…”`).
    fn nearest_subject(
        &self,
        a: &Article,
        toks: &[Tok],
        persons: &[Person],
        _para_start: usize,
    ) -> Option<Speaker> {
        let from = toks.first()?.s();
        let to = toks.last()?.e();
        let mut best: Option<(usize, Speaker)> = None;
        for m in a
            .mentions
            .iter()
            .filter(|m| m.kind == ActorKind::Person && m.bytes.0 >= from && m.bytes.1 <= to)
        {
            best = Some((
                m.bytes.0,
                self.person(m.actor_id.clone(), m.affiliation.clone()),
            ));
        }
        // People named in this stretch without being in the gazetteer (`U.S. Deputy Secretary of
        // State Karen Ellison acknowledged …`).
        for p in persons
            .iter()
            .filter(|p| p.at >= from && p.at < to && !p.name.is_empty())
        {
            if best.as_ref().is_none_or(|(at, _)| p.at > *at) {
                let sp = Speaker {
                    name: Some(p.name.clone()),
                    actor: p.actor.clone(),
                    affiliation: p.affiliation.clone(),
                    role: p.role.clone(),
                };
                best = Some((p.at, sp));
            }
        }
        if let Some(t) = toks
            .iter()
            .rev()
            .find(|t| PRONOUNS.contains(&t.text(&a.body)))
        {
            if best.as_ref().is_none_or(|(at, _)| t.s() > *at) {
                if let Some(sp) = self.resolve_pronoun(a, t.s(), persons) {
                    best = Some((t.s(), sp));
                }
            }
        }
        if best.is_none() {
            // The sentence's subject: a state or organisation it opens with (`The E.U. imposed …,
            // arguing that …`).
            let first = toks
                .iter()
                .take(3)
                .find(|t| !matches!(t.text(&a.body), "The" | "the"))?;
            let m = a.mentions.iter().find(|m| {
                m.bytes.0 == first.s()
                    && matches!(m.kind, ActorKind::State | ActorKind::Organisation)
            })?;
            let state = if m.actor_id.contains('.') {
                m.affiliation.clone()
            } else {
                Some(m.actor_id.clone())
            };
            return Some(Speaker {
                name: Some(a.body[m.bytes.0..m.bytes.1].to_string()),
                actor: Some(m.actor_id.clone()),
                affiliation: state,
                role: None,
            });
        }
        best.map(|(_, s)| s)
    }

    /// The state or organisation named inside a role phrase (a ministry counts as its state).
    fn role_actor(&self, a: &Article, from: usize, to: usize) -> Option<Arc<str>> {
        let to_state = |m: &crate::article::Mention| {
            if m.actor_id.contains('.') {
                m.affiliation.clone().unwrap_or(m.actor_id.clone())
            } else {
                m.actor_id.clone()
            }
        };
        let lo = a.mentions.partition_point(|m| m.bytes.1 <= from);
        if let Some(m) = a.mentions[lo..]
            .iter()
            .take_while(|m| m.bytes.0 < to)
            .filter(|m| m.bytes.1 > from && m.bytes.0 < to)
            .find(|m| matches!(m.kind, ActorKind::State | ActorKind::Organisation))
        {
            return Some(to_state(m));
        }
        // `ministry spokesperson Shen Bo` after `China's Commerce Ministry said …`: the body named
        // last in this paragraph or the one before.
        // One pass over the bytes: this runs for every role phrase, and lower-casing a copy and
        // running four substring searches over it cost more than the rest of the function.
        let role = &a.body.as_bytes()[from..to];
        let names_a_body = (0..role.len()).any(|i| {
            let w: &[u8] = match role[i] | 0x20 {
                b'm' => b"ministry",
                b'e' => b"embassy",
                b'd' => b"department",
                b'g' => b"government",
                _ => return false,
            };
            role[i..].len() >= w.len() && role[i..i + w.len()].eq_ignore_ascii_case(w)
        });
        if names_a_body {
            let para = a.paragraph_at(from);
            // Mentions are in body order: walk back from the role and stop two paragraphs up,
            // not at the article's start (this runs for every role phrase).
            let before = a.mentions.partition_point(|m| m.bytes.0 < from);
            return a.mentions[..before]
                .iter()
                .rev()
                .take_while(|m| a.paragraph_at(m.bytes.0) + 1 >= para)
                .find(|m| m.bytes.1 <= from && m.actor_id.contains('.'))
                .map(to_state);
        }
        None
    }

    /// Splits a run of tokens into role and name, or finds the gazetteer actor that covers it,
    /// without building any strings: most runs looked at lead to no speaker.
    fn parse_run<'t, 'm>(&self, a: &'m Article, run: &'t [Tok]) -> Option<Run<'t, 'm>> {
        let (first, last) = (run.first()?, run.last()?);
        let (from, to) = (first.s(), last.e());
        // A gazetteer actor covering the end of the run: a person, or a state/organisation speaking.
        // Mentions are in body order: only those starting inside the run can qualify, so search
        // back from the run's end instead of over the whole article (quadratic on a text of
        // thousands of quotation marks).
        let upto = a.mentions.partition_point(|m| m.bytes.0 <= to + 3);
        let covering = a.mentions[..upto]
            .iter()
            .rev()
            .take_while(|m| m.bytes.0 >= from)
            .find(|m| m.bytes.1 >= to.saturating_sub(3) && m.bytes.1 <= to + 3);
        if let Some(m) = covering {
            match m.kind {
                ActorKind::Person => return Some(Run::Person(m)),
                ActorKind::State | ActorKind::Organisation
                    if m.bytes.0 == from
                        || a.body[from..m.bytes.0].trim().eq_ignore_ascii_case("the") =>
                {
                    return Some(Run::Body(m));
                }
                _ => {}
            }
        }
        // A capitalised sentence opener (`Later`, `However`) is not part of a name or role.
        let run = &run[run.iter().position(|t| !is_opener(t.text(&a.body)))?..];
        // Name = the trailing capitalised tokens that are not titles or role words.
        let mut k = run.len();
        while k > 0 && run[k - 1].cap() && !run[k - 1].title() && !run[k - 1].role() {
            k -= 1;
        }
        let (role, name) = run.split_at(k);
        let not_a_name =
            |t: &[Tok]| t.len() == 1 && NOT_NAMES.contains(&strip_possessive(t[0].text(&a.body)));
        let name =
            (!name.is_empty() && name.len() <= 4 && !not_a_name(name) && !is_mention_only(a, name))
                .then_some(name);
        // Without a name, the run must at least name a role (`the minister`, `officials`).
        if name.is_none()
            && !role
                .iter()
                .any(|t| t.role() && !FUNCTION_WORDS.contains(&t.text(&a.body)))
        {
            return None;
        }
        Some(Run::Split { role, name })
    }

    /// The actor a role phrase speaks for (`Chinese Defense Ministry spokesperson` → `CHN`).
    fn role_tokens_actor(&self, a: &Article, role: &[Tok]) -> Option<Arc<str>> {
        let (first, last) = (role.first()?, role.last()?);
        self.role_actor(a, first.s(), last.e())
    }

    /// Splits a run of tokens into role and name and resolves it against the mentions.
    fn speaker_from_run(&self, a: &Article, run: &[Tok]) -> Option<Speaker> {
        let from = run.first()?.s();
        Some(match self.parse_run(a, run)? {
            Run::Person(m) => {
                let mut sp = self.person(m.actor_id.clone(), m.affiliation.clone());
                let role_text = a.body[from..m.bytes.0].trim();
                if !role_text.is_empty() {
                    sp.role = Some(role_text.to_string());
                }
                sp
            }
            Run::Body(m) => {
                // A body speaks for itself (`IRN.foreign`); its state is the affiliation.
                let id = m.actor_id.clone();
                let state = if id.contains('.') {
                    m.affiliation.clone()
                } else {
                    Some(id.clone())
                };
                Speaker {
                    name: Some(a.body[m.bytes.0..m.bytes.1].to_string()),
                    actor: Some(id),
                    affiliation: state,
                    role: None,
                }
            }
            Run::Split { role, name } => {
                let actor = self.role_tokens_actor(a, role);
                Speaker {
                    name: name.map(|n| strip_possessive(run_text(&a.body, n)).to_string()),
                    actor: actor.clone(),
                    affiliation: actor,
                    role: (!role.is_empty()).then(|| run_text(&a.body, role).to_string()),
                }
            }
        })
    }

    /// Reported speech in one sentence: `X said (that) …`, `X told reporters that …`,
    /// `according to X, …`, `…, according to X`, `…, X said`, `…, said X`.
    fn reported_in(
        &self,
        a: &Article,
        s: &crate::article::Sentence,
        direct: &[(usize, usize, usize, usize)],
        persons: &[Person],
        words: SentenceWords<'_>,
    ) -> Option<(usize, usize, Quote)> {
        let (ss, se) = s.bytes;
        let toks = words.toks;
        // The sentence's cue words, as positions in `toks`.
        let cue_at = words.cues.iter().map(|&c| c as usize - words.first);
        let p = &a.paragraphs[s.paragraph_index as usize];
        // A clause that is itself a direct quotation is that quotation, not reported speech.
        let starts_quote = |from: usize| {
            let rest = a.body[from..se].trim_start();
            let at = se - rest.len();
            rest.starts_with(['“', '"']) && direct.iter().any(|d| d.0 == at)
        };
        // `according to X, CLAUSE` / `CLAUSE, according to X`.
        if let Some(i) = cue_at.clone().find(|&i| {
            toks[i].f & F_ACCORDING != 0 && toks.get(i + 1).is_some_and(|t| t.text(&a.body) == "to")
        }) {
            let comma_after = a.body[toks[i + 1].e()..se]
                .find(',')
                .map(|c| toks[i + 1].e() + c);
            let at_start = a.body[ss..toks[i].s()].trim().is_empty();
            let (clause_from, clause_to, subj_to) = if at_start {
                (comma_after? + 1, se, comma_after?)
            } else {
                (
                    ss,
                    a.body[..toks[i].s()].trim_end().trim_end_matches(',').len(),
                    se,
                )
            };
            let subj: Vec<Tok> = toks
                .iter()
                .copied()
                .filter(|t| t.s() > toks[i + 1].e() && t.e() <= subj_to)
                .collect();
            let sp = self.subject_after(a, &subj, persons)?;
            let q = clause(a, clause_from, clause_to)?;
            return (!starts_quote(clause_from))
                .then(|| reported_quote(q, sp, "according to", s.paragraph_index));
        }
        for vi in cue_at.clone() {
            let v = &toks[vi];
            if vi == 0 || !v.verb() {
                continue;
            }
            // `that` within a few words (`said on Sunday that`, `told reporters that`), with no
            // sentence punctuation in between.
            // The words in between hold no clause of their own (`said the deal would …, and that …`).
            let that = toks[vi + 1..]
                .iter()
                .enumerate()
                .take(12)
                .find(|(k, t)| {
                    t.text(&a.body).eq_ignore_ascii_case("that")
                        && !toks
                            .get(vi + 2 + k)
                            .is_some_and(|n| TIME_NOUNS.contains(&n.text(&a.body)))
                })
                .map(|(k, _)| vi + 1 + k)
                .filter(|&k| {
                    !a.body[v.e()..toks[k].s()].contains([';', ':', '“', '"'])
                        && !toks[vi + 1..k]
                            .iter()
                            .any(|t| t.verb() || CLAUSE_VERBS.contains(&t.text(&a.body)))
                });
            let clause_from = match that {
                Some(k) => toks[k].e(),
                // `X said the talks would resume`, `Beijing insists they have been …`.
                None if CLAUSE_CUES.contains(&v.text(&a.body))
                    && toks.len() - vi > 4
                    && spaced(&a.body, v, &toks[vi + 1]) =>
                {
                    v.e()
                }
                None => continue,
            };
            if starts_quote(clause_from) {
                return None;
            }
            // `…, arguing that …`, `… but said …`: the subject is the sentence's.
            let participle = v.text(&a.body).ends_with("ing")
                || matches!(toks[vi - 1].text(&a.body), "and" | "but");
            let sp = match self.subject_before(a, &toks[..vi], v.s(), persons, p.bytes.0) {
                Some(sp) => sp,
                None if participle => self.nearest_subject(a, &toks[..vi], persons, p.bytes.0)?,
                None => return None,
            };
            if sp.name.is_none() && sp.actor.is_none() && sp.role.is_none() {
                return None;
            }
            let q = clause(a, clause_from, se)?;
            if inside_direct(direct, q.0, q.1) {
                return None;
            }
            return Some(reported_quote(q, sp, v.text(&a.body), s.paragraph_index));
        }
        // `CLAUSE, X said [on Thursday].` / `CLAUSE, said X.`: the cue at the end of the sentence.
        let n = toks.len();
        // The last eight words, from the end.
        for vi in cue_at.rev().take_while(|&vi| vi + 8 >= n) {
            let back = n - vi;
            if vi < 3 || !toks[vi].verb() {
                continue;
            }
            // The subject is right before the verb (all of it back to a comma) or right after it,
            // and only a short adverbial may follow (`on Thursday`, `in a statement`).
            let comma = a.body[ss..toks[vi].s()].rfind(',').map(|c| ss + c)?;
            let subj_toks: Vec<Tok> = toks
                .iter()
                .copied()
                .filter(|t| t.s() > comma && t.e() <= toks[vi].s())
                .collect();
            let sp = if subj_toks.is_empty() {
                let after: Vec<Tok> = toks[vi + 1..].to_vec();
                self.subject_after(a, &after, persons)?
            } else {
                if subj_toks.len() > 7 || back > 4 {
                    return None;
                }
                // The whole stretch after the comma must read as a subject: names, roles, articles
                // (not `, the latest American challenge to Beijing’s claims`).
                let subject_like = subj_toks.iter().all(|t| {
                    t.cap()
                        || is_role(strip_possessive(t.text(&a.body)))
                        || PRONOUNS.contains(&t.text(&a.body))
                        || BETWEEN.contains(&t.text(&a.body))
                });
                if !subject_like {
                    return None;
                }
                self.subject_before(a, &subj_toks, toks[vi].s(), persons, comma)?
            };
            let q = clause(a, ss, comma)?;
            if inside_direct(direct, q.0, q.1) {
                return None;
            }
            return Some(reported_quote(
                q,
                sp,
                toks[vi].text(&a.body),
                s.paragraph_index,
            ));
        }
        None
    }
}

/// A role as a reader wants it: without the articles and prepositions a run can end on
/// (`spokesman for the` before a name the gazetteer does not know) and without a bare honorific,
/// which is no role (`Mr`, `Ms`); `None` when nothing else is left (`the`, `of`, `Mr`).
fn clean_role(role: &str) -> Option<String> {
    const EDGE: &[&str] = &[
        "the", "a", "an", "of", "for", "to", "and", "at", "on", "in", "with", "from", "mr", "mr.",
        "mrs", "mrs.", "ms", "ms.", "miss",
    ];
    let is_edge = |w: &str| with_lower(w, |l| EDGE.contains(&l));
    // Trailing edge words go (`minister of`); without a word left, there is no role.
    let mut words = role.split_whitespace();
    let last = loop {
        let w = words.next_back()?;
        if !is_edge(w) {
            break w;
        }
    };
    // A leading article stays (`the prime minister`), but not a leading honorific; the search
    // stops at `last` at the latest, which is no edge word.
    let is_leading_edge =
        |w: &str| with_lower(w, |l| EDGE.contains(&l) && !matches!(l, "the" | "a" | "an"));
    let first = words.find(|w| !is_leading_edge(w)).unwrap_or(last);
    // Slice the original, so its spacing is kept.
    let from = first.as_ptr() as usize - role.as_ptr() as usize;
    let to = last.as_ptr() as usize - role.as_ptr() as usize + last.len();
    Some(role[from..to].to_string())
}

/// Whether a clause lies mostly inside a direct quotation (then it is that quotation's text, not
/// reported speech).
fn inside_direct(direct: &[(usize, usize, usize, usize)], s: usize, e: usize) -> bool {
    direct.iter().any(|d| {
        let overlap = e.min(d.3).saturating_sub(s.max(d.0));
        overlap * 2 > e - s
    })
}

/// The surfaces of the article's mentions that are no person (`China`, `the Foreign Ministry`),
/// looked up for every quotation's speaker.
fn non_person_surfaces(a: &Article) -> FxHashMap<&str, ()> {
    a.mentions
        .iter()
        .filter(|m| m.kind != ActorKind::Person)
        .map(|m| (&a.body[m.bytes.0..m.bytes.1], ()))
        .collect()
}

/// Each word of a person mention's surface (without a possessive) and the first person mention
/// that holds it: a bare surname's earliest full form.
fn person_words(a: &Article) -> FxHashMap<&str, usize> {
    let mut out = FxHashMap::default();
    for (i, m) in a.mentions.iter().enumerate() {
        if m.kind == ActorKind::Person {
            for w in a.body[m.bytes.0..m.bytes.1].split_whitespace() {
                out.entry(strip_possessive(w)).or_insert(i);
            }
        }
    }
    out
}

/// Adds a named speaker to the people a pronoun can refer to.
fn remember(
    persons: &mut Vec<Person>,
    a: &Article,
    bodies: &FxHashMap<&str, ()>,
    at: usize,
    q: &Quote,
) {
    let Some(name) = &q.speaker else { return };
    // States and bodies speak too, but they are not `he` or `she`.
    if bodies.contains_key(name.as_str()) {
        return;
    }
    let i = persons.partition_point(|p| p.at <= at);
    persons.insert(
        i,
        Person {
            at,
            paragraph: a.paragraph_at(at),
            name: name.clone(),
            actor: q.speaker_actor_id.clone(),
            affiliation: q.speaker_affiliation.clone(),
            role: q.speaker_role.clone(),
        },
    );
}

fn is_mention_only(a: &Article, toks: &[Tok]) -> bool {
    // A run that is one state/organisation mention is no person's name (`China said`).
    let (s, e) = (toks[0].s(), toks[toks.len() - 1].e());
    // Mentions are in body order: only those starting at or before `s` can cover the run.
    let hi = a.mentions.partition_point(|m| m.bytes.0 <= s);
    a.mentions[..hi]
        .iter()
        .rev()
        .take(4)
        .any(|m| m.bytes.0 <= s && m.bytes.1 >= e && m.kind != ActorKind::Person)
}

/// The reported clause `from..to`, trimmed, without the final full stop.
fn clause(a: &Article, from: usize, to: usize) -> Option<(usize, usize, Span)> {
    let seg = &a.body[from..to];
    let lead = seg.len() - seg.trim_start().len();
    let mut t = seg.trim();
    t = t.strip_suffix('.').unwrap_or(t);
    if count_words(t) < 2 {
        return None;
    }
    let s = from + lead;
    let e = s + t.len();
    Some((
        s,
        e,
        Span {
            start: a.body_index.char_at(s),
            end: a.body_index.char_at(e),
        },
    ))
}

fn reported_quote(
    q: (usize, usize, Span),
    sp: Speaker,
    cue: &str,
    paragraph: u32,
) -> (usize, usize, Quote) {
    (
        q.0,
        q.1,
        Quote {
            kind: QuoteKind::Reported,
            paragraph_index: paragraph,
            // Set with the others at the end of `Quotes::apply`.
            sentence_index: 0,
            span: q.2,
            bytes: (q.0, q.1),
            speaker: sp.name,
            speaker_actor_id: sp.actor,
            speaker_affiliation: sp.affiliation,
            speaker_role: sp.role,
            cue: Some(cue.to_string()),
        },
    )
}

/// `, a senior diplomat said,` inside an open quotation: the writer's attribution, so the
/// quotation was closed in spirit and lost its mark.
static ATTRIBUTION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r",\s+(?:[\p{L}.'’-]+\s+){0,5}(?:said|says|told|added|stated|warned|insisted)\b[^“”]*$",
    )
    .unwrap()
});

/// Direct quotations: (opening mark, inner start, inner end, after the closing mark), byte offsets.
fn direct_quotes(a: &Article) -> Vec<(usize, usize, usize, usize)> {
    let body = &a.body;
    let mut out = Vec::new();
    // An open curly or straight quotation carried into the next paragraph.
    let mut carry_curly: Option<usize> = None;
    let mut carry_straight: Option<usize> = None;
    let blank = |s: usize, e: usize| body[s..e].trim().is_empty();
    for (pi, p) in a.paragraphs.iter().enumerate() {
        let (ps, pe) = p.bytes;
        let text = &body[ps..pe];
        let mut curly = carry_curly.take();
        let mut straight = carry_straight.take();
        let continued_curly = curly.is_some();
        let continued_straight = straight.is_some();
        let tb = text.as_bytes();
        // Only `"` and the lead byte of `“` and `”` (E2 80 9C/9D) matter: jump between them.
        for i in memchr::memchr2_iter(b'"', 0xE2, tb) {
            let at = ps + i;
            let c = match (tb[i], tb.get(i + 1), tb.get(i + 2)) {
                (b'"', _, _) => '"',
                (_, Some(0x80), Some(0x9C)) => '“',
                (_, Some(0x80), Some(0x9D)) => '”',
                _ => continue,
            };
            match c {
                // The reopening mark of a continued quotation keeps the quotation open.
                '“' if !(continued_curly && i == 0) => curly = Some(at),
                '”' => {
                    // An empty pair (`“”`, `“ ”`) quotes nothing: a row with blank text would
                    // be no quotation (found by the `quotes` fuzz target).
                    if let Some(o) = curly.take().filter(|&o| !blank(o + '“'.len_utf8(), at)) {
                        out.push((o, o + '“'.len_utf8(), at, at + '”'.len_utf8()));
                    }
                }
                '"' => {
                    let prev = text[..i].chars().next_back();
                    let opening = prev.is_none_or(|p| {
                        p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–' | '-' | '‘' | '/')
                    });
                    if continued_straight && i == 0 {
                        // reopening mark
                    } else if let (Some(o), false) = (straight, opening && straight.is_none()) {
                        if !blank(o + 1, at) {
                            out.push((o, o + 1, at, at + 1));
                        }
                        straight = None;
                    } else if opening {
                        straight = Some(at);
                    }
                }
                _ => {}
            }
        }
        // Still open at the end: continued only when the next paragraph reopens, and not when
        // the open text holds its own attribution (`“This is a good day, a diplomat said, …`:
        // a closing mark went missing, the next quotation is a new one).
        let next = a
            .paragraphs
            .get(pi + 1)
            .map(|n| &body[n.bytes.0..n.bytes.1]);
        let attributed = |o: usize| ATTRIBUTION.is_match(&body[o..pe]);
        if curly.is_some_and(|o| !attributed(o)) && next.is_some_and(|n| n.starts_with('“')) {
            carry_curly = curly;
        }
        if straight.is_some_and(|o| !attributed(o)) && next.is_some_and(|n| n.starts_with('"')) {
            carry_straight = straight;
        }
    }
    out.sort_by_key(|q| q.0);
    out
}

#[cfg(test)]
mod tests {
    use super::{clean_role, tokens, Words};
    use crate::article::is_alnum;
    use crate::article::Source;
    use crate::pipeline::Pipeline;
    use crate::stages::Stages;
    use std::sync::LazyLock;

    static STAGES: LazyLock<Stages> = LazyLock::new(|| Stages::new(&Pipeline::builtin()));

    fn quotes(body: &str) -> Vec<(String, &'static str, String, String, String)> {
        let src = Source::named("t");
        // A title line first, so the body is exactly the text given.
        let text = format!("Title Here\n\n{body}\n");
        let crate::stages::Outcome::Doc(a) = STAGES.process_bytes(&src, text.as_bytes()) else {
            panic!()
        };
        a.quotes
            .iter()
            .map(|q| {
                (
                    a.body[q.bytes.0..q.bytes.1].to_string(),
                    q.kind.as_str(),
                    q.speaker.clone().unwrap_or_default(),
                    q.speaker_actor_id.as_deref().unwrap_or("").to_string(),
                    q.cue.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn direct_quotes_both_orders() {
        let q = quotes("“We will not back down,” said Foreign Minister Lin Hao. Later Lin Hao said: “Talks are over.”");
        assert_eq!(
            q[0],
            (
                "We will not back down,".into(),
                "statement",
                "Lin Hao".into(),
                "".into(),
                "said".into()
            )
        );
        assert_eq!(q[1].0, "Talks are over.");
        assert_eq!(q[1].2, "Lin Hao");
        let q = quotes("“The door is open,” the Chinese ambassador said.");
        assert_eq!(q[0].3, "CHN");
    }

    #[test]
    fn role_phrase_and_reported_speech() {
        let q = quotes("However, Chinese Defense Ministry spokesperson Ren Guoquiang stated that China is looking forward to work with the US.");
        assert_eq!(q.len(), 1);
        assert_eq!(
            q[0],
            (
                "China is looking forward to work with the US".into(),
                "reported",
                "Ren Guoquiang".into(),
                "CHN".into(),
                "stated".into()
            )
        );
    }

    #[test]
    fn pronouns_resolve_to_the_last_person() {
        let q = quotes("Shinzo Abe met the press. “We are ready,” he said.");
        assert_eq!(q[0].2, "Shinzo Abe");
        assert_eq!(q[0].3, "SHINZO_ABE");
    }

    #[test]
    fn unbalanced_and_multi_paragraph() {
        let q = quotes("He said “we will go on. Nobody stopped him.\n\nThen “Fine,” said Lin Hao.");
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].0, "Fine,");
        let q = quotes("“First part of it.\n\n“Second part,” said Lin Hao.");
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].0, "First part of it.\n\n“Second part,");
        assert_eq!(q[0].2, "Lin Hao");
    }

    #[test]
    fn roles_lose_dangling_words_and_bare_honorifics() {
        assert_eq!(
            clean_role("spokesman for the").as_deref(),
            Some("spokesman")
        );
        assert_eq!(
            clean_role("the prime minister").as_deref(),
            Some("the prime minister")
        );
        assert_eq!(clean_role("Mr"), None);
        assert_eq!(clean_role("in the"), None);
        assert_eq!(
            clean_role("Ms. Chelsea  boss").as_deref(),
            Some("Chelsea  boss")
        );
    }

    #[test]
    fn pronouns_and_plural_roles_are_no_names() {
        let q = quotes("It said it was confident that costs could be cut. Analysts say that the warning came as no surprise.");
        assert_eq!(q.len(), 1, "{q:?}");
        // No speaker named `Analysts`: the plural is the role.
        assert_eq!(
            (q[0].0.as_str(), q[0].2.as_str(), q[0].4.as_str()),
            ("the warning came as no surprise", "", "say"),
            "{q:?}"
        );
    }

    /// The mask-driven tokenizer agrees with the definition read one character at a time.
    #[test]
    fn tokens_match_their_definition() {
        fn by_chars(body: &str) -> Vec<(usize, usize)> {
            let chars: Vec<(usize, char)> = body.char_indices().collect();
            let inword = |c: char| is_alnum(c) || matches!(c, '.' | '-' | '\'' | '’');
            let (mut out, mut k) = (Vec::new(), 0);
            while k < chars.len() {
                if !is_alnum(chars[k].1) {
                    k += 1;
                    continue;
                }
                let st = chars[k].0;
                let mut j = k + 1;
                while j < chars.len() && inword(chars[j].1) {
                    j += 1;
                }
                let i = chars.get(j).map_or(body.len(), |c| c.0);
                let w = &body[st..i];
                let e = if w.ends_with(['\'', '-']) {
                    i - 1
                } else if w.ends_with('’') {
                    i - '’'.len_utf8()
                } else if w.ends_with('.') && w.len() > 2 && !w[..w.len() - 1].contains('.') {
                    i - 1
                } else {
                    i
                };
                if e > st {
                    out.push((st, e));
                }
                k = j;
            }
            out
        }
        let parts = [
            "a", "Zq", "9", " ", "\n", ".", "-", "'", "’", "é", "–", "“", "東", "\u{a0}", "U.S.",
        ];
        // One buffer for every text, as a worker thread uses it: what a longer text left in it
        // must not show in the next.
        let mut buf = Words::default();
        let spans = |body: &str, buf: &mut Words| -> Vec<(usize, usize)> {
            tokens(body, &STAGES.quotes.words, buf);
            buf.toks.iter().map(|t| (t.s(), t.e())).collect()
        };
        for body in crate::article::mixed_strings(&parts, 5, 3000, 90) {
            assert_eq!(spans(&body, &mut buf), by_chars(&body), "{body:?}");
        }
        // A word that runs to the end of a text filling whole 64-byte blocks (no padding), and
        // runs of joining marks across block bounds: with no letter in them, before a word's
        // first letter, and inside a word (the start of a word and its end are found in
        // different blocks).
        for len in [63, 64, 65, 127, 128, 192] {
            let dashes = "-".repeat(len);
            for body in [
                "x".repeat(len),
                "ab ".repeat(len).split_at(len).0.to_string(),
                format!("{dashes} x{dashes}"),
                format!("{dashes}abc{dashes}.d e"),
                format!("a{dashes}b. {}", "’".repeat(len / 3)),
            ] {
                assert_eq!(spans(&body, &mut buf), by_chars(&body), "{body:?}");
            }
        }
    }

    #[test]
    fn phrases() {
        let q = quotes("He pitched an “America First” policy.");
        assert_eq!(q[0].1, "phrase");
    }
}
