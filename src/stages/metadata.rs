//! Metadata: title, dateline, byline and page counters from the top of the text.
//!
//! Reads: the lines left by clean. Adds: `Metadata` (title, `published_at` with its raw text and any
//! stated zone, author, comment and view counts) and marks the lines it used as `LineKind::Meta`, so
//! they are not body. Only the header is read: the first `header_lines` non-blank lines, stopping at
//! the first line that is neither metadata nor the title. A line counts as metadata only when, after
//! taking out the date, counters, byline and labels (`Updated`, `Published`, `|`), almost nothing is
//! left, so a headline or sentence that mentions a date stays text. Counters on removed chrome lines
//! (`12 Comments` at the top) are still read.

use std::sync::LazyLock;

use regex::Regex;

use crate::article::{Article, LineKind, Metadata};
use crate::pipeline::{DateOrder, MetadataConfig};
use crate::stages::dateline::{micros, parse_dateline, DateHit};

/// The compiled metadata stage.
#[derive(Debug)]
pub struct MetadataStage {
    cfg: MetadataConfig,
}

static COMMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(?P<n>\d[\d,]*(?:\.\d+)?\s?[km]?|(?-u:\b)no)\s*(?:comments?|responses?|replies)|(?-u:\b)comments?\s*(?::|\()\s*(?P<n2>\d[\d,]*))").unwrap()
});
static VIEWS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:views?\s*(?::|\()?\s*(?P<n>\d[\d,]*(?:\.\d+)?\s?[km]?)|(?P<n2>\d[\d,]*(?:\.\d+)?\s?[km]?)\s*(?:views?|reads)(?-u:\b))").unwrap()
});
static BY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:by|written by|words by|reporting by|story by|author|authors)\s*[:\-–]?\s+(?P<rest>.+)$").unwrap()
});
/// Most lines of page furniture taken above a headline.
const MAX_FURNITURE: usize = 3;

static HANDLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^by\s+[\w.\-@]+$").unwrap());
static LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:last\s+)?(?:updated|published|posted|modified|first published|date)(?-u:\b)(?:\s+on(?-u:\b))?\s*:?|(?-u:\b)on(?-u:\b)|(?-u:\b)at(?-u:\b)|(?-u:\b)views?(?-u:\b)\s*:?|(?-u:\b)comments?(?-u:\b)|[|•·:/()\[\],\-–—]").unwrap()
});
/// Words that say the part of a byline after a name is a role or an affiliation.
const ROLE_WORDS: &[&str] = &[
    "writer",
    "correspondent",
    "editor",
    "reporter",
    "columnist",
    "contributor",
    "contributing",
    "analyst",
    "staff",
    "bureau",
    "chief",
    "fellow",
    "professor",
    "researcher",
    "director",
    "journalist",
    "associate",
    "senior",
    "special",
    "guest",
    "opinion",
    "news",
    "press",
    "agency",
    "foreign",
    "political",
    "diplomatic",
    "desk",
    "team",
    "service",
    "times",
    "post",
    "daily",
    "herald",
    "ledger",
    "tribune",
    "journal",
    "gazette",
    "review",
    "network",
    "media",
];
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "del", "della", "der", "den", "van", "von", "bin", "binti", "al", "el", "la", "le",
    "du", "dos", "y", "ibn", "ter",
];
const HONORIFICS: &[&str] = &[
    "Dr.", "Prof.", "Mr.", "Mrs.", "Ms.", "Sir", "Dame", "Rev.", "Gen.", "Amb.",
];

fn parse_count(s: &str) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    if t == "no" {
        return Some(0);
    }
    let (num, mult) = match t.chars().last() {
        Some('k') => (t[..t.len() - 1].trim(), 1_000.0),
        Some('m') => (t[..t.len() - 1].trim(), 1_000_000.0),
        _ => (t.as_str(), 1.0),
    };
    let clean: String = num.chars().filter(|c| *c != ',').collect();
    if mult > 1.0 {
        clean.parse::<f64>().ok().map(|f| (f * mult).round() as i64)
    } else {
        clean.parse::<i64>().ok()
    }
}

/// Counters found in a line, with the byte ranges they cover.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    /// Comment count.
    pub comments: Option<i64>,
    /// View count.
    pub views: Option<i64>,
    /// Ranges covered.
    pub spans: Vec<std::ops::Range<usize>>,
}

/// Finds `75 comments`, `No Comments`, `Views: 133`, `5,120 views`, glued or not.
pub fn counters(line: &str) -> Counters {
    let mut out = Counters::default();
    // Cheap prefilter: the regexes run only on lines that name a counter.
    let lower = line.to_ascii_lowercase();
    let has = |w: &str| memchr::memmem::find(lower.as_bytes(), w.as_bytes()).is_some();
    let maybe_comments = has("comment") || has("respons") || has("repl");
    let maybe_views = has("view") || has("read");
    if !maybe_comments && !maybe_views {
        return out;
    }
    for c in COMMENTS.captures_iter(line).filter(|_| maybe_comments) {
        let m = c.get(0).expect("match");
        // `commentary` is not a counter; `commentsViews` (glued capital) is.
        if line[m.end()..].starts_with(|ch: char| ch.is_lowercase()) {
            continue;
        }
        if let Some(n) = c
            .name("n")
            .or(c.name("n2"))
            .and_then(|n| parse_count(n.as_str()))
        {
            out.comments.get_or_insert(n);
            out.spans.push(m.range());
        }
    }
    for c in VIEWS.captures_iter(line).filter(|_| maybe_views) {
        let m = c.get(0).expect("match");
        // `Views` glued to a word (`commentsViews`) starts with a capital; `reviews` is no counter.
        let glued = line[..m.start()].ends_with(|ch: char| ch.is_alphanumeric());
        if glued && !m.as_str().starts_with('V') {
            continue;
        }
        if let Some(n) = c
            .name("n")
            .or(c.name("n2"))
            .and_then(|n| parse_count(n.as_str()))
        {
            out.views.get_or_insert(n);
            out.spans.push(m.range());
        }
    }
    out
}

fn is_name_token(t: &str) -> bool {
    let t = t.trim_matches(|c: char| c == ',' || c == ';');
    if NAME_PARTICLES.contains(&t) || HONORIFICS.contains(&t) {
        return true;
    }
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    // `J.`, `O'Neil`, `Al-Rashid`, `MARIA`, `McAllister`.
    first.is_uppercase()
        && t.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
}

/// Whether `s` reads as a person's name: 2–5 capitalised words (particles and initials allowed).
fn looks_like_name(s: &str) -> bool {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let core = toks.iter().filter(|t| !HONORIFICS.contains(t)).count();
    (2..=5).contains(&core)
        && toks.iter().all(|t| is_name_token(t))
        && !toks
            .iter()
            .any(|t| ROLE_WORDS.contains(&t.to_lowercase().as_str()))
}

fn has_role_word(s: &str) -> bool {
    s.split(|c: char| !c.is_alphabetic())
        .any(|w| ROLE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Names in a byline part: `Jane Doe`, `MARIA LOPEZ and Tom Hale`, `Jane Doe, Staff Writer`,
/// `By Dr. Li Wen, Contributing Columnist`. Returns `None` when it is not a byline.
pub fn byline(part: &str) -> Option<Vec<String>> {
    let part = part.trim();
    if part.chars().count() > 150 {
        return None;
    }
    let (rest, prefixed) = match BY_PREFIX.captures(part) {
        Some(c) => (c.name("rest").expect("group").as_str(), true),
        None => (part, false),
    };
    // Without a `By`, a name alone is too weak: it must be followed by a role (`, Staff Writer`).
    let mut pieces = rest
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let first = pieces.next()?;
    let others: Vec<&str> = pieces.collect();
    if !prefixed && !others.iter().any(|o| has_role_word(o)) {
        return None;
    }
    let mut names = Vec::new();
    for (i, piece) in std::iter::once(first)
        .chain(others.iter().copied())
        .enumerate()
    {
        for n in piece.split(" and ").flat_map(|x| x.split(" & ")) {
            let n = n.trim();
            if looks_like_name(n) {
                names.push(n.to_string());
            } else if i == 0 || n.split_whitespace().count() > 6 {
                // After the names only a short role or affiliation may follow (`Staff Writer`).
                return None;
            }
        }
    }
    (!names.is_empty()).then_some(names)
}

/// What one header line holds, when it is metadata.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetaLine {
    /// A date.
    pub date: Option<(DateHit, String)>,
    /// Whether the date is labelled `Updated`/`Modified`.
    pub updated: bool,
    /// Author names.
    pub authors: Vec<String>,
    /// Counters.
    pub counters: Counters,
}

/// Reads a line as metadata, or `None` when too much else is left in it.
pub fn meta_line(line: &str, order: DateOrder) -> Option<MetaLine> {
    // Datelines, bylines and counters are short; a paragraph is never one (and costs regex time).
    if line.len() > 300 {
        return None;
    }
    let mut out = MetaLine {
        counters: counters(line),
        ..MetaLine::default()
    };
    let mut covered: Vec<std::ops::Range<usize>> = out.counters.spans.clone();
    if let Some(hit) = parse_dateline(line, order) {
        let prefix = line[..hit.span.start].to_ascii_lowercase();
        out.updated = prefix.contains("updated") || prefix.contains("modified");
        covered.push(hit.span.clone());
        out.date = Some((hit.clone(), line[hit.span].to_string()));
    }
    // Mask what was recognised, then look at the parts that are left for a byline.
    let mut rest: Vec<u8> = line.as_bytes().to_vec();
    for r in &covered {
        rest[r.clone()].iter_mut().for_each(|b| *b = b'|');
    }
    let rest = String::from_utf8_lossy(&rest).into_owned();
    let mut leftover = 0usize;
    for part in rest
        .split(['|', '•', '·'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if let Some(names) = byline(part) {
            out.authors.extend(names);
            continue;
        }
        // `Posted on … by admin`: a user handle, not an author.
        if HANDLE.is_match(part) {
            continue;
        }
        let stripped = LABELS.replace_all(part, " ");
        let words: Vec<&str> = stripped
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        // `NEW DELHI — Oct. 7, 2015`: a place in capitals opens a wire-style dateline.
        let place = words.len() <= 3
            && words
                .iter()
                .all(|w| w.chars().all(|c| !c.is_lowercase()) && w.chars().any(char::is_uppercase));
        if !place {
            leftover += words.len();
        }
    }
    let found = out.date.is_some()
        || !out.authors.is_empty()
        || out.counters.comments.is_some()
        || out.counters.views.is_some();
    (found && leftover <= 1).then_some(out)
}

/// Whether a line can be a headline.
fn title_like(line: &str, next: Option<&str>) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    if t.chars().count() > 300 || words == 0 || words > 35 {
        return false;
    }
    if t.ends_with([',', ';', ':']) {
        return false;
    }
    // A full stop ends sentences, not headlines (but `… the U.S.` may end one).
    if t.ends_with('.') && !t.ends_with("..") {
        let last = t.split_whitespace().last().unwrap_or("");
        let acronym = last.len() >= 4 && last.chars().filter(|&c| c == '.').count() >= 2;
        if !acronym {
            return false;
        }
    }
    match next {
        None => true,
        // Directly followed by text: a headline only when clearly shorter than the line below
        // (the first line of a hard-wrapped paragraph is about as long as the next).
        Some(n) => words <= 20 && t.chars().count() * 5 < n.trim().chars().count() * 3,
    }
}

impl MetadataStage {
    /// Builds the stage.
    pub fn new(cfg: &MetadataConfig) -> Self {
        MetadataStage { cfg: cfg.clone() }
    }

    /// Short lines above the headline that no chrome pattern knows (`Sign in`, `Breaking: …`):
    /// when the header's first dateline or byline follows a headline-like line, the few short
    /// lines before that headline are page furniture, not the title or the body.
    fn junk_above_title(
        &self,
        a: &Article,
        cand: &[usize],
        parsed: &[Option<MetaLine>],
    ) -> Vec<usize> {
        let text = |i: usize| &a.text[a.lines[i].start..a.lines[i].end];
        let Some(k) = parsed.iter().position(Option::is_some) else {
            return Vec::new();
        };
        if !(2..=MAX_FURNITURE + 1).contains(&k) || !title_like(text(cand[k - 1]), None) {
            return Vec::new();
        }
        let junk = &cand[..k - 1];
        let furniture = |i: usize| {
            let t = text(i).trim();
            t.split_whitespace().count() <= 12 && !t.ends_with(['.', '!', '?', ',', ';'])
        };
        if junk.iter().all(|&i| furniture(i)) {
            junk.to_vec()
        } else {
            Vec::new()
        }
    }

    /// Reads the header of `a`.
    pub fn apply(&self, a: &mut Article) {
        if !self.cfg.enabled {
            return;
        }
        let mut meta = Metadata::default();
        let mut seen = 0usize;
        let mut date_updated = false;
        // The first few header lines are parsed once, for the furniture check and the walk below;
        // the walk parses further lines only as far as it goes (it stops at the body).
        let header: Vec<usize> = (0..a.lines.len())
            .filter(|&i| a.lines[i].kind == LineKind::Text)
            .take(self.cfg.header_lines.min(MAX_FURNITURE + 2))
            .collect();
        let parsed: Vec<Option<MetaLine>> = header
            .iter()
            .map(|&i| {
                meta_line(
                    &a.text[a.lines[i].start..a.lines[i].end],
                    self.cfg.date_order,
                )
            })
            .collect();
        let parse = |a: &Article, i: usize| -> Option<MetaLine> {
            match header.iter().position(|&h| h == i) {
                Some(k) => parsed[k].clone(),
                None => meta_line(
                    &a.text[a.lines[i].start..a.lines[i].end],
                    self.cfg.date_order,
                ),
            }
        };
        let junk = self.junk_above_title(a, &header, &parsed);
        let mut recount_chrome = !junk.is_empty();
        for i in junk {
            a.lines[i].kind = LineKind::Chrome;
        }
        let n = a.lines.len();
        let mut i = 0;
        while i < n {
            let l = a.lines[i];
            let text = &a.text[l.start..l.end];
            match l.kind {
                LineKind::Blank | LineKind::Meta => {}
                LineKind::Chrome => {
                    // A header line like `12 Comments` reads as chrome but is a counter: metadata.
                    if seen < self.cfg.header_lines {
                        if let Some(m) = parse(a, i) {
                            absorb(&mut meta, &mut date_updated, &mut a.warnings, m);
                            a.lines[i].kind = LineKind::Meta;
                            recount_chrome = true;
                        }
                    }
                }
                LineKind::Text => {
                    seen += 1;
                    if seen > self.cfg.header_lines {
                        break;
                    }
                    if let Some(m) = parse(a, i) {
                        absorb(&mut meta, &mut date_updated, &mut a.warnings, m);
                        a.lines[i].kind = LineKind::Meta;
                    } else if meta.title.is_none() {
                        let next = a.lines.get(i + 1).filter(|x| x.kind == LineKind::Text);
                        let next_meta = next.is_some() && parse(a, i + 1).is_some();
                        let next_text =
                            next.filter(|_| !next_meta).map(|x| &a.text[x.start..x.end]);
                        if !title_like(text, next_text) {
                            break;
                        }
                        meta.title = Some(text.trim().to_string());
                        a.lines[i].kind = LineKind::Meta;
                    } else {
                        break;
                    }
                }
            }
            i += 1;
        }
        // Counters often sit in the footer chrome (`12 Comments` above the comment form).
        if meta.comment_count.is_none() || meta.view_count.is_none() {
            for l in a.lines.iter().filter(|l| l.kind == LineKind::Chrome) {
                absorb_counters(&mut meta, &counters(&a.text[l.start..l.end]));
            }
        }
        if recount_chrome {
            a.collect_chrome();
        }
        a.meta = meta;
    }
}

fn absorb_counters(meta: &mut Metadata, c: &Counters) {
    if meta.comment_count.is_none() {
        meta.comment_count = c.comments;
    }
    if meta.view_count.is_none() {
        meta.view_count = c.views;
    }
}

fn absorb(meta: &mut Metadata, date_updated: &mut bool, warnings: &mut Vec<String>, m: MetaLine) {
    absorb_counters(meta, &m.counters);
    if !m.authors.is_empty() && meta.author.is_none() {
        meta.author = Some(m.authors.join("; "));
    }
    if let Some((hit, raw)) = m.date {
        // The first date wins, except that a publication date replaces an `Updated` one.
        if meta.published_at.is_none() || (*date_updated && !m.updated) {
            meta.published_at = Some(micros(hit.local));
            meta.utc_offset_minutes = hit.offset_minutes;
            meta.published_utc = hit
                .offset_minutes
                .map(|o| micros(hit.local) - i64::from(o) * 60_000_000);
            meta.published_raw = Some(raw);
            *date_updated = m.updated;
            if hit.order_swapped {
                warnings.push("date_order_swapped".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Source;
    use crate::pipeline::Pipeline;
    use crate::stages::clean::Clean;

    fn run(text: &str) -> (Metadata, Vec<String>) {
        let p = Pipeline::builtin();
        let src = Source::named("t");
        let mut a = Article::new(src, b"", "UTF-8", text.to_string());
        Clean::new(&p.clean).apply(&mut a);
        MetadataStage::new(&p.metadata).apply(&mut a);
        let body = a
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Text)
            .map(|l| a.line(l).to_string())
            .collect();
        (a.meta, body)
    }

    fn ts(s: &str) -> i64 {
        micros(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    #[test]
    fn reference_header() {
        let (m, body) = run("Bane Or Boon – The Future Of Sino-Japanese Relations Under Trump\n\nDecember 2, 2017 12:58 pm75 commentsViews: 133\n\nU.S. president, Donald J. Trump, has pitched a policy.\n");
        assert_eq!(
            m.title.as_deref(),
            Some("Bane Or Boon – The Future Of Sino-Japanese Relations Under Trump")
        );
        assert_eq!(
            m.published_raw.as_deref(),
            Some("December 2, 2017 12:58 pm")
        );
        assert_eq!(m.published_at, Some(ts("2017-12-02 12:58:00")));
        assert_eq!((m.comment_count, m.view_count), (Some(75), Some(133)));
        assert_eq!(m.published_utc, None);
        assert_eq!(
            body,
            ["U.S. president, Donald J. Trump, has pitched a policy."]
        );
    }

    #[test]
    fn bylines() {
        let cases = [
            ("By Jane Doe", Some("Jane Doe")),
            ("Jane Doe, Staff Writer", Some("Jane Doe")),
            ("By MARIA LOPEZ and Tom Hale", Some("MARIA LOPEZ; Tom Hale")),
            ("Written by Ahmed Karimi", Some("Ahmed Karimi")),
            ("By Dr. Li Wen, Contributing Columnist", Some("Dr. Li Wen")),
            ("Author: Sofia Rossi", Some("Sofia Rossi")),
            (
                "By Jean-Luc van der Berg | Reuters",
                Some("Jean-Luc van der Berg"),
            ),
            ("Jane Doe", None),
            ("By the way, the talks failed", None),
            ("Trade War Looms Over Pacific", None),
            ("When Saudi Arabia, the United Arab Emirates, Bahrain and Egypt cut diplomatic and trade ties with Qatar on June 5, they expected the tiny emirate to give in within weeks.", None),
        ];
        for (line, want) in cases {
            let got = byline(line).map(|v| v.join("; "));
            assert_eq!(got.as_deref(), want, "{line}");
        }
    }

    #[test]
    fn combined_lines_and_updated_dates() {
        let (m, _) = run("Headline Here\nBy Jane Doe | Updated March 4, 2019 10:05 am\nPublished March 3, 2019 9:00 am\n12 Comments\n\nBody text starts here and goes on.\n");
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(
            m.published_raw.as_deref(),
            Some("March 3, 2019 9:00 am"),
            "published beats updated"
        );
        assert_eq!(m.comment_count, Some(12));
        let (m, _) = run("T\n\n3 comments | 5,120 views\n\nBody.\n");
        assert_eq!((m.comment_count, m.view_count), (Some(3), Some(5120)));
        let (m, _) = run("T\nNo Comments\nViews: 1.2k\n\nBody.\n");
        assert_eq!((m.comment_count, m.view_count), (Some(0), Some(1200)));
    }

    #[test]
    fn scraper_variants() {
        let (m, body) = run("Sign in\nBreaking: Markets fall\nAllies Agree on Sanctions\n\nPosted on June 14, 2018 by admin\n\nThe ministers met on Monday in Brussels and agreed on a package.\n");
        assert_eq!(m.title.as_deref(), Some("Allies Agree on Sanctions"));
        assert_eq!(m.published_raw.as_deref(), Some("June 14, 2018"));
        assert_eq!(m.author, None);
        assert_eq!(body.len(), 1);
        let (m, _) = run("Headline Here\nNEW DELHI — Oct. 7, 2015\n\nBody text.\n");
        assert_eq!(m.published_raw.as_deref(), Some("Oct. 7, 2015"));
        // A short first paragraph before a date-like line is not taken for furniture.
        let (m, body) =
            run("Talks Resume\n\nThe envoys met again.\n\nDecember 2, 2017\n\nMore text here.\n");
        assert_eq!(m.title.as_deref(), Some("Talks Resume"));
        assert_eq!(body.len(), 3);
    }

    #[test]
    fn zones_give_utc() {
        let (m, _) = run("T\n\nMonday, 5 March 2018 14:05 GMT+1\n\nBody.\n");
        assert_eq!(m.utc_offset_minutes, Some(60));
        assert_eq!(m.published_utc, Some(ts("2018-03-05 13:05:00")));
    }

    #[test]
    fn no_title_when_text_starts_with_a_paragraph() {
        let (m, body) = run("Japan and China have long argued over the islands. The dispute flared again this week.\n\nMore text.\n");
        assert_eq!(m.title, None);
        assert_eq!(body.len(), 2);
        // A headline line directly above a long paragraph line.
        let (m, _) = run("Short Headline\nA much longer first line of a paragraph that goes on and on for quite a while here.\n");
        assert_eq!(m.title.as_deref(), Some("Short Headline"));
    }

    #[test]
    fn dates_in_headlines_and_sentences_are_not_datelines() {
        let (m, body) = run("December 2, 2017: The Day Asia Changed\n\nOn December 2, 2017 the leaders met in Manila to talk.\n");
        assert_eq!(
            m.title.as_deref(),
            Some("December 2, 2017: The Day Asia Changed")
        );
        assert_eq!(m.published_at, None);
        assert_eq!(body.len(), 1);
        assert!(counters("a commentary on 5 commentaries")
            .comments
            .is_none());
    }
}
