//! The values that flow through the stages: one [`Article`] per input record, or a [`Reject`].
//!
//! Each stage reads the article and adds its part; nothing re-reads what an earlier stage already
//! worked out. Offsets are counted in Unicode scalar values (characters) of the cleaned `body`, the
//! unit DuckDB's `substr` and Python's `str` slicing use, and are zero-based and end-exclusive.

use std::path::PathBuf;

/// Where a record comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The path as discovered (the input argument joined with the path below it).
    pub path: PathBuf,
    /// `source_path` as written to the tables (UTF-8, lossy for non-UTF-8 names).
    pub display: String,
    /// A key that does not depend on the working directory: the input's last component plus the
    /// path below it, with `/` separators. `doc_id` hashes this, not `display`.
    pub key: String,
    /// Size on disk at discovery.
    pub size: u64,
    /// Index of the record inside its file (0 for one-document files).
    pub record_index: u32,
}

impl Source {
    /// A source that is only a name (for text that does not come from a file: tests, examples,
    /// `explain` on piped text).
    pub fn named(name: &str) -> Source {
        Source {
            path: name.into(),
            display: name.into(),
            key: name.into(),
            size: 0,
            record_index: 0,
        }
    }
}

/// Why an input did not become a document. The `reason` codes are stable and documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    /// The input.
    pub source_path: String,
    /// Record index inside the file (0 for whole files).
    pub record_index: u32,
    /// The stage that refused it (`discover`, `read`, `decode`, `segment`).
    pub stage: &'static str,
    /// Short stable code: `too_large`, `io_error`, `walk_error`, `not_a_file`, `empty`, `binary`,
    /// `undecodable`, `no_text`.
    pub reason: &'static str,
    /// Human-readable detail.
    pub message: String,
    /// Size in bytes, when known.
    pub bytes: Option<u64>,
}

/// A section/paragraph/sentence span into `body`, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First character (0-based).
    pub start: u32,
    /// One past the last character.
    pub end: u32,
}

/// One paragraph of the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    /// Section it belongs to (0-based).
    pub section_index: u32,
    /// Character span in `body`.
    pub span: Span,
    /// Byte range in `body` (for slicing without re-counting characters).
    pub bytes: (usize, usize),
    /// Words in the paragraph.
    pub word_count: u32,
}

/// One sentence of the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Paragraph it belongs to (0-based, document-wide).
    pub paragraph_index: u32,
    /// Character span in `body`.
    pub span: Span,
    /// Byte range in `body`.
    pub bytes: (usize, usize),
    /// Words in the sentence.
    pub word_count: u32,
}

/// How a mention's surface names its actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A name or abbreviation (`Japan`, `U.S.`, `Trans-Pacific Partnership (TPP)`).
    Name,
    /// An adjective or demonym (`Japanese`, `Americans`).
    Adjective,
    /// A capital or seat of power used for the government (`Tokyo`, `Kremlin`).
    Capital,
    /// The combining form of a hyphen compound (`Sino` in `Sino-Japanese`).
    Prefix,
    /// A state's body named after the state (`Chinese Defense Ministry`).
    Institution,
}

impl Via {
    /// Name used in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Name => "name",
            Via::Adjective => "adjective",
            Via::Capital => "capital",
            Via::Prefix => "prefix",
            Via::Institution => "institution",
        }
    }
}

/// One actor mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    /// Canonical actor id.
    pub actor_id: std::sync::Arc<str>,
    /// Actor kind.
    pub kind: crate::pipeline::actors::ActorKind,
    /// The state or organisation the actor belongs to (a leader's state, a ministry's state).
    pub affiliation: Option<std::sync::Arc<str>>,
    /// How the surface names the actor.
    pub via: Via,
    /// Sentence it is in.
    pub sentence_index: u32,
    /// Character span in `body`.
    pub span: Span,
    /// Byte range in `body`.
    pub bytes: (usize, usize),
}

/// What kind of quotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteKind {
    /// A full clause or more in quotation marks.
    Statement,
    /// A slogan or a few words in quotation marks.
    Phrase,
    /// Indirect speech (`X said that …`).
    Reported,
}

impl QuoteKind {
    /// Name used in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Statement => "statement",
            QuoteKind::Phrase => "phrase",
            QuoteKind::Reported => "reported",
        }
    }
}

/// One quotation.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// Statement, phrase or reported.
    pub kind: QuoteKind,
    /// Paragraph where it starts.
    pub paragraph_index: u32,
    /// Sentence where the quoted words start (worked out with the article at hand, so that the
    /// table writer, on another thread, does not search the sentences again).
    pub sentence_index: u32,
    /// Character span of the quoted words in `body` (inside the marks).
    pub span: Span,
    /// Byte range in `body`.
    pub bytes: (usize, usize),
    /// Who said it, as named (a gazetteer person's canonical name).
    pub speaker: Option<String>,
    /// The speaker's actor id (a gazetteer person), else the actor they speak for.
    pub speaker_actor_id: Option<std::sync::Arc<str>>,
    /// The state or organisation the speaker belongs to.
    pub speaker_affiliation: Option<std::sync::Arc<str>>,
    /// Role phrase (`Chinese Defense Ministry spokesperson`).
    pub speaker_role: Option<String>,
    /// Reporting verb or phrase (`said`, `according to`).
    pub cue: Option<String>,
}

/// Metadata found in the text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// Headline.
    pub title: Option<String>,
    /// Publication time as printed (wall clock), microseconds since the Unix epoch.
    pub published_at: Option<i64>,
    /// The same instant in UTC, when the text states a zone or offset.
    pub published_utc: Option<i64>,
    /// The stated offset from UTC in minutes.
    pub utc_offset_minutes: Option<i32>,
    /// The dateline's date text as printed.
    pub published_raw: Option<String>,
    /// Author names, `; `-separated.
    pub author: Option<String>,
    /// Reader comments shown on the page.
    pub comment_count: Option<i64>,
    /// Page views shown on the page.
    pub view_count: Option<i64>,
    /// ISO 639-1 code of the body's language, when recognised.
    pub language: Option<&'static str>,
    /// URL of the article (HTML, JSON and WARC inputs).
    pub url: Option<String>,
    /// Site or publisher (HTML, JSON and WARC inputs).
    pub site: Option<String>,
    /// When a crawler fetched the page (`WARC-Date`), microseconds since the epoch, UTC.
    pub captured_at: Option<i64>,
}

/// How a line of the decoded text was classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// Body text (until a later stage says otherwise).
    Text,
    /// Page chrome, removed by the clean stage.
    Chrome,
    /// Title, dateline, byline or counters, taken by the metadata stage.
    Meta,
}

/// One line of the decoded text: a byte range into `Article::text` and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Start byte in `text`.
    pub start: usize,
    /// End byte in `text` (excluding the newline).
    pub end: usize,
    /// Classification.
    pub kind: LineKind,
}

/// One record on its way through the stages.
#[derive(Clone, Debug)]
pub struct Article {
    /// Where it came from.
    pub source: Source,
    /// Stable id: hash of `source.key`, record index and content.
    pub doc_id: String,
    /// Hash of the raw record bytes (hex).
    pub content_hash: String,
    /// Raw size in bytes.
    pub bytes: u64,
    /// Encoding the text was decoded from (`UTF-8`, `UTF-16LE`, `windows-1252`, …).
    pub encoding: &'static str,
    /// Input format: `text`, `html`, `json`, `jsonl`, `warc`, plus `+gzip` etc. when compressed.
    pub source_format: String,
    /// Decoded text: NFC, `\n` line endings.
    pub text: String,
    /// Lines of `text`, classified by clean and metadata.
    pub lines: Vec<Line>,
    /// Lines removed as chrome, in order.
    pub chrome_removed: Vec<String>,
    /// What the metadata stage found.
    pub meta: Metadata,
    /// The cleaned body: paragraphs joined by a blank line, sections by two.
    pub body: String,
    /// Characters in `body`.
    pub body_chars: u32,
    /// Byte → character offsets of `body`, made with it (mentions and quotations give both).
    pub body_index: CharIndex,
    /// Paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Sentences, in order.
    pub sentences: Vec<Sentence>,
    /// Number of sections.
    pub section_count: u32,
    /// Words in the body.
    pub word_count: u32,
    /// Actor mentions, in body order.
    pub mentions: Vec<Mention>,
    /// Quotations, in body order.
    pub quotes: Vec<Quote>,
    /// Tone, stance and relation scores.
    pub scores: crate::score::Scores,
    /// Non-fatal notes (`encoding_detected`, `replacement_chars`, …).
    pub warnings: Vec<String>,
    /// Hash of `body`, for duplicate detection.
    pub body_hash: u128,
}

impl Article {
    /// A new article from decoded text; later stages fill the rest.
    pub fn new(source: Source, raw: &[u8], encoding: &'static str, text: String) -> Article {
        let content = xxhash_rust::xxh3::xxh3_128(raw);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(source.key.as_bytes());
        h.update(&[0]);
        h.update(&source.record_index.to_le_bytes());
        h.update(&content.to_le_bytes());
        let doc_id = format!("{:016x}", h.digest());
        let lines = split_lines(&text);
        Article {
            doc_id,
            content_hash: format!("{content:032x}"),
            bytes: raw.len() as u64,
            encoding,
            source_format: "text".into(),
            source,
            lines,
            text,
            chrome_removed: Vec::new(),
            meta: Metadata::default(),
            body: String::new(),
            body_index: CharIndex::new(""),
            body_chars: 0,
            paragraphs: Vec::new(),
            sentences: Vec::new(),
            section_count: 0,
            word_count: 0,
            mentions: Vec::new(),
            quotes: Vec::new(),
            scores: Default::default(),
            warnings: Vec::new(),
            body_hash: 0,
        }
    }

    /// The text of a line.
    pub fn line(&self, l: &Line) -> &str {
        &self.text[l.start..l.end]
    }

    /// Sets `chrome_removed` from the lines marked as chrome.
    pub fn collect_chrome(&mut self) {
        self.chrome_removed = self
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Chrome)
            .map(|l| self.text[l.start..l.end].trim().to_string())
            .collect();
    }

    /// The text of a paragraph.
    pub fn paragraph_text(&self, p: &Paragraph) -> &str {
        &self.body[p.bytes.0..p.bytes.1]
    }

    /// The text of a sentence.
    pub fn sentence_text(&self, s: &Sentence) -> &str {
        &self.body[s.bytes.0..s.bytes.1]
    }

    /// Mentions per actor id, most mentioned first, ties by id (deterministic).
    pub fn actor_counts(&self) -> Vec<(&str, u32)> {
        let mut counts: Vec<(&str, u32)> = Vec::new();
        for m in &self.mentions {
            match counts.iter_mut().find(|(id, _)| *id == &*m.actor_id) {
                Some((_, n)) => *n += 1,
                None => counts.push((&m.actor_id, 1)),
            }
        }
        counts.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        counts
    }

    /// The sentence that contains body byte `b` (the nearest one before it when `b` falls
    /// between sentences).
    pub fn sentence_at(&self, b: usize) -> u32 {
        let i = self.sentences.partition_point(|s| s.bytes.1 <= b);
        i.min(self.sentences.len().saturating_sub(1)) as u32
    }

    /// The paragraph that contains body byte `b`.
    pub fn paragraph_at(&self, b: usize) -> u32 {
        let i = self.paragraphs.partition_point(|p| p.bytes.1 <= b);
        i.min(self.paragraphs.len().saturating_sub(1)) as u32
    }
}

fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len())) {
        let s = &text[start..nl];
        let kind = if s.trim().is_empty() {
            LineKind::Blank
        } else {
            LineKind::Text
        };
        lines.push(Line {
            start,
            end: nl,
            kind,
        });
        start = nl + 1;
        if start > text.len() {
            break;
        }
    }
    lines
}

/// Counts words: whitespace-separated tokens that contain a letter or digit (so `–` and `•` are not
/// words, `U.S.` and `3.5` are).
pub fn count_words(s: &str) -> u32 {
    // Counted: each word's first letter or digit, that is one whose previous space-or-alphanumeric
    // character is a space (or which starts the text); other characters leave that state alone.
    // Bytes go 64 at a time into bit masks, with no branch per byte: word boundaries come every
    // few bytes at no regular interval, and a byte-by-byte state machine mispredicted them often
    // enough to be a twentieth of a run's time.
    let b = s.as_bytes();
    let mut n = 0u32;
    let mut pending = true;
    // Padding after the text is space, which counts nothing and would end a word anyway.
    blocks(b, b' ', |i, block| {
        let m = class_masks(block);
        let (mut space, mut alnum, mut high) = (m.space, m.alnum, m.high);
        // A non-ASCII character is decoded at its first byte; its other bytes stay neutral.
        while high != 0 {
            let k = high.trailing_zeros() as usize;
            high &= high - 1;
            let c = char_at(s, i + k);
            if c.is_whitespace() {
                space |= 1 << k;
            } else if is_alnum(c) {
                alnum |= 1 << k;
            }
        }
        n += first_letters(space, alnum, &mut pending);
    });
    n
}

/// One bit per byte of a 64-byte block, for the scans over every body that look at whole words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ByteMasks {
    /// ASCII white space (what `u8::is_ascii_whitespace` accepts).
    pub space: u64,
    /// ASCII letters and digits.
    pub alnum: u64,
    /// ASCII letters.
    pub letter: u64,
    /// `.`, `-` and `'`, which may join the parts of a word (`U.S.`, `al-Harbi`, `don't`).
    pub joiner: u64,
    /// First bytes of non-ASCII characters (continuation bytes are 0b10xxxxxx).
    pub high: u64,
    /// Continuation bytes of non-ASCII characters.
    pub cont: u64,
}

/// The [`ByteMasks`] of a block, with SSE2 (part of every x86-64).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn class_masks(block: &[u8; 64]) -> ByteMasks {
    use std::arch::x86_64::*;
    let mut m = ByteMasks::default();
    // SAFETY: SSE2 is enabled on every x86-64 target (closures do not inherit that, so the
    // intrinsics need this block), and each load reads 16 bytes at offset 16 * k < 64 of `block`
    // with no alignment needed.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        // Unsigned `lo <= v <= hi`: `v - lo` wraps past `hi - lo` otherwise.
        let in_range = |v: __m128i, lo: u8, hi: u8| {
            let d = _mm_sub_epi8(v, splat(lo));
            _mm_cmpeq_epi8(_mm_min_epu8(d, splat(hi - lo)), d)
        };
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
            let eq = |b: u8| _mm_cmpeq_epi8(v, splat(b));
            // What `u8::is_ascii_whitespace` accepts: space, tab, line feed, form feed, return.
            let sp = _mm_or_si128(
                _mm_or_si128(eq(b' '), eq(b'\n')),
                _mm_or_si128(_mm_or_si128(eq(b'\t'), eq(b'\r')), eq(0x0C)),
            );
            // Setting bit 5 folds `A`–`Z` onto `a`–`z` and moves nothing else into that range.
            let letter = in_range(_mm_or_si128(v, splat(0x20)), b'a', b'z');
            let an = _mm_or_si128(in_range(v, b'0', b'9'), letter);
            let joiner = _mm_or_si128(_mm_or_si128(eq(b'.'), eq(b'-')), eq(b'\''));
            let lead = in_range(v, 0xC0, 0xFF);
            let cont = in_range(v, 0x80, 0xBF);
            let at = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
            m.space |= at(sp);
            m.alnum |= at(an);
            m.letter |= at(letter);
            m.joiner |= at(joiner);
            m.high |= at(lead);
            m.cont |= at(cont);
        }
    }
    m
}

/// [`class_masks`] elsewhere, by the byte-class table.
#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn class_masks(block: &[u8; 64]) -> ByteMasks {
    class_masks_by_table(block)
}

/// [`class_masks`] by the byte-class table, one byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn class_masks_by_table(block: &[u8; 64]) -> ByteMasks {
    let mut m = ByteMasks::default();
    for (k, &c) in block.iter().enumerate() {
        let class = BYTE_CLASS[c as usize];
        m.space |= u64::from(class == B_SPACE) << k;
        m.alnum |= u64::from(class == B_ALNUM) << k;
        m.letter |= u64::from(c.is_ascii_alphabetic()) << k;
        m.joiner |= u64::from(matches!(c, b'.' | b'-' | b'\'')) << k;
        m.high |= u64::from(c >= 0xC0) << k;
        m.cont |= u64::from((0x80..0xC0).contains(&c)) << k;
    }
    m
}

/// The first bit at or after `from` that is set (or clear, with `clear`) in `bits`.
#[inline]
pub(crate) fn next_bit(bits: &[u64], from: usize, clear: bool) -> Option<usize> {
    let flip = if clear { u64::MAX } else { 0 };
    let mut w = from / 64;
    let mut x = (*bits.get(w)? ^ flip) & (u64::MAX << (from % 64));
    loop {
        if x != 0 {
            return Some(w * 64 + x.trailing_zeros() as usize);
        }
        w += 1;
        x = *bits.get(w)? ^ flip;
    }
}

/// A bit for every byte of every character of `text` that is a letter (`letters`) or a letter
/// or digit: ASCII from the byte classes, other characters decoded where they start.
pub(crate) fn char_bits(text: &str, letters: bool) -> Vec<u64> {
    let b = text.as_bytes();
    let mut bits = vec![0u64; b.len().div_ceil(64)];
    blocks(b, b' ', |i, block| {
        let m = class_masks(block);
        bits[i / 64] |= if letters { m.letter } else { m.alnum };
        let mut high = m.high;
        while high != 0 {
            let k = high.trailing_zeros() as usize;
            high &= high - 1;
            let c = char_at(text, i + k);
            if if letters { is_alpha(c) } else { is_alnum(c) } {
                for p in i + k..i + k + c.len_utf8() {
                    bits[p / 64] |= 1 << (p % 64);
                }
            }
        }
    });
    bits
}

/// The character that starts at byte `i` of `text`. One in U+2000–U+203F (`E2 80 xx`: the
/// dashes, quotation marks and typographic spaces of news text, met at almost every non-ASCII
/// position the byte-mask scans decode) is assembled from its last byte.
#[inline]
pub(crate) fn char_at(text: &str, i: usize) -> char {
    match text.as_bytes().get(i..i + 3) {
        Some(&[0xE2, 0x80, last]) => {
            char::from_u32(0x2000 + u32::from(last & 0x3F)).expect("U+2000–U+203F")
        }
        _ => text[i..].chars().next().expect("char boundary"),
    }
}

/// The first bit of each run of set bits in `bits`: given a text's [`char_bits`] mask of letters
/// and digits, the positions where a word starts (a letter or digit, the first byte of one,
/// that follows no letter or digit).
pub(crate) fn starts_of(mut bits: Vec<u64>) -> Vec<u64> {
    let mut carry = 0;
    for w in &mut bits {
        let x = *w;
        *w = x & !((x << 1) | carry);
        carry = x >> 63;
    }
    bits
}

/// The last bit of each run of set bits in `bits` (the counterpart of [`starts_of`]): given a
/// text's [`char_bits`] mask, the last byte of each word.
pub(crate) fn ends_of(bits: &[u64]) -> Vec<u64> {
    bits.iter()
        .enumerate()
        .map(|(w, &x)| {
            let next = bits.get(w + 1).map_or(0, |y| y & 1);
            x & !((x >> 1) | (next << 63))
        })
        .collect()
}

/// A word lookup table (open addressing, linear probing) read with no branch: every lookup reads
/// the same number of slots, the most any key lies from its home slot, and picks the one that
/// holds the key. The word tables are looked up at every word of every body, and a good share of
/// the words are in them, so whether a probe could stop at its first slot changes from word to
/// word with no pattern a branch predictor can learn. The default key marks an empty slot and is
/// never a key; the caller hashes, giving each key's home slot.
#[derive(Debug)]
pub(crate) struct ProbeTable<K, V> {
    /// Keys by slot, with room after the last home slot so that no probe wraps around.
    keys: Vec<K>,
    /// By slot, and one more: the default value, which a lookup that matches nothing reads.
    values: Vec<V>,
    /// Slots read per lookup.
    probes: usize,
}

impl<K: Copy + PartialEq + Default, V: Copy + Default> ProbeTable<K, V> {
    /// An empty table of `slots` home slots for at most `keys` keys.
    pub(crate) fn new(slots: usize, keys: usize) -> Self {
        ProbeTable {
            keys: vec![K::default(); slots + keys],
            values: vec![V::default(); slots + keys + 1],
            probes: 1,
        }
    }

    /// The value of `k`, whose home slot is `home`, for inserting or updating (the default value
    /// when `k` is new).
    pub(crate) fn entry(&mut self, home: usize, k: K) -> &mut V {
        let mut i = home;
        while self.keys[i] != K::default() && self.keys[i] != k {
            i += 1;
        }
        self.keys[i] = k;
        self.probes = self.probes.max(i - home + 1);
        &mut self.values[i]
    }

    /// The value of `k`, whose home slot is `home`, or the default value.
    #[inline(always)]
    pub(crate) fn get(&self, home: usize, k: K) -> V {
        let none = self.values.len() - 1;
        let at = self.keys[home..home + self.probes]
            .iter()
            .enumerate()
            .fold(none, |at, (j, &key)| if key == k { home + j } else { at });
        self.values[at]
    }
}

/// Calls `f` with (first byte, one past the last) of each word of a text whose first and last
/// bytes are marked in two bit masks (as many bits set in each: the k-th of one and the k-th of
/// the other bound the k-th word), in order, until `f` breaks. The end of a word may lie in a
/// later block than its start; reading both off the masks costs no search per word.
#[inline(always)]
pub(crate) fn for_each_word(
    starts: &[u64],
    ends: &[u64],
    mut f: impl FnMut(usize, usize) -> std::ops::ControlFlow<()>,
) {
    let (mut ew, mut ex) = (0, ends.first().copied().unwrap_or(0));
    for (w, &firsts) in starts.iter().enumerate() {
        let mut fx = firsts;
        while fx != 0 {
            let s = w * 64 + fx.trailing_zeros() as usize;
            fx &= fx - 1;
            // Every start has its end, at or after it.
            while ex == 0 {
                ew += 1;
                ex = ends[ew];
            }
            let e = ew * 64 + ex.trailing_zeros() as usize + 1;
            ex &= ex - 1;
            if f(s, e).is_break() {
                return;
            }
        }
    }
}

/// `text[i..]` in 64-byte blocks (the last one padded with `pad`), each with its offset.
pub(crate) fn blocks(text: &[u8], pad: u8, mut f: impl FnMut(usize, &[u8; 64])) {
    let mut i = 0;
    while i < text.len() {
        match text[i..].first_chunk::<64>() {
            Some(full) => f(i, full),
            None => {
                let mut tail = [pad; 64];
                tail[..text.len() - i].copy_from_slice(&text[i..]);
                f(i, &tail);
            }
        }
        i += 64;
    }
}

/// Counts the alphanumeric bits of a block whose previous space-or-alphanumeric bit is a space;
/// `pending` says whether that holds for the block's first bit, and is updated for the next.
#[inline]
fn first_letters(space: u64, alnum: u64, pending: &mut bool) -> u32 {
    let x = space | alnum;
    let gaps = !x;
    // Each space marks the next bit, and the carry of an addition runs a mark up through the gap
    // of neutral bits after it (a gap holds at most one mark, at its start) to the next `x` bit.
    let marks = (space << 1) | u64::from(*pending);
    let landed = (marks & x) | (gaps.wrapping_add(marks & gaps) & x);
    if x != 0 {
        *pending = space >> (63 - x.leading_zeros()) & 1 == 1;
    }
    (landed & alnum).count_ones()
}

/// U+2000–U+206F (general punctuation: `“`, `”`, `—`) and U+20A0–U+20CF (currency: `€`) hold no
/// letter or digit; news text is full of them, and the standard library answers for them with a
/// table search.
#[inline]
fn symbol_block(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206F}' | '\u{20A0}'..='\u{20CF}')
}

/// `c.is_alphanumeric()`, answered at once for ASCII and the symbol blocks.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !symbol_block(c) && c.is_alphanumeric()
    }
}

/// `c.is_alphabetic()`, with the same shortcuts as [`is_alnum`].
#[inline]
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        !symbol_block(c) && c.is_alphabetic()
    }
}

/// [`BYTE_CLASS`]: ASCII white space.
pub const B_SPACE: u8 = 0;
/// [`BYTE_CLASS`]: ASCII letter or digit.
pub const B_ALNUM: u8 = 1;
/// [`BYTE_CLASS`]: other ASCII.
pub const B_OTHER: u8 = 2;
/// [`BYTE_CLASS`]: a byte of a non-ASCII character (decode it to know more). The two classes
/// that may start a word, `B_ALNUM` and `B_HIGH`, are the odd ones.
pub const B_HIGH: u8 = 3;

/// The class of every byte value (`B_*`), so that the hot loops over text classify ASCII with one
/// load instead of a chain of comparisons.
pub static BYTE_CLASS: [u8; 256] = {
    let mut t = [B_HIGH; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_whitespace() {
            B_SPACE
        } else if b.is_ascii_alphanumeric() {
            B_ALNUM
        } else {
            B_OTHER
        };
        i += 1;
    }
    t
};

/// Test strings made of `parts` in pseudo-random order (a fixed LCG from `seed`): `count` strings
/// of fewer than `max_parts` parts each, for checking fast paths against plain definitions.
#[cfg(test)]
pub(crate) fn mixed_strings(
    parts: &[&str],
    seed: u64,
    count: usize,
    max_parts: u64,
) -> Vec<String> {
    let mut x = seed;
    (0..count)
        .map(|_| {
            let mut s = String::new();
            for _ in 0..(x % max_parts) {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(parts[(x >> 33) as usize % parts.len()]);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(key: &str) -> Source {
        Source::named(key)
    }

    #[test]
    fn lines_cover_text() {
        let a = Article::new(src("a"), b"x", "UTF-8", "one\n\n two \nlast".into());
        let kinds: Vec<_> = a.lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Text,
                LineKind::Blank,
                LineKind::Text,
                LineKind::Text
            ]
        );
        assert_eq!(a.line(&a.lines[3]), "last");
        let b = Article::new(src("a"), b"x", "UTF-8", "end\n".into());
        assert_eq!(b.lines.len(), 2);
    }

    #[test]
    fn doc_id_depends_on_key_and_content() {
        let a = Article::new(src("a"), b"x", "UTF-8", String::new());
        let b = Article::new(src("b"), b"x", "UTF-8", String::new());
        let c = Article::new(src("a"), b"y", "UTF-8", String::new());
        let a2 = Article::new(src("a"), b"x", "UTF-8", String::new());
        assert_eq!(a.doc_id, a2.doc_id);
        assert_ne!(a.doc_id, b.doc_id);
        assert_ne!(a.doc_id, c.doc_id);
        assert_eq!(a.doc_id.len(), 16);
    }

    #[test]
    fn word_counts_skip_punctuation() {
        assert_eq!(count_words("The Japan – US alliance, U.S. 3.5 %"), 6);
        assert_eq!(count_words("  "), 0);
        assert_eq!(count_words("a - b\t3.5 %\n--x"), 4);
        assert_eq!(count_words("Tokyo, \u{a0}Beijing"), 2);
    }

    /// The vector byte classes agree with the table on every byte value in every lane.
    #[test]
    fn class_masks_agree_with_the_table() {
        for shift in 0..64 {
            let mut block = [0u8; 64];
            for (k, b) in block.iter_mut().enumerate() {
                *b = (k as u8).wrapping_mul(4).wrapping_add(shift);
            }
            for _ in 0..4 {
                assert_eq!(class_masks(&block), class_masks_by_table(&block));
                block.iter_mut().for_each(|b| *b = b.wrapping_add(1));
            }
        }
    }

    /// Word starts from the masks are the letters and digits that follow none; the character
    /// masks hold every byte of the letters (and digits).
    #[test]
    fn word_starts_match_their_definition() {
        let parts = ["a", "Z9", " ", "-", "é", "–", "東", "\u{a0}", "’", "x.y"];
        for s in mixed_strings(&parts, 3, 2000, 90) {
            let mut want = Vec::new();
            let mut prev_alnum = false;
            for (p, c) in s.char_indices() {
                if is_alnum(c) && !prev_alnum {
                    want.push(p);
                }
                prev_alnum = is_alnum(c);
            }
            for letters in [false, true] {
                let bits = char_bits(&s, letters);
                for (p, c) in s.char_indices() {
                    let want = if letters { is_alpha(c) } else { is_alnum(c) };
                    for q in p..p + c.len_utf8() {
                        assert_eq!(bits[q / 64] >> (q % 64) & 1 == 1, want, "{s:?} {q}");
                    }
                }
            }
            let bits = starts_of(char_bits(&s, false));
            let mut got = Vec::new();
            let mut pos = 0;
            while let Some(p) = next_bit(&bits, pos, false) {
                got.push(p);
                pos = p + 1;
            }
            assert_eq!(got, want, "{s:?}");
        }
    }

    /// Keys that share a home slot are all found, updates merge into a key's entry, and a key
    /// that is not in the table reads the default value, from any home slot.
    #[test]
    fn probe_table_finds_every_key() {
        let mut t: ProbeTable<u64, u8> = ProbeTable::new(4, 6);
        for (home, k, v) in [(1, 10, 1), (1, 11, 2), (1, 12, 4), (3, 13, 8), (1, 10, 16)] {
            *t.entry(home, k) |= v;
        }
        for (home, k, want) in [(1, 10, 17), (1, 11, 2), (1, 12, 4), (3, 13, 8), (1, 99, 0)] {
            assert_eq!(t.get(home, k), want, "{k}");
        }
        for home in 0..4 {
            assert_eq!(t.get(home, 14), 0);
        }
    }

    /// `char_at` assembles U+2000–U+203F from its last byte exactly as the decoder does (and
    /// decodes other characters as they are); word counts split at the white space among them.
    #[test]
    fn char_at_matches_the_decoder() {
        for c in '\u{2000}'..='\u{203F}' {
            let s = format!("a{c}b");
            assert_eq!(char_at(&s, 1), c, "{c:?}");
            assert!(!c.is_alphanumeric(), "{c:?}");
            assert_eq!(
                count_words(&s),
                if c.is_whitespace() { 2 } else { 1 },
                "{c:?}"
            );
        }
        for c in ['a', 'é', '–', '\u{2040}', '東', '😀'] {
            assert_eq!(char_at(&format!("a{c}b"), 1), c, "{c:?}");
        }
    }

    /// The shortcut blocks of `is_alnum` hold no letter or digit in this Unicode version.
    #[test]
    fn alnum_shortcuts_are_exact() {
        for c in ('\u{2000}'..='\u{206F}').chain('\u{20A0}'..='\u{20CF}') {
            assert!(!c.is_alphanumeric() && !c.is_alphabetic(), "{c:?}");
        }
    }

    /// The table-driven count agrees with the plain definition on text mixing every byte class.
    #[test]
    fn count_words_matches_definition() {
        let parts = [
            "a", "Z9", " ", "\t", "\n", "\u{b}", "–", "é", "\u{a0}", "“", "%", ".", "東",
            "\u{2003}",
        ];
        let ws = |c: char| {
            if c.is_ascii() {
                (c as u8).is_ascii_whitespace()
            } else {
                c.is_whitespace()
            }
        };
        // Short strings, and long ones that fill several 64-byte blocks.
        let strings = mixed_strings(&parts, 7, 2000, 13);
        for s in strings.iter().chain(&mixed_strings(&parts, 11, 2000, 200)) {
            let s = s.as_str();
            let want = s
                .split(ws)
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count() as u32;
            assert_eq!(count_words(s), want, "{s:?}");
            assert_eq!(super::char_count(s.as_bytes()), s.chars().count());
            for c in s.chars() {
                assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
                assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
            }
        }
    }
}

/// A small, fast, non-cryptographic hasher (FxHash) for the stages' read-only lookup tables of
/// short words, where SipHash's protection against crafted keys costs time for nothing.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    /// Eight bytes at a time, the last group padded with zeros.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut groups = bytes.chunks_exact(8);
        for g in &mut groups {
            self.add(u64::from_le_bytes(g.try_into().expect("8 bytes")));
        }
        let rest = groups.remainder();
        if !rest.is_empty() {
            let mut v = [0u8; 8];
            v[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(v));
        }
    }
    /// The same value as `write(&[b])` (one group, zero-padded), without the slice: `str` keys
    /// end their hash with one such byte.
    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Converts byte offsets of a text to character offsets in O(1): the character count before
/// every 64-byte block, and a bit for each byte of the block that starts a character, so a query
/// is one population count.
#[derive(Debug, Clone)]
pub struct CharIndex {
    blocks: Vec<u32>,
    starts: Vec<u64>,
}

impl CharIndex {
    /// Indexes `text` (one pass).
    pub fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut blocks = Vec::with_capacity(b.len() / 64 + 2);
        let mut starts = Vec::with_capacity(b.len() / 64 + 1);
        let mut n = 0u32;
        // Padding is ASCII, and no query looks past the end of the text.
        self::blocks(b, b' ', |_, block| {
            let s = !class_masks(block).cont;
            blocks.push(n);
            starts.push(s);
            n += s.count_ones();
        });
        // For `char_at(text.len())` when the text fills its last block (no padding counted then).
        blocks.push(n);
        CharIndex { blocks, starts }
    }

    /// The character offset of byte offset `byte` (which must be a char boundary).
    pub fn char_at(&self, byte: usize) -> u32 {
        let (block, bit) = (byte / 64, byte % 64);
        let before = self
            .starts
            .get(block)
            .map_or(0, |s| s & ((1u64 << bit) - 1));
        self.blocks[block] + before.count_ones()
    }
}

/// Tests on eight bytes at once, read as one little-endian `u64`: the scans over whole texts
/// (decoding, sentence splitting, character offsets) skip the bytes that cannot matter this way.
pub(crate) mod swar {
    /// 0x01 in every byte.
    pub const ONES: u64 = 0x0101_0101_0101_0101;
    /// The high bit of every byte.
    pub const HIGH: u64 = 0x8080_8080_8080_8080;

    /// The low `n` bytes of a `u128`, for `n` in 0..=16: masks a word read with the bytes after
    /// it (a shift of a `u128` by a variable amount takes a dozen instructions, and this runs
    /// for every word).
    pub const LOW_BYTES: [u128; 17] = {
        let mut m = [0u128; 17];
        let mut n = 1;
        while n <= 16 {
            m[n] = m[n - 1] << 8 | 0xff;
            n += 1;
        }
        m
    };

    /// `x` with its bytes `A`..=`Z` lower-cased and every other byte (non-ASCII ones too) as it
    /// is.
    pub fn ascii_lower(x: u64) -> u64 {
        // On the low seven bits of each byte no sum carries into the next byte.
        let low = x & !HIGH;
        let ge_a = low + ONES * u64::from(0x80 - b'A');
        let gt_z = low + ONES * u64::from(0x7f - b'Z');
        x | ((ge_a & !gt_z & !x & HIGH) >> 2)
    }

    /// The `n` bytes (at most 8) of `b` from `at`, zero above them. Eight bytes are read at once
    /// and masked where `b` has them (a copy of variable length is a call); near the end of `b`
    /// they are copied.
    #[inline]
    pub fn load_low(b: &[u8], at: usize, n: usize) -> u64 {
        match b.get(at..at + 8) {
            Some(w) => load(w) & LOW_BYTES[n] as u64,
            None => {
                let mut buf = [0u8; 8];
                buf[..n].copy_from_slice(&b[at..at + n]);
                u64::from_le_bytes(buf)
            }
        }
    }

    /// Eight bytes (`w` must hold exactly eight).
    pub fn load(w: &[u8]) -> u64 {
        u64::from_le_bytes(w.try_into().expect("8 bytes"))
    }

    /// The high bit of each byte of `x` that equals `c`, and nothing else (exact: no carry
    /// crosses a byte).
    pub fn eq(x: u64, c: u8) -> u64 {
        const LOW7: u64 = !HIGH;
        let t = x ^ (ONES * u64::from(c));
        !(((t & LOW7) + LOW7) | t | LOW7)
    }

    /// Whether some byte of `x` is below `n` (at most 0x80); exact as a yes/no answer, though
    /// a borrow can mark bytes above the first such one.
    pub fn any_below(x: u64, n: u8) -> bool {
        x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0
    }
}

/// The position of the first byte of `b` that is not ASCII, looking at eight bytes at a time.
pub(crate) fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let mut words = b.chunks_exact(8);
    for (k, w) in (&mut words).enumerate() {
        let x = swar::load(w) & swar::HIGH;
        if x != 0 {
            return Some(k * 8 + x.trailing_zeros() as usize / 8);
        }
    }
    let done = b.len() - words.remainder().len();
    words
        .remainder()
        .iter()
        .position(|&x| x >= 0x80)
        .map(|k| done + k)
}

/// The number of characters in `b` (valid UTF-8): its bytes less the continuation bytes
/// (`10xxxxxx`), counted eight at a time.
pub(crate) fn char_count(b: &[u8]) -> usize {
    let mut cont = 0u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = swar::load(w);
        // Bit 7 set and bit 6 clear; `x << 1` puts each byte's bit 6 under its bit 7 (the bit
        // carried into the next byte lands on bit 0, which the mask drops). The flags, one per
        // byte, are summed by a multiply into the top byte.
        let flags = (x & !(x << 1) & swar::HIGH) >> 7;
        cont += flags.wrapping_mul(swar::ONES) >> 56;
    }
    let tail = words
        .remainder()
        .iter()
        .filter(|&&x| x & 0xC0 == 0x80)
        .count() as u64;
    (b.len() as u64 - cont - tail) as usize
}

#[cfg(test)]
mod char_index_tests {
    use super::CharIndex;

    #[test]
    fn matches_char_counts() {
        // Lengths around the 64-byte blocks, and a text that fills its last block exactly.
        for n in [0, 1, 3, 20, 21] {
            for tail in ["", "x", "ab", "é"] {
                let s = "Japan – US “alliance” é ".repeat(n) + tail;
                let idx = CharIndex::new(&s);
                for (b, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
                    assert_eq!(idx.char_at(b) as usize, s[..b].chars().count(), "{s:?} {b}");
                }
            }
        }
        let full = "a".repeat(128);
        assert_eq!(CharIndex::new(&full).char_at(128), 128);
    }
}
