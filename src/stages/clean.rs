//! Clean: mark page chrome (share buttons, `Leave a Reply`, cookie notices, navigation crumbs,
//! related-link trailers) so it never reaches a paragraph.
//!
//! Reads: the article's lines. Adds: `LineKind::Chrome` on removed lines and their text in
//! `chrome_removed`. A line is chrome when it matches a whole-line pattern (the built-in list in
//! `pipelines/chrome.txt` plus the pipeline's `lines` and `patterns`) AND stands where chrome
//! stands: in the run of such lines at the very start or end of the text, or in a block (lines between
//! blank lines) made only of such lines. A trailer marker (`Related posts:`, `Leave a Reply`) in the
//! last half of the text (by bytes) removes everything from it to the end. A sentence in a paragraph that
//! happens to read like chrome is never touched.

use std::collections::HashSet;

use regex::RegexSet;

use crate::article::{Article, LineKind};
use crate::pipeline::{line_regex, CleanConfig, BUILTIN_CHROME};

/// Lines after a trailer marker at most this long read as headlines, not body paragraphs.
const SHORT_LINE: usize = 120;

/// Lines longer than this are never chrome; saves regex work on real paragraphs.
const MAX_CHROME_LINE: usize = 300;

/// The compiled clean stage.
#[derive(Debug)]
pub struct Clean {
    enabled: bool,
    lines: HashSet<String>,
    patterns: RegexSet,
    tail: RegexSet,
}

fn set(patterns: &[String]) -> RegexSet {
    // Validated at pipeline load (`line_regex`), so building the set cannot fail here.
    regex::RegexSetBuilder::new(patterns.iter().map(|p| format!("^(?:{p})$")))
        .case_insensitive(true)
        .size_limit(1 << 24)
        .build()
        .expect("chrome patterns were validated when the pipeline was loaded")
}

/// Splits the built-in chrome list into (all patterns, tail markers).
pub fn builtin_patterns() -> (Vec<String>, Vec<String>) {
    let mut all = Vec::new();
    let mut tail = Vec::new();
    for line in BUILTIN_CHROME.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("tail:") {
            Some(p) => {
                all.push(p.trim().to_string());
                tail.push(p.trim().to_string());
            }
            None => all.push(line.to_string()),
        }
    }
    (all, tail)
}

impl Clean {
    /// Builds the stage.
    pub fn new(cfg: &CleanConfig) -> Clean {
        let (mut all, mut tail) = if cfg.builtin {
            builtin_patterns()
        } else {
            (Vec::new(), Vec::new())
        };
        all.extend(cfg.patterns.iter().cloned());
        all.extend(cfg.tail_markers.iter().cloned());
        tail.extend(cfg.tail_markers.iter().cloned());
        debug_assert!(all.iter().all(|p| line_regex(p).is_ok()));
        Clean {
            enabled: cfg.enabled,
            lines: cfg.lines.iter().cloned().collect(),
            patterns: set(&all),
            tail: set(&tail),
        }
    }

    /// Whether a trimmed line reads like chrome.
    pub fn is_chrome(&self, line: &str) -> bool {
        let t = line.trim();
        if t.is_empty() || t.len() > MAX_CHROME_LINE {
            return false;
        }
        if !self.lines.is_empty() && self.lines.contains(&t.to_lowercase()) {
            return true;
        }
        self.patterns.is_match(t)
    }

    /// Marks chrome lines of `a`.
    pub fn apply(&self, a: &mut Article) {
        if !self.enabled {
            return;
        }
        let n = a.lines.len();
        let chrome: Vec<bool> = a
            .lines
            .iter()
            .map(|l| l.kind == LineKind::Text && self.is_chrome(&a.text[l.start..l.end]))
            .collect();
        let mut remove = vec![false; n];
        let text_lines: Vec<usize> = (0..n)
            .filter(|&i| a.lines[i].kind == LineKind::Text)
            .collect();
        // Leading and trailing runs of chrome (blank lines do not break a run).
        for &i in &text_lines {
            if !chrome[i] {
                break;
            }
            remove[i] = true;
        }
        for &i in text_lines.iter().rev() {
            if !chrome[i] {
                break;
            }
            remove[i] = true;
        }
        // Blocks made only of chrome lines.
        let mut i = 0;
        while i < n {
            if a.lines[i].kind != LineKind::Text {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && a.lines[i].kind == LineKind::Text {
                i += 1;
            }
            if chrome[start..i].iter().all(|&c| c) {
                remove[start..i].iter_mut().for_each(|r| *r = true);
            }
        }
        // A trailer marker cuts the rest when it stands after the body: in the last half of the
        // text by bytes (not lines: scraped articles often have a paragraph per line, so line 6 of
        // 11 can still be in the header), or followed only by short lines (a list of headlines).
        let half = a.text.len() / 2;
        let mut short_after = vec![true; text_lines.len() + 1];
        for (k, &i) in text_lines.iter().enumerate().rev() {
            short_after[k] = short_after[k + 1] && a.lines[i].end - a.lines[i].start <= SHORT_LINE;
        }
        let long_before: Vec<bool> = text_lines
            .iter()
            .scan(false, |seen, &i| {
                let before = *seen;
                *seen |= a.lines[i].end - a.lines[i].start > SHORT_LINE;
                Some(before)
            })
            .collect();
        let is_marker = |i: usize| {
            chrome[i]
                && self
                    .tail
                    .is_match(a.text[a.lines[i].start..a.lines[i].end].trim())
        };
        let cut = text_lines.iter().enumerate().find(|&(k, &i)| {
            (a.lines[i].start >= half || (long_before[k] && short_after[k + 1])) && is_marker(i)
        });
        if let Some((k, _)) = cut {
            for &j in &text_lines[k..] {
                remove[j] = true;
            }
        }
        for (l, r) in a.lines.iter_mut().zip(remove) {
            if r {
                l.kind = LineKind::Chrome;
            }
        }
        a.collect_chrome();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Source;
    use crate::pipeline::Pipeline;

    fn run(text: &str) -> (Vec<String>, Vec<String>) {
        run_with(&Pipeline::builtin().clean, text)
    }

    fn run_with(cfg: &CleanConfig, text: &str) -> (Vec<String>, Vec<String>) {
        let src = Source::named("t");
        let mut a = Article::new(src, b"", "UTF-8", text.to_string());
        Clean::new(cfg).apply(&mut a);
        let kept = a
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Text)
            .map(|l| a.line(l).to_string())
            .collect();
        (kept, a.chrome_removed)
    }

    #[test]
    fn reference_trailer() {
        let (kept, removed) =
            run("Title\n\nBody one.\n\nBody two.\n\n\nLeave a Reply\n\nShow Buttons\nHide Buttons");
        assert_eq!(kept, ["Title", "Body one.", "Body two."]);
        assert_eq!(removed, ["Leave a Reply", "Show Buttons", "Hide Buttons"]);
    }

    #[test]
    fn top_navigation_and_isolated_lines() {
        let text = "Skip to content\nHome » Opinion » Asia\nTitle here\n\nPara one is here.\n\nAdvertisement\n\nPara two is here.\n\nShare this:\nTweet\n\nPara three.\n";
        let (kept, removed) = run(text);
        assert_eq!(
            kept,
            [
                "Title here",
                "Para one is here.",
                "Para two is here.",
                "Para three."
            ]
        );
        assert_eq!(
            removed,
            [
                "Skip to content",
                "Home » Opinion » Asia",
                "Advertisement",
                "Share this:",
                "Tweet"
            ]
        );
    }

    #[test]
    fn chrome_words_inside_paragraphs_stay() {
        let text = "Title\n\nThe minister said: Share this burden.\nAdvertisement\nwas everywhere in the city.\n\nEnd.";
        let (kept, removed) = run(text);
        assert!(removed.is_empty(), "{removed:?}");
        assert_eq!(kept.len(), 5);
    }

    #[test]
    fn related_trailer_cut_only_in_last_half() {
        let para = "A paragraph of a realistic length that says something about the alliance, the talks, and what the ministers said after them.";
        let text = format!(
            "T\n\n{para}\n\nRelated posts:\nAnother headline about trade\nYet another headline\n"
        );
        let (kept, removed) = run(&text);
        assert_eq!(kept, ["T", para]);
        assert_eq!(removed.len(), 3);
        // Near the top it is only removed as a line of its own, the text after it stays.
        let early = "T\n\nRelated posts:\n\nA long paragraph.\n\nB.\n\nC.\n\nD.\n";
        let (kept, removed) = run(early);
        assert_eq!(removed, ["Related posts:"]);
        assert_eq!(kept.len(), 5);
        // A comment counter in the header of a one-line-per-paragraph article is no trailer.
        let text = format!("Title\n\nBy Jane Doe\n\n12 comments\n\n{para}\n\n{para}\n\n{para}\n\n{para}\n\n{para}\n");
        let (kept, removed) = run(&text);
        assert_eq!(removed, ["12 comments"]);
        assert_eq!(kept.len(), 7);
    }

    #[test]
    fn pipeline_lines_and_patterns() {
        let mut cfg = Pipeline::builtin().clean;
        cfg.lines.push("support our journalism".into());
        cfg.patterns.push(r"photo: .*".into());
        let (kept, removed) = run_with(
            &cfg,
            "Photo: Reuters\nTitle\n\nBody.\n\nSupport Our Journalism\n",
        );
        assert_eq!(kept, ["Title", "Body."]);
        assert_eq!(removed, ["Photo: Reuters", "Support Our Journalism"]);
        cfg.enabled = false;
        assert!(run_with(&cfg, "Leave a Reply\nx").1.is_empty());
    }
}
