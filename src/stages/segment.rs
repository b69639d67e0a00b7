//! Segment: sections, paragraphs and sentences with character offsets into the cleaned body.
//!
//! Reads: the lines still marked `Text` after clean and metadata. Adds: `body` (paragraphs joined by
//! one blank line, sections by two), paragraphs, sentences, word counts and the body hash. A blank
//! line separates paragraphs; `section_blank_lines` or more start a section. Lines removed between
//! paragraphs (an `Advertisement` between two blank lines) do not turn a paragraph break into a
//! section break.
//!
//! The sentence splitter is a single forward scan with rules for news prose rather than a general
//! segmenter: abbreviations (`Mr.`, `Jan. 5`, `No. 10`), initials (`Donald J. Trump`), dotted acronyms
//! (`U.S. president`), decimals, ellipses before lower case, and closing quotes after the full stop
//! (`… ground.”`) all stay inside one sentence.

use crate::article::{
    count_words, Article, CharIndex, FxHashMap, LineKind, Paragraph, Sentence, Span,
};
use crate::pipeline::{SegmentConfig, BUILTIN_ABBREVIATIONS};

/// How an abbreviation behaves before a capitalised word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbbrevKind {
    /// Never ends a sentence (`Mr.`, `Jan.`).
    Never,
    /// Abbreviation only before a number (`No. 10`).
    Number,
    /// May end a sentence: split when a sentence opener follows (`… Inc. The firm`).
    MayEnd,
}

/// Parses one abbreviation entry: `Mr`, `No number`, `etc may-end`.
pub fn parse_abbreviation(entry: &str) -> Result<(String, AbbrevKind), String> {
    let mut parts = entry.split_whitespace();
    let word = parts.next().ok_or("empty abbreviation")?;
    let word = word.trim_end_matches('.');
    if word.is_empty() || !word.chars().all(|c| c.is_alphabetic() || c == '.') {
        return Err(format!(
            "`{entry}`: an abbreviation is letters (and inner dots) only"
        ));
    }
    let kind = match parts.next() {
        None => AbbrevKind::Never,
        Some("number") => AbbrevKind::Number,
        Some("may-end") => AbbrevKind::MayEnd,
        Some(other) => {
            return Err(format!(
                "`{entry}`: unknown qualifier `{other}` (use `number` or `may-end`)"
            ))
        }
    };
    if parts.next().is_some() {
        return Err(format!("`{entry}`: expected `WORD [number|may-end]`"));
    }
    Ok((word.to_string(), kind))
}

/// Words that open a new sentence after an ambiguous full stop (`… the U.S. The talks`).
const OPENERS: &[&str] = &[
    "A",
    "After",
    "Also",
    "An",
    "And",
    "As",
    "At",
    "Before",
    "Both",
    "But",
    "During",
    "Each",
    "Even",
    "For",
    "From",
    "He",
    "Her",
    "Here",
    "His",
    "How",
    "However",
    "I",
    "If",
    "In",
    "It",
    "Its",
    "Many",
    "Meanwhile",
    "Most",
    "Now",
    "On",
    "Our",
    "She",
    "Since",
    "So",
    "Some",
    "Still",
    "Such",
    "That",
    "The",
    "Their",
    "Then",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "Thus",
    "To",
    "Under",
    "We",
    "What",
    "When",
    "Where",
    "While",
    "Who",
    "Why",
    "With",
    "Yet",
    "You",
];

/// Words that continue a time after `a.m.`/`p.m.` rather than open a sentence.
const TIME_CONTINUATIONS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "GMT",
    "UTC",
    "BST",
    "CET",
    "ET",
    "EST",
    "EDT",
    "PT",
    "PST",
    "PDT",
    "CT",
    "CST",
    "CDT",
    "MT",
    "JST",
    "KST",
    "IST",
    "Eastern",
    "Pacific",
    "Central",
    "Mountain",
    "Greenwich",
    "Moscow",
    "Beijing",
    "Tokyo",
    "London",
    "local",
    "Local",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];

/// The compiled segment stage.
#[derive(Debug)]
pub struct Segment {
    section_blank_lines: usize,
    abbreviations: FxHashMap<String, AbbrevKind>,
}

const CLOSERS: &[char] = &['"', '”', '’', '\'', ')', ']', '»', '›'];
const OPENING: &[char] = &['"', '“', '‘', '\'', '(', '[', '«', '‹'];

impl Segment {
    /// Builds the stage from the built-in abbreviation list plus the pipeline's.
    pub fn new(cfg: &SegmentConfig) -> Segment {
        let mut abbreviations = FxHashMap::default();
        let builtin = BUILTIN_ABBREVIATIONS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for entry in builtin.chain(cfg.abbreviations.iter().map(String::as_str)) {
            // Validated at load time for the pipeline's entries; the built-in list is tested.
            if let Ok((w, k)) = parse_abbreviation(entry) {
                abbreviations.insert(w, k);
            }
        }
        Segment {
            section_blank_lines: cfg.section_blank_lines,
            abbreviations,
        }
    }

    /// Builds body, paragraphs and sentences of `a`.
    pub fn apply(&self, a: &mut Article) {
        // Blocks of consecutive text lines, with the gap (blank lines) before each. A removed line
        // splits a blank run in two and the gap is the larger half.
        let mut blocks: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        let mut current: Vec<(usize, usize)> = Vec::new();
        let (mut run, mut gap, mut block_gap) = (0usize, 0usize, 0usize);
        for l in &a.lines {
            if l.kind == LineKind::Text {
                if current.is_empty() {
                    block_gap = gap.max(run);
                }
                current.push((l.start, l.end));
                continue;
            }
            if !current.is_empty() {
                blocks.push((block_gap, std::mem::take(&mut current)));
                (run, gap) = (0, 0);
            }
            if l.kind == LineKind::Blank {
                run += 1;
            } else {
                gap = gap.max(run);
                run = 0;
            }
        }
        if !current.is_empty() {
            blocks.push((block_gap, current));
        }

        let mut body = String::with_capacity(a.text.len());
        let mut chars = 0u32;
        let mut section = 0u32;
        let mut spans = Vec::new();
        // News prose runs about one sentence per 150 bytes; growing these vectors one doubling at
        // a time cost more than the room.
        a.sentences.reserve(a.text.len() / 150);
        a.paragraphs.reserve(blocks.len());
        for (bi, (gap, lines)) in blocks.iter().enumerate() {
            if bi > 0 {
                let sep = if *gap >= self.section_blank_lines {
                    section += 1;
                    "\n\n\n"
                } else {
                    "\n\n"
                };
                body.push_str(sep);
                chars += sep.len() as u32;
            }
            let (pstart_b, pstart_c) = (body.len(), chars);
            for (li, &(s, e)) in lines.iter().enumerate() {
                if li > 0 {
                    body.push('\n');
                    chars += 1;
                }
                let t = a.text[s..e].trim();
                body.push_str(t);
                chars += t.chars().count() as u32;
            }
            let ptext = &body[pstart_b..];
            let pindex = a.paragraphs.len() as u32;
            // Sentences split only at white space, so their word counts add up to the paragraph's;
            // character offsets advance incrementally (one pass over the paragraph).
            let mut words = 0;
            let (mut at_b, mut at_c) = (0usize, pstart_c);
            self.sentences_into(ptext, &mut spans);
            for &(ss, se) in &spans {
                let s_text = &ptext[ss..se];
                let start = at_c + char_len(&ptext[at_b..ss]);
                let end = start + char_len(s_text);
                (at_b, at_c) = (se, end);
                let wc = count_words(s_text);
                words += wc;
                a.sentences.push(Sentence {
                    paragraph_index: pindex,
                    span: Span { start, end },
                    bytes: (pstart_b + ss, pstart_b + se),
                    word_count: wc,
                });
            }
            a.paragraphs.push(Paragraph {
                section_index: section,
                span: Span {
                    start: pstart_c,
                    end: chars,
                },
                bytes: (pstart_b, body.len()),
                word_count: words,
            });
            a.word_count += words;
        }
        a.section_count = if a.paragraphs.is_empty() {
            0
        } else {
            section + 1
        };
        a.body_chars = chars;
        a.body_hash = xxhash_rust::xxh3::xxh3_128(body.as_bytes());
        a.body_index = CharIndex::new(&body);
        a.body = body;
    }

    /// Byte ranges of the sentences of one paragraph, trimmed.
    pub fn sentences(&self, p: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.sentences_into(p, &mut out);
        out
    }

    /// [`Segment::sentences`] into `out` (cleared first), so one buffer serves every paragraph.
    fn sentences_into(&self, p: &str, out: &mut Vec<(usize, usize)>) {
        out.clear();
        let mut start = 0usize;
        let bytes = p.as_bytes();
        let mut i = 0usize;
        while i < p.len() {
            // Only `\n . ! ?` and the lead byte of `…` (E2 80 A6) can matter: skip the rest
            // without decoding characters. Each of these bytes starts a character.
            i = next_mark(bytes, i);
            if i >= p.len() {
                break;
            }
            let c = p[i..].chars().next().expect("char boundary");
            // A list item on its own line starts a sentence even when the line before has no
            // full stop (`KEY POINTS\n- Withdraw…\n- Detain…`).
            if c == '\n' && starts_list_item(&p[i + 1..]) {
                let (s, e) = trimmed(p, start, i);
                if s < e {
                    out.push((s, e));
                }
                start = i + 1;
                i += 1;
                continue;
            }
            if !matches!(c, '.' | '!' | '?' | '…') {
                i += c.len_utf8();
                continue;
            }
            let term_start = i;
            // Runs of terminators (`?!`, `...`), then closing quotes and brackets.
            let mut j = i;
            let mut dots = 0;
            let mut strong = false;
            while let Some(ch) = p[j..].chars().next() {
                match ch {
                    '.' => dots += 1,
                    '…' => dots += 3,
                    '!' | '?' => strong = true,
                    _ => break,
                }
                j += ch.len_utf8();
            }
            while let Some(ch) = p[j..].chars().next().filter(|ch| CLOSERS.contains(ch)) {
                j += ch.len_utf8();
            }
            i = j;
            // The next character must be white space; otherwise `3.5`, `U.S.-China`, `e.g.,`.
            let rest = &p[j..];
            let Some(ws) = rest.chars().next() else { break };
            if !ws.is_whitespace() {
                continue;
            }
            let next_word = rest.trim_start();
            let Some(mut nc) = next_word.chars().next() else {
                break;
            };
            if OPENING.contains(&nc) {
                nc = next_word[nc.len_utf8()..].chars().next().unwrap_or(' ');
            }
            // Only a capital, a digit or an uncased letter opens a sentence; lower case and
            // punctuation (`…, he said`, `Kiss... ).`, `– which`) continue it.
            if !nc.is_alphanumeric() || nc.is_lowercase() {
                continue;
            }
            if !strong && dots == 1 && !self.ends_sentence(&p[start..term_start], next_word, nc) {
                continue;
            }
            out.push(trimmed(p, start, j));
            start = j;
        }
        if start < p.len() {
            let (s, e) = trimmed(p, start, p.len());
            if s < e {
                out.push((s, e));
            }
        }
        out.retain(|(s, e)| s < e);
    }

    /// Decides a single full stop: `before` is the sentence so far, `next` the text after the gap.
    fn ends_sentence(&self, before: &str, next: &str, nc: char) -> bool {
        let token = last_token(before);
        if token.is_empty() {
            return true;
        }
        // A list number opening the sentence (`2. Spend more`).
        if token.bytes().all(|b| b.is_ascii_digit()) && before.trim_start() == token {
            return false;
        }
        let opener = || OPENERS.contains(&alphabetic_prefix(next.trim_start_matches(OPENING)));
        // A single capital: an initial (`Donald J. Trump`).
        let mut tc = token.chars();
        if let (Some(first), None) = (tc.next(), tc.next()) {
            if first.is_uppercase() {
                return false;
            }
        }
        let quote_follows = next.starts_with(['“', '"', '‘']);
        // `10 p.m. Officials said`: a capital after a time ends the sentence, unless it continues
        // the time (`p.m. Monday`, `a.m. Eastern`, `p.m. GMT`).
        if matches!(token, "a.m" | "p.m" | "A.M" | "P.M") {
            return quote_follows || !TIME_CONTINUATIONS.contains(&alphabetic_prefix(next));
        }
        // Dotted acronyms (`U.S`, `e.g`): a sentence ends only before an opener.
        if token.contains('.') && token.chars().all(|c| c.is_alphabetic() || c == '.') {
            return opener();
        }
        match self.abbreviations.get(token) {
            Some(AbbrevKind::Never) => false,
            Some(AbbrevKind::Number) => !nc.is_ascii_digit(),
            // `… Acme Corp. “We will appeal,” …`: a quotation opens a new sentence.
            Some(AbbrevKind::MayEnd) => quote_follows || opener(),
            None => true,
        }
    }
}

/// The last word of `before`: what follows its last white space or opening quote or bracket.
/// Full stops are decided several times per paragraph, so ASCII text is read backwards byte by
/// byte; a character that is not ASCII sends the search to the general one.
fn last_token(before: &str) -> &str {
    let b = before.as_bytes();
    let mut i = b.len();
    while i > 0 {
        match b[i - 1] {
            0x80.. => {
                return before
                    .rsplit(|c: char| c.is_whitespace() || OPENING.contains(&c))
                    .next()
                    .unwrap_or("")
            }
            // `char::is_whitespace` in ASCII (vertical tab included), and the ASCII `OPENING`.
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b'"' | b'\'' | b'(' | b'[' => break,
            _ => i -= 1,
        }
    }
    &before[i..]
}

/// The letters at the start of `s` (up to its first character that is not alphabetic).
fn alphabetic_prefix(s: &str) -> &str {
    &s[..s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len())]
}

/// Whether `line` begins with a list marker: `- `, `* `, `• `, `– `, `1. `, `2) `.
fn starts_list_item(line: &str) -> bool {
    let l = line.trim_start_matches([' ', '\t']);
    if let Some(rest) = l.strip_prefix(['-', '*', '•', '–', '—', '·']) {
        return rest.starts_with(' ');
    }
    let digits = l.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits) && (l[digits..].starts_with(". ") || l[digits..].starts_with(") "))
}

fn trimmed(p: &str, s: usize, e: usize) -> (usize, usize) {
    let seg = &p[s..e];
    let lead = seg.len() - seg.trim_start().len();
    let trail = seg.len() - seg.trim_end().len();
    (s + lead, e - trail)
}

/// The first position at or after `from` holding `\n`, `.`, `!`, `?` or `0xE2` (the lead byte of
/// `…`), or `b.len()`: sixteen bytes are tested at once (eight without SSE2), since most of a
/// paragraph is none of these.
fn next_mark(b: &[u8], from: usize) -> usize {
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while i + 16 <= b.len() {
            // SAFETY: SSE2 is enabled on every x86-64 target, and the load reads the 16 bytes
            // `b[i..i + 16]`, in bounds by the loop condition, with no alignment needed.
            let m = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(i).cast());
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let any = _mm_or_si128(
                    _mm_or_si128(eq(b'\n'), eq(b'.')),
                    _mm_or_si128(_mm_or_si128(eq(b'!'), eq(b'?')), eq(0xE2)),
                );
                _mm_movemask_epi8(any) as u32
            };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    {
        use crate::article::swar::{eq, load};
        while i + 8 <= b.len() {
            let x = load(&b[i..i + 8]);
            let m = eq(x, b'\n') | eq(x, b'.') | eq(x, b'!') | eq(x, b'?') | eq(x, 0xE2);
            if m != 0 {
                return i + m.trailing_zeros() as usize / 8;
            }
            i += 8;
        }
    }
    b[i..]
        .iter()
        .position(|&x| matches!(x, b'\n' | b'.' | b'!' | b'?' | 0xE2))
        .map_or(b.len(), |k| i + k)
}

fn char_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.chars().count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Source;
    use crate::pipeline::Pipeline;

    /// The byte-wise last word and letter prefix agree with their definitions by characters.
    #[test]
    fn last_token_and_alphabetic_prefix_match_their_definitions() {
        let parts = [
            "a", "U.S", " ", "\t", "\u{b}", "\n", "\"", "'", "(", "[", "“", "‘", "«", "é",
            "\u{a0}", "\u{2009}", "9", "-", "\u{1c}",
        ];
        let mut texts = crate::article::mixed_strings(&parts, 7, 3000, 12);
        texts.extend(["a\u{b}b", "x (y", "p\u{a0}q", "“U.S", "e.g", ""].map(String::from));
        for s in texts {
            let want = s
                .rsplit(|c: char| c.is_whitespace() || OPENING.contains(&c))
                .next()
                .unwrap_or("");
            assert_eq!(last_token(&s), want, "{s:?}");
            let prefix: String = s.chars().take_while(|c| c.is_alphabetic()).collect();
            assert_eq!(alphabetic_prefix(&s), prefix, "{s:?}");
        }
    }

    fn seg() -> Segment {
        Segment::new(&Pipeline::builtin().segment)
    }

    /// The sixteen- and eight-at-a-time searches find what a byte-by-byte search finds, from every
    /// start.
    #[test]
    fn next_mark_matches_byte_search() {
        let parts = [
            "a", " ", ".", "!", "?", "\n", "…", "“", "é", "x.y", "ab", "\u{7f}",
        ];
        for s in crate::article::mixed_strings(&parts, 3, 500, 30) {
            let b = s.as_bytes();
            for from in 0..=b.len() {
                let want = (from..b.len())
                    .find(|&i| matches!(b[i], b'\n' | b'.' | b'!' | b'?' | 0xE2))
                    .unwrap_or(b.len());
                assert_eq!(next_mark(b, from), want, "{s:?} from {from}");
            }
        }
    }

    fn split(p: &str) -> Vec<String> {
        seg()
            .sentences(p)
            .into_iter()
            .map(|(s, e)| p[s..e].to_string())
            .collect()
    }

    #[test]
    fn builtin_abbreviations_parse() {
        for l in BUILTIN_ABBREVIATIONS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            parse_abbreviation(l).unwrap();
        }
        assert!(parse_abbreviation("No numbr").is_err());
        assert!(parse_abbreviation("a b c").is_err());
        assert!(parse_abbreviation("1st").is_err());
    }

    #[test]
    fn abbreviations_do_not_split() {
        let cases: &[(&str, usize)] = &[
            (
                "U.S. president, Donald J. Trump, has pitched an “America First” foreign policy.",
                1,
            ),
            (
                "Mr. Abe met Mrs. Clinton and Dr. Wen on Jan. 5 at No. 10 Downing Street.",
                1,
            ),
            (
                "Growth was 3.5 percent, or $1.2 trillion. The rest was debt.",
                2,
            ),
            ("The talks... stalled again. Then they resumed.", 2),
            (
                "Allies, e.g. Japan, i.e. the main one, met at 9 a.m. on Monday.",
                1,
            ),
            ("He flew to the U.S. The talks began.", 2),
            ("She said “peace through strength.” Then she left.", 2),
            ("“Will it hold?” he asked. Nobody knew!", 2),
            ("It was signed by Acme Inc. The firm said so.", 2),
            ("See p. 5 and Vol. 2 of the report.", 1),
            ("Nobody said No. Everyone agreed.", 2),
            ("Sales rose 5%. 2018 was better.", 2),
            ("A U.S.-China deal.", 1),
            ("Nominees include Eva (Ae Fond Kiss... ). Shane won.", 2),
            (
                "The strike came at 10:15 p.m. Officials in Seoul say it failed.",
                2,
            ),
            ("The vote is at 9 a.m. Eastern time on Monday.", 1),
            ("Talks ended at 6 p.m. Tuesday without a deal.", 1),
            ("The bid came from Acme Corp. “We will appeal,” it said.", 2),
            (
                "KEY POINTS\n- Withdraw from the treaty\n- Detain people\n2. Spend more",
                4,
            ),
            ("A wrapped line\nthat goes on. Then - a dash - here.", 2),
            ("", 0),
        ];
        for (p, n) in cases {
            let got = split(p);
            assert_eq!(got.len(), *n, "{p:?} -> {got:?}");
        }
        assert_eq!(
            split("She said “peace through strength.” Then she left.")[0],
            "She said “peace through strength.”"
        );
    }

    #[test]
    fn pipeline_abbreviations_extend() {
        let mut cfg = Pipeline::builtin().segment;
        assert_eq!(split("Talks with Cllr. Smith ended.").len(), 2);
        cfg.abbreviations.push("Cllr".into());
        let s = Segment::new(&cfg);
        assert_eq!(s.sentences("Talks with Cllr. Smith ended.").len(), 1);
    }

    fn article(text: &str) -> Article {
        let src = Source::named("t");
        let mut a = Article::new(src, b"", "UTF-8", text.to_string());
        seg().apply(&mut a);
        a
    }

    fn slice(body: &str, sp: Span) -> String {
        body.chars()
            .skip(sp.start as usize)
            .take((sp.end - sp.start) as usize)
            .collect()
    }

    #[test]
    fn sections_paragraphs_and_char_offsets() {
        let a = article("Première phrase. Deuxième – ici.\n\nSecond para.\n\n\nNew section “quoted.”\n  Wrapped line.\n\n\n\n\nLast.\n");
        assert_eq!(a.paragraphs.len(), 4);
        assert_eq!(a.section_count, 3);
        let secs: Vec<u32> = a.paragraphs.iter().map(|p| p.section_index).collect();
        assert_eq!(secs, [0, 0, 1, 2]);
        assert_eq!(a.body, "Première phrase. Deuxième – ici.\n\nSecond para.\n\n\nNew section “quoted.”\nWrapped line.\n\n\nLast.");
        for p in &a.paragraphs {
            assert_eq!(slice(&a.body, p.span), a.paragraph_text(p));
        }
        for s in &a.sentences {
            assert_eq!(slice(&a.body, s.span), a.sentence_text(s));
        }
        assert_eq!(a.sentences.len(), 6);
        assert_eq!(a.sentence_text(&a.sentences[1]), "Deuxième – ici.");
        assert_eq!(a.sentences[1].span.start, 17);
        assert_eq!(a.word_count, 12);
        assert_eq!(a.body_chars as usize, a.body.chars().count());
    }

    #[test]
    fn removed_line_between_paragraphs_is_not_a_section_break() {
        let mut a = Article::new(
            Source::named("t"),
            b"",
            "UTF-8",
            "One.\n\nAdvertisement\n\nTwo.\n\n\nThree.".into(),
        );
        a.lines[2].kind = LineKind::Chrome;
        seg().apply(&mut a);
        let secs: Vec<u32> = a.paragraphs.iter().map(|p| p.section_index).collect();
        assert_eq!(secs, [0, 0, 1]);
    }
}
