//! HTML: the article's main text and the page's own metadata.
//!
//! Main content is found the way readability-style extractors do it, on the [`dom`](super::dom)
//! tree: page furniture is dropped first (navigation, asides, footers, forms' buttons, figures,
//! hidden elements, and elements whose class, id or role names comment threads, share widgets,
//! related links, cookie banners, newsletters or ads, unless they hold most of the page's prose);
//! every paragraph then scores its ancestors by length and commas, an element's score is cut by its
//! share of link text, and the best element plus its siblings that score well enough are the
//! article. Headings become section breaks, paragraphs, block quotes and list items paragraphs.
//! When that finds little and the page's JSON-LD carries an `articleBody`, that is used.
//!
//! Metadata comes from the page: JSON-LD (`NewsArticle` and kin: headline, dates, author,
//! publisher), Open Graph and Twitter cards, `<meta name=…>` conventions (author, Dublin Core,
//! Parse.ly, Sailthru), `<time datetime>`, `<link rel=canonical>`, `<html lang>`, and comment or
//! view counters the page shows. Nothing here knows any particular site.

use std::sync::LazyLock;

use regex::Regex;

use super::dom::{collapse_ws, Dom, NodeId};
use super::Hints;

/// The extracted article.
#[derive(Clone, Debug, Default)]
pub struct Extracted {
    /// Paragraphs joined by a blank line, sections by two.
    pub body: String,
    /// The page's metadata (`captured` stays empty: only a crawl record knows when it was fetched).
    pub meta: Hints,
}

/// Finds the charset an HTML document declares in `<meta charset>` or `http-equiv` (first 4 KiB).
pub fn declared_charset(raw: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    static META: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r#"(?i)<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)"#)
            .unwrap()
    });
    let head = &raw[..raw.len().min(4096)];
    let label = META.captures(head)?.get(1)?.as_bytes();
    let enc = encoding_rs::Encoding::for_label(label)?;
    // A page that says UTF-16 in an ASCII-compatible meta tag is not UTF-16 (HTML spec).
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(encoding_rs::UTF_8);
    }
    Some(enc)
}

/// Whether text looks like an HTML document (for sniffing files without a telling extension).
pub fn looks_like_document(text: &[u8]) -> bool {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 512)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || (lower.starts_with(b"<?xml") && memchr::memmem::find(&lower, b"<html").is_some())
        || (lower.starts_with(b"<!--") && memchr::memmem::find(&lower, b"<html").is_some())
}

/// Whether a text field holds HTML markup rather than plain text.
pub fn looks_like_markup(text: &str) -> bool {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)</?(?:p|div|br|span|a|em|strong|b|i|ul|li|h[1-6]|blockquote|html|body)(?:\s[^>]*)?/?>").unwrap()
    });
    TAG.find_iter(text).take(2).count() >= 2 || looks_like_document(text.as_bytes())
}

/// Extracts the main text and metadata of a whole page.
pub fn extract(html: &str) -> Extracted {
    let dom = Dom::parse(html);
    let meta = page_meta(&dom);
    let mut ex = Extractor::new(&dom);
    ex.mark_furniture(true);
    let roots = ex.choose();
    let mut body = ex.render(&roots, meta.title.as_deref());
    if body.chars().count() < 200 {
        if let Some(ld) = ld_article_body(&dom) {
            if ld.chars().count() > body.chars().count() * 2 {
                body = ld;
            }
        }
    }
    Extracted { body, meta }
}

/// Converts an HTML fragment (a JSON field's article text) to paragraphs, keeping all of its text
/// but scripts, styles and obvious widgets.
pub fn fragment_text(html: &str) -> String {
    let dom = Dom::parse(html);
    let mut ex = Extractor::new(&dom);
    ex.mark_furniture(false);
    ex.render(&[0], None)
}

// ---------------------------------------------------------------------------------------------
// Main content.

/// Elements that never hold article text.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "nav",
    "aside",
    "footer",
    "header",
    "button",
    "select",
    "input",
    "textarea",
    "figure",
    "figcaption",
    "head",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "dialog",
    "menu",
    "label",
    "picture",
    "img",
    "time",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "tfoot",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "hr",
    "address",
    "center",
    "form",
    "body",
    "html",
    "fieldset",
    "details",
    "summary",
];

/// Class/id words of page furniture (matched inside each class or id token).
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)comment|disqus|share|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|",
        r"cookie|consent|gdpr|banner|advert|^ads?$|^ad-|-ad$|_ad$|adslot|ad-slot|dfp|sponsor|promo|",
        r"outbrain|taboola|sidebar|breadcrumb|navbar|^nav|-nav|menu|footer|masthead|popup|modal|",
        r"overlay|paywall|^tags?$|tag-list|taglist|author-bio|authorbio|toolbar|more-stories|",
        r"read-more|readmore|most-popular|mostpopular|trending|widget|skip-link|print-only|hidden|",
        r"^meta$|post-meta|entry-meta|article-meta|byline|dateline|timestamp|caption|credit|",
        r"pagination|pager|jump|alert|toast|rating|vote|follow|login|register|subnav|top-stories|",
        r"next-article|prev-article|recirc|teaser|card-list|headline-list|video-player|count$|counter"
    ))
    .unwrap()
});
/// Class/id words that keep an element whatever else its names say.
static CONTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)article-?body|articlebody|story-?body|storybody|entry-content|post-content|post-body|postbody|article-content|article__body|article-text|story-text|story-content|main-content|body-text|bodytext|rich-text|richtext|^content$|^article$|^story$|^main$|commentary|opinion")
        .unwrap()
});
static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story",
    )
    .unwrap()
});
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|byline|author|dateline|caption|newsletter|subscribe").unwrap()
});

struct Extractor<'a> {
    dom: &'a Dom,
    dead: Vec<bool>,
    /// Characters of text below each node (live nodes only).
    text_len: Vec<u32>,
    /// Characters of link text below each node.
    link_len: Vec<u32>,
}

fn names(n: &super::dom::Node) -> String {
    let mut s = String::new();
    for k in ["class", "id"] {
        if let Some(v) = n.attr(k) {
            s.push_str(v);
            s.push(' ');
        }
    }
    s
}

fn text_chars(s: &str) -> u32 {
    s.chars().filter(|c| !c.is_whitespace()).count() as u32
}

impl<'a> Extractor<'a> {
    fn new(dom: &'a Dom) -> Self {
        let n = dom.nodes.len();
        Extractor {
            dom,
            dead: vec![false; n],
            text_len: vec![0; n],
            link_len: vec![0; n],
        }
    }

    /// Children always have larger ids than their parent, so one backward pass sums subtrees.
    fn measure(&mut self) {
        let d = self.dom;
        self.text_len.iter_mut().for_each(|x| *x = 0);
        self.link_len.iter_mut().for_each(|x| *x = 0);
        for id in (1..d.nodes.len()).rev() {
            if self.dead[id] {
                continue;
            }
            let n = &d.nodes[id];
            if n.is_text() {
                self.text_len[id] = text_chars(&n.text);
            }
            if &*n.tag == "a" {
                self.link_len[id] = self.text_len[id];
            }
            let p = n.parent;
            self.text_len[p] += self.text_len[id];
            self.link_len[p] += self.link_len[id];
        }
    }

    fn mark_furniture(&mut self, page: bool) {
        let d = self.dom;
        // Propagate deadness down so `measure` skips whole subtrees.
        let kill = |dead: &mut Vec<bool>, id: NodeId| dead[id] = true;
        for id in 1..d.nodes.len() {
            let n = &d.nodes[id];
            if n.is_text() {
                continue;
            }
            let tag = &*n.tag;
            let drop_tag = if page {
                DROP_TAGS.contains(&tag)
            } else {
                matches!(
                    tag,
                    "script"
                        | "style"
                        | "noscript"
                        | "template"
                        | "svg"
                        | "iframe"
                        | "button"
                        | "form"
                        | "img"
                )
            };
            let hidden = n.attr("hidden").is_some()
                || n.attr("aria-hidden") == Some("true")
                || n.attr("style").is_some_and(|s| {
                    let s = s.to_ascii_lowercase().replace(' ', "");
                    s.contains("display:none") || s.contains("visibility:hidden")
                });
            let role = n.attr("role").unwrap_or("");
            let bad_role = matches!(
                role,
                "navigation"
                    | "complementary"
                    | "banner"
                    | "contentinfo"
                    | "dialog"
                    | "alert"
                    | "menu"
                    | "menubar"
                    | "search"
            );
            // A link to the comment thread is a counter (`17 Comments`), not prose.
            let to_comments = &*n.tag == "a"
                && n.attr("href")
                    .is_some_and(|h| h.contains("#comment") || h.contains("#respond"));
            if drop_tag || hidden || bad_role || to_comments {
                kill(&mut self.dead, id);
            }
        }
        // Names are judged after tags, against the page's prose: a wrapper whose class says
        // `has-sidebar` but that holds most paragraphs stays.
        self.measure();
        // Prose below each node: paragraphs, leaf blocks and text typed between blocks, with
        // few links.
        let mut p_below = vec![0u32; d.nodes.len()];
        for id in (1..d.nodes.len()).rev() {
            let n = &d.nodes[id];
            if !n.is_text() && !self.dead[id] && self.link_density(id) < 0.5 {
                let own = match &*n.tag {
                    "p" | "pre" | "td" | "blockquote" => self.text_len[id],
                    "div" | "section" | "span" | "article" | "font" | "center" | "main" => {
                        if self.has_block_child(id) {
                            self.inline_len(id)
                        } else {
                            self.text_len[id]
                        }
                    }
                    _ => 0,
                };
                if own >= 25
                    && !matches!(&*d.nodes[n.parent].tag, "p" | "pre" | "td" | "blockquote")
                {
                    p_below[id] += own;
                }
            }
            p_below[n.parent] += p_below[id];
        }
        let total_p = p_below[0];
        for (id, n) in d.nodes.iter().enumerate().skip(1) {
            if n.is_text()
                || self.dead[id]
                || matches!(&*n.tag, "body" | "html" | "article" | "main")
            {
                continue;
            }
            let nm = names(n);
            if nm.is_empty() {
                continue;
            }
            let furniture = nm
                .split_whitespace()
                .any(|tok| FURNITURE.is_match(tok) && !CONTENT.is_match(tok));
            if furniture
                && !nm.split_whitespace().any(|t| CONTENT.is_match(t))
                && p_below[id] * 4 <= total_p.max(1)
            {
                kill(&mut self.dead, id);
            }
        }
        // Children of dead nodes are dead too.
        for id in 1..d.nodes.len() {
            if self.dead[d.nodes[id].parent] {
                self.dead[id] = true;
            }
        }
        self.measure();
    }

    fn link_density(&self, id: NodeId) -> f32 {
        let t = self.text_len[id];
        if t == 0 {
            return 0.0;
        }
        self.link_len[id] as f32 / t as f32
    }

    fn class_weight(&self, id: NodeId) -> f32 {
        let n = &self.dom.nodes[id];
        let mut w = 0.0;
        for k in ["class", "id"] {
            if let Some(v) = n.attr(k) {
                if NEGATIVE.is_match(v) {
                    w -= 25.0;
                }
                if POSITIVE.is_match(v) {
                    w += 25.0;
                }
            }
        }
        if n.attr("itemprop")
            .is_some_and(|v| v.contains("articleBody"))
        {
            w += 50.0;
        }
        w
    }

    /// Text of the children that are text or inline elements.
    fn inline_len(&self, id: NodeId) -> u32 {
        self.dom.nodes[id]
            .children
            .iter()
            .filter(|&&c| !self.dead[c] && !BLOCKS.contains(&&*self.dom.nodes[c].tag))
            .map(|&c| self.text_len[c])
            .sum()
    }

    fn has_block_child(&self, id: NodeId) -> bool {
        self.dom.nodes[id].children.iter().any(|&c| {
            let t = &*self.dom.nodes[c].tag;
            !self.dead[c] && BLOCKS.contains(&t) && t != "br"
        })
    }

    /// The elements that make up the article, in document order.
    fn choose(&self) -> Vec<NodeId> {
        let d = self.dom;
        let n = d.nodes.len();
        // The page's own word for where the article is (schema.org microdata).
        let marked = (1..n)
            .filter(|&i| {
                !self.dead[i]
                    && d.nodes[i]
                        .attr("itemprop")
                        .is_some_and(|p| p.split_whitespace().any(|x| x == "articleBody"))
            })
            .max_by_key(|&i| self.text_len[i]);
        if let Some(m) = marked.filter(|&m| self.text_len[m] >= 250 && self.link_density(m) < 0.5) {
            return vec![m];
        }
        let mut score = vec![0f32; n];
        let mut init = vec![false; n];
        for id in 1..n {
            let node = &d.nodes[id];
            if self.dead[id] || node.is_text() {
                continue;
            }
            let tag = &*node.tag;
            let (para, len) = match tag {
                "p" | "pre" | "td" => (true, self.text_len[id]),
                "div" | "section" | "span" | "article" | "font" | "center" => {
                    if self.has_block_child(id) {
                        // Text typed straight into a container between blocks (`text<div/>text`)
                        // is a paragraph too.
                        (true, self.inline_len(id))
                    } else {
                        (true, self.text_len[id])
                    }
                }
                _ => (false, 0),
            };
            if !para || len < 25 {
                continue;
            }
            let text = d.text_of(id);
            let commas = text.matches([',', '，', '、']).count() as f32;
            let s = 1.0 + commas + (len as f32 / 100.0).min(3.0);
            let mut anc = node.parent;
            for level in 0..5 {
                if anc == 0 {
                    break;
                }
                if !init[anc] {
                    init[anc] = true;
                    score[anc] += self.base_score(anc);
                }
                let div = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                score[anc] += s / div;
                anc = d.nodes[anc].parent;
            }
        }
        let mut best: Option<(NodeId, f32)> = None;
        for id in 1..n {
            if !init[id] {
                continue;
            }
            let s = score[id] * (1.0 - self.link_density(id));
            score[id] = s;
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((id, s));
            }
        }
        let Some((mut top, top_score)) = best else {
            return vec![d.by_tag("body").next().unwrap_or(0)];
        };
        // Several good candidates under one ancestor (an article split into blocks by ads) mean
        // the ancestor is the article.
        let mut ranked: Vec<(NodeId, f32)> = (1..n)
            .filter(|&i| init[i] && i != top)
            .map(|i| (i, score[i]))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let strong: Vec<NodeId> = ranked
            .iter()
            .take(5)
            .filter(|(_, s)| *s >= top_score * 0.75)
            .map(|(i, _)| *i)
            .collect();
        if strong.len() >= 3 {
            let mut anc = d.nodes[top].parent;
            while anc != 0 {
                let holds = strong.iter().filter(|&&c| self.is_ancestor(anc, c)).count();
                if holds >= 3 {
                    top = anc;
                    break;
                }
                anc = d.nodes[anc].parent;
            }
        }
        // Climb while the parent holds the same text (a wrapper of one child).
        loop {
            let p = d.nodes[top].parent;
            if p == 0 || matches!(&*d.nodes[p].tag, "body" | "html") {
                break;
            }
            if self.text_len[p] as f32 <= self.text_len[top] as f32 * 1.05 {
                top = p;
            } else {
                break;
            }
        }
        // Siblings that score well, or read as prose, belong to the article too.
        let parent = d.nodes[top].parent;
        if parent == 0 {
            return vec![top];
        }
        let threshold = (score[top] * 0.2).max(10.0);
        let mut out = Vec::new();
        for &sib in &d.nodes[parent].children {
            if sib == top {
                out.push(sib);
                continue;
            }
            if self.dead[sib] || d.nodes[sib].is_text() {
                continue;
            }
            let mut bonus = 0.0;
            if d.nodes[top].attr("class").is_some()
                && d.nodes[sib].attr("class") == d.nodes[top].attr("class")
            {
                bonus = score[top] * 0.2;
            }
            let s = if init[sib] { score[sib] } else { 0.0 } + bonus;
            let keep = if s >= threshold {
                true
            } else if &*d.nodes[sib].tag == "p" {
                let len = self.text_len[sib];
                let ld = self.link_density(sib);
                let text = d.text_of(sib);
                (len > 80 && ld < 0.25)
                    || (len > 0 && ld == 0.0 && text.ends_with(['.', '!', '?', '"', '”']))
            } else {
                false
            };
            if keep {
                out.push(sib);
            }
        }
        out
    }

    fn is_ancestor(&self, anc: NodeId, mut id: NodeId) -> bool {
        while id != 0 {
            if id == anc {
                return true;
            }
            id = self.dom.nodes[id].parent;
        }
        anc == 0
    }

    fn base_score(&self, id: NodeId) -> f32 {
        let t = match &*self.dom.nodes[id].tag {
            "div" | "article" | "section" | "main" => 5.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        };
        t + self.class_weight(id)
    }

    /// Whether a container inside the article is a link list or a widget rather than prose.
    fn junk_container(&self, id: NodeId) -> bool {
        let tag = &*self.dom.nodes[id].tag;
        if !matches!(
            tag,
            "div" | "section" | "ul" | "ol" | "table" | "dl" | "span"
        ) {
            return false;
        }
        let ld = self.link_density(id);
        let len = self.text_len[id];
        let weight = self.class_weight(id);
        (ld > 0.5 && weight < 25.0)
            || (weight < 0.0 && ld > 0.2)
            || (len < 200 && ld > 0.33 && matches!(tag, "ul" | "ol"))
    }

    fn render(&self, roots: &[NodeId], title: Option<&str>) -> String {
        let mut r = Render {
            blocks: Vec::new(),
            cur: String::new(),
            section_next: false,
        };
        for &id in roots {
            self.walk(id, &mut r, 0);
            r.flush();
        }
        let norm_title = title.map(|t| collapse_ws(t).to_lowercase());
        let mut out = String::new();
        let mut last: Option<&str> = None;
        let mut pending_section = false;
        for (text, section) in &r.blocks {
            pending_section |= *section;
            if last == Some(text.as_str())
                || norm_title.as_deref() == Some(text.to_lowercase().as_str())
            {
                continue;
            }
            if !out.is_empty() {
                out.push_str(if pending_section { "\n\n\n" } else { "\n\n" });
            }
            pending_section = false;
            out.push_str(text);
            last = Some(text);
        }
        out
    }

    fn walk(&self, id: NodeId, r: &mut Render, depth: usize) {
        let n = &self.dom.nodes[id];
        if n.is_text() {
            r.cur.push_str(&n.text);
            return;
        }
        if self.dead[id] || depth > 200 {
            return;
        }
        if depth > 0 && self.junk_container(id) {
            r.flush();
            return;
        }
        let tag = &*n.tag;
        let heading = matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        let block = BLOCKS.contains(&tag);
        if block {
            r.flush();
        }
        if heading {
            r.section_next = true;
        }
        for &c in &n.children {
            self.walk(c, r, depth + 1);
        }
        if block {
            r.flush();
        }
        if heading {
            r.section_next = false;
        }
    }
}

struct Render {
    blocks: Vec<(String, bool)>,
    cur: String,
    section_next: bool,
}

impl Render {
    fn flush(&mut self) {
        if self.cur.is_empty() {
            return;
        }
        let t = collapse_ws(&self.cur);
        self.cur.clear();
        if !t.is_empty() {
            self.blocks.push((t, self.section_next));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata.

fn ld_objects(dom: &Dom) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for id in dom.by_tag("script") {
        let n = &dom.nodes[id];
        if !n
            .attr("type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"))
        {
            continue;
        }
        let raw = n.text.trim();
        let raw = raw
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .trim()
            .trim_end_matches(';');
        let v: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            // Some pages put raw newlines inside strings; JSON forbids them, browsers don't care.
            Err(_) => match serde_json::from_str(&raw.replace(['\n', '\r', '\t'], " ")) {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        flatten_ld(v, &mut out, 0);
    }
    out
}

fn flatten_ld(v: serde_json::Value, out: &mut Vec<serde_json::Value>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        serde_json::Value::Array(items) => {
            for i in items {
                flatten_ld(i, out, depth + 1);
            }
        }
        serde_json::Value::Object(mut m) => {
            if let Some(g) = m.remove("@graph") {
                flatten_ld(g, out, depth + 1);
            }
            if m.contains_key("@type") {
                out.push(serde_json::Value::Object(m));
            }
        }
        _ => {}
    }
}

fn ld_types(o: &serde_json::Value) -> Vec<String> {
    match o.get("@type") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article")
        || t == "BlogPosting"
        || t == "LiveBlogPosting"
        || t == "Report"
        || t == "SocialMediaPosting"
}

/// The page's main JSON-LD article object, if any.
fn ld_article(objs: &[serde_json::Value]) -> Option<&serde_json::Value> {
    objs.iter()
        .find(|o| ld_types(o).iter().any(|t| is_article_type(t)))
        .or_else(|| {
            objs.iter()
                .find(|o| ld_types(o).iter().any(|t| t == "WebPage") && o.get("headline").is_some())
        })
}

fn ld_article_body(dom: &Dom) -> Option<String> {
    let objs = ld_objects(dom);
    let a = ld_article(&objs)?;
    let body = a.get("articleBody")?.as_str()?;
    let paras: Vec<String> = body
        .split('\n')
        .map(collapse_ws)
        .filter(|p| !p.is_empty())
        .collect();
    (!paras.is_empty()).then(|| paras.join("\n\n"))
}

fn json_str(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => {
            let s = collapse_ws(&super::dom::decode_entities(s));
            (!s.is_empty()).then_some(s)
        }
        serde_json::Value::Array(a) => a.iter().find_map(|x| json_str(Some(x))),
        serde_json::Value::Object(o) => json_str(o.get("name").or(o.get("@id"))),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn ld_people(v: Option<&serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Some(serde_json::Value::String(s)) => out.extend(split_authors(s)),
        Some(serde_json::Value::Array(a)) => {
            for x in a {
                out.extend(ld_people(Some(x)));
            }
        }
        Some(serde_json::Value::Object(o)) => {
            if let Some(n) = json_str(o.get("name")) {
                out.extend(split_authors(&n));
            }
        }
        _ => {}
    }
    out
}

fn ld_count(o: &serde_json::Value, kinds: &[&str]) -> Option<i64> {
    let stats = o.get("interactionStatistic")?;
    let list: Vec<&serde_json::Value> = match stats {
        serde_json::Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    list.into_iter().find_map(|s| {
        let t = json_str(s.get("interactionType"))?;
        if !kinds.iter().any(|k| t.contains(k)) {
            return None;
        }
        let c = s.get("userInteractionCount")?;
        c.as_i64()
            .or_else(|| c.as_str().and_then(|x| x.trim().parse().ok()))
    })
}

/// Cleans an author value: drops `By`, URLs and e-mail addresses, splits `A and B`, `A, B`.
fn split_authors(s: &str) -> Vec<String> {
    static BY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\s*(?:by|von|par|por|di)\s+").unwrap());
    let s = collapse_ws(s);
    let s = BY.replace(&s, "");
    if s.starts_with("http") || s.contains('@') || s.chars().count() > 120 {
        return Vec::new();
    }
    s.split(" and ")
        .flat_map(|p| p.split([',', ';', '|', '&']))
        .map(|p| p.trim().trim_end_matches('.').trim().to_string())
        .filter(|p| p.chars().any(char::is_alphabetic) && p.split_whitespace().count() <= 6)
        .collect()
}

fn dedupe_join(names: Vec<String>) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for n in names {
        if !seen.iter().any(|s| s.eq_ignore_ascii_case(&n)) {
            seen.push(n);
        }
    }
    (!seen.is_empty()).then(|| seen.join("; "))
}

/// Removes the site name a `<title>` (or `og:title`) carries: `Headline | Site`, `Site - Headline`.
fn trim_site(title: &str, site: Option<&str>) -> String {
    let t = collapse_ws(title);
    for sep in [" | ", " - ", " – ", " — ", " :: ", " » ", " · "] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() < 2 {
            continue;
        }
        let is_site = |p: &str| {
            let p = p.trim().to_lowercase();
            site.is_some_and(|s| {
                let s = s.to_lowercase();
                p == s || p.contains(&s) || s.contains(&p)
            })
        };
        let first = parts[0];
        let last = parts[parts.len() - 1];
        if is_site(last) {
            return parts[..parts.len() - 1].join(sep);
        }
        if is_site(first) {
            return parts[1..].join(sep);
        }
        // Without a known site name: a short last part after a long headline is the site.
        let min_first = if matches!(sep, " | " | " :: " | " » ") {
            2
        } else {
            4
        };
        if last.split_whitespace().count() <= 4 && first.split_whitespace().count() >= min_first {
            return parts[..parts.len() - 1].join(sep);
        }
    }
    t
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let h = rest.split(['/', '?', '#']).next()?;
    let h = h
        .rsplit('@')
        .next()?
        .split(':')
        .next()?
        .to_ascii_lowercase();
    let h = h.strip_prefix("www.").unwrap_or(&h).to_string();
    (h.contains('.')).then_some(h)
}

/// The host of an absolute URL, without `www.` (the `site` of a page that names no publisher).
pub fn url_host(url: &str) -> Option<String> {
    host(url)
}

/// Reads the page's own metadata.
pub fn page_meta(dom: &Dom) -> Hints {
    let mut metas: Vec<(String, String)> = Vec::new();
    for id in dom.by_tag("meta") {
        let n = &dom.nodes[id];
        let key = n
            .attr("property")
            .or(n.attr("name"))
            .or(n.attr("itemprop"))
            .or(n.attr("http-equiv"));
        if let (Some(k), Some(v)) = (key, n.attr("content")) {
            let v = collapse_ws(v);
            if !v.is_empty() {
                metas.push((k.to_ascii_lowercase(), v));
            }
        }
    }
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };
    let objs = ld_objects(dom);
    let art = ld_article(&objs);
    let ld = |k: &str| art.and_then(|a| json_str(a.get(k)));

    let mut m = Hints {
        site: meta(&["og:site_name", "application-name"])
            .or_else(|| art.and_then(|a| json_str(a.get("publisher"))))
            .or_else(|| {
                objs.iter()
                    .find(|o| {
                        ld_types(o)
                            .iter()
                            .any(|t| t == "NewsMediaOrganization" || t == "Organization")
                    })
                    .and_then(|o| json_str(o.get("name")))
            }),
        ..Hints::default()
    };

    let h1s: Vec<String> = dom
        .by_tag("h1")
        .map(|h| dom.text_of(h))
        .filter(|t| !t.is_empty())
        .collect();
    let title_tag = dom
        .by_tag("title")
        .next()
        .map(|t| collapse_ws(&dom.nodes[t].text));
    let raw_title = ld("headline")
        .or_else(|| {
            meta(&[
                "og:title",
                "twitter:title",
                "title",
                "dc.title",
                "sailthru.title",
                "parsely-title",
                "headline",
            ])
        })
        .or_else(|| (h1s.len() == 1).then(|| h1s[0].clone()))
        .or(title_tag.clone());
    m.title = raw_title.map(|t| {
        // An `<h1>` that the structured title starts or ends with is the headline without the site.
        let trimmed = trim_site(&t, m.site.as_deref());
        match h1s
            .iter()
            .find(|h| h.chars().count() >= 10 && t.contains(h.as_str()))
        {
            Some(h) if h.len() < trimmed.len() => h.clone(),
            _ => trimmed,
        }
    });

    let time_el = dom
        .by_tag("time")
        .filter_map(|t| {
            let n = &dom.nodes[t];
            let v = n.attr("datetime")?;
            let pub_ = n
                .attr("itemprop")
                .is_some_and(|p| p.contains("datePublished"))
                || n.attr("pubdate").is_some()
                || n.attr("class").is_some_and(|c| c.contains("publish"));
            Some((pub_, v.to_string()))
        })
        .fold(None::<(bool, String)>, |acc, x| match acc {
            Some(a) if a.0 || !x.0 => Some(a),
            _ => Some(x),
        })
        .map(|(_, v)| v);
    m.published = ld("datePublished")
        .or_else(|| {
            meta(&[
                "article:published_time",
                "og:published_time",
                "published_time",
                "datepublished",
                "article.published",
                "publishdate",
                "publish-date",
                "publish_date",
                "pubdate",
                "parsely-pub-date",
                "sailthru.date",
                "dc.date.issued",
                "dcterms.issued",
                "dc.date",
                "dcterms.date",
                "dcterms.created",
                "date",
                "originalpublicationdate",
                "article:published",
                "og:article:published_time",
            ])
        })
        .or(time_el)
        .or_else(|| ld("dateCreated"));
    m.modified = ld("dateModified").or_else(|| {
        meta(&[
            "article:modified_time",
            "og:updated_time",
            "dateModified",
            "last-modified",
        ])
    });

    let mut authors = art.map(|a| ld_people(a.get("author"))).unwrap_or_default();
    if authors.is_empty() {
        authors = ld_people(art.and_then(|a| a.get("creator")));
    }
    if authors.is_empty() {
        if let Some(a) = meta(&[
            "author",
            "article:author",
            "byl",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "dcterms.creator",
            "citation_author",
            "twitter:creator",
        ]) {
            authors = split_authors(&a);
        }
    }
    if authors.is_empty() {
        authors = dom_authors(dom);
    }
    // A publisher named as author is no person's byline.
    if let Some(site) = &m.site {
        authors.retain(|a| !a.eq_ignore_ascii_case(site));
    }
    m.author = dedupe_join(authors);

    let canonical = dom.by_tag("link").find_map(|l| {
        let n = &dom.nodes[l];
        let rel = n.attr("rel")?.to_ascii_lowercase();
        (rel.split_whitespace().any(|r| r == "canonical"))
            .then(|| n.attr("href").map(str::trim).map(String::from))
            .flatten()
    });
    m.url = canonical
        .filter(|u| u.starts_with("http"))
        .or_else(|| meta(&["og:url", "twitter:url"]).filter(|u| u.starts_with("http")))
        .or_else(|| ld("url").filter(|u| u.starts_with("http")))
        .or_else(|| {
            art.and_then(|a| json_str(a.get("mainEntityOfPage")))
                .filter(|u| u.starts_with("http"))
        });

    m.lang = dom
        .by_tag("html")
        .find_map(|h| {
            dom.nodes[h]
                .attr("lang")
                .or(dom.nodes[h].attr("xml:lang"))
                .map(String::from)
        })
        .filter(|l| !l.trim().is_empty())
        .or_else(|| meta(&["content-language", "og:locale", "language", "dc.language"]))
        .or_else(|| ld("inLanguage"));

    m.comment_count = art
        .and_then(|a| a.get("commentCount"))
        .and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        })
        .or_else(|| art.and_then(|a| ld_count(a, &["Comment"])));
    m.view_count = art.and_then(|a| ld_count(a, &["Watch", "View", "Read"]));
    if m.comment_count.is_none() || m.view_count.is_none() {
        let (c, v) = dom_counters(dom);
        m.comment_count = m.comment_count.or(c);
        m.view_count = m.view_count.or(v);
    }
    m
}

/// Bylines in the markup: `itemprop=author`, `rel=author`, `class=byline|author`.
fn dom_authors(dom: &Dom) -> Vec<String> {
    for id in 1..dom.nodes.len() {
        let n = &dom.nodes[id];
        if n.is_text() || matches!(&*n.tag, "meta" | "link" | "script") {
            continue;
        }
        let by_prop = n
            .attr("itemprop")
            .is_some_and(|p| p.split_whitespace().any(|x| x == "author"));
        let by_rel = n
            .attr("rel")
            .is_some_and(|r| r.split_whitespace().any(|x| x == "author"));
        let by_class = n.attr("class").is_some_and(|c| {
            c.split_whitespace().any(|t| {
                let t = t.to_ascii_lowercase();
                matches!(
                    t.as_str(),
                    "byline"
                        | "author"
                        | "author-name"
                        | "byline__name"
                        | "byline-name"
                        | "author_name"
                        | "authorname"
                        | "fn"
                ) || t.ends_with("author-name")
                    || t.ends_with("byline__author")
            })
        });
        if !(by_prop || by_rel || by_class) {
            continue;
        }
        // An itemprop=author scope names its person in a `name` child.
        let name_child = (1..dom.nodes.len())
            .skip(id)
            .take(40)
            .find(|&c| dom.nodes[c].attr("itemprop") == Some("name"));
        let text = match name_child {
            Some(c) if by_prop => dom.nodes[c]
                .attr("content")
                .map(String::from)
                .unwrap_or_else(|| dom.text_of(c)),
            _ => dom.text_of(id),
        };
        if text.chars().count() > 100 {
            continue;
        }
        if let Some(names) = crate::stages::metadata::byline(&text) {
            if !names.is_empty() {
                return names;
            }
        }
        let names = split_authors(&text);
        if !names.is_empty()
            && names.iter().all(|n| {
                n.split_whitespace().count() >= 2
                    && n.chars().next().is_some_and(char::is_uppercase)
            })
        {
            return names;
        }
    }
    Vec::new()
}

/// Comment and view counters shown on the page.
fn dom_counters(dom: &Dom) -> (Option<i64>, Option<i64>) {
    static COUNTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(comment|view|read|hit)s?[-_]?(count|num|number|total)|(count|num|total)[-_]?(comment|view|read)s?|^comments?$|^views?$|comments-link").unwrap()
    });
    let (mut c, mut v) = (None, None);
    for id in 1..dom.nodes.len() {
        let n = &dom.nodes[id];
        if n.is_text() {
            continue;
        }
        let nm = names(n);
        let href = n.attr("href").unwrap_or("");
        let link =
            href.contains("#comment") || href.contains("#respond") || href.contains("#disqus");
        let named = nm.split_whitespace().any(|t| COUNTER.is_match(t));
        if !named && !link {
            continue;
        }
        let text = dom.text_of(id);
        if text.is_empty() || text.chars().count() > 40 {
            continue;
        }
        let found = crate::stages::metadata::counters(&text);
        if found.comments.is_some() || found.views.is_some() {
            c = c.or(found.comments);
            v = v.or(found.views);
        } else if let Ok(num) = text.replace(',', "").trim().parse::<i64>() {
            let lower = nm.to_ascii_lowercase();
            if link || lower.contains("comment") {
                c = c.or(Some(num));
            } else if lower.contains("view") || lower.contains("read") || lower.contains("hit") {
                v = v.or(Some(num));
            }
        }
        if c.is_some() && v.is_some() {
            break;
        }
    }
    (c, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "The ministers met in Tokyo on Monday to discuss the alliance, the trade talks, and the security of the region, officials said.";

    fn page(head: &str, body: &str) -> String {
        format!("<!DOCTYPE html><html lang=\"en-GB\"><head>{head}</head><body>{body}</body></html>")
    }

    #[test]
    fn main_content_drops_furniture() {
        let body = format!(
            "<nav><a href=/>Home</a> <a href=/w>World</a></nav>\
             <div class=\"cookie-banner\">We use cookies to improve your experience.</div>\
             <article><h1>Allies Meet</h1><div class=\"share-buttons\"><a>Share on Facebook</a></div>\
             <p>{PROSE}</p><p>{PROSE} Again.</p><h2>Trade</h2><p>{PROSE} Third.</p>\
             <blockquote>We will stand together, the minister said in a statement today.</blockquote>\
             <ul><li>First point of the agreement, with details.</li><li>Second point of the agreement.</li></ul>\
             <div class=\"related-articles\"><a href=/a>Other story one</a><a href=/b>Other story two</a></div>\
             <section id=\"comments\"><p>Great article, thanks for writing it, I agree with everything.</p></section></article>\
             <footer>Copyright 2024 The Paper</footer>"
        );
        let ex = extract(&page("<title>Allies Meet | The Paper</title>", &body));
        let paras: Vec<&str> = ex.body.split("\n\n").filter(|p| !p.is_empty()).collect();
        assert_eq!(paras.len(), 7, "{}", ex.body);
        assert!(ex.body.starts_with(PROSE), "{}", ex.body);
        assert!(
            ex.body.contains("\n\n\nTrade\n\n"),
            "heading starts a section: {}",
            ex.body
        );
        assert!(ex.body.contains("We will stand together"));
        assert!(ex.body.contains("Second point of the agreement."));
        for junk in [
            "Home",
            "cookies",
            "Share on",
            "Other story",
            "Great article",
            "Copyright",
        ] {
            assert!(!ex.body.contains(junk), "{junk} in {}", ex.body);
        }
        assert_eq!(ex.meta.title.as_deref(), Some("Allies Meet"));
        assert_eq!(ex.meta.lang.as_deref(), Some("en-GB"));
    }

    #[test]
    fn charset_from_meta() {
        assert_eq!(
            declared_charset(b"<html><head><meta charset=\"iso-8859-1\">"),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(
            declared_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"
            ),
            Some(encoding_rs::SHIFT_JIS)
        );
        assert_eq!(
            declared_charset(b"<meta charset=utf-16>"),
            Some(encoding_rs::UTF_8)
        );
        assert_eq!(declared_charset(b"<p>no declaration</p>"), None);
    }

    #[test]
    fn title_site_suffix() {
        assert_eq!(
            trim_site("Allies Meet in Tokyo | The Paper", Some("The Paper")),
            "Allies Meet in Tokyo"
        );
        assert_eq!(
            trim_site("BBC News - Allies Meet in Tokyo", Some("BBC News")),
            "Allies Meet in Tokyo"
        );
        assert_eq!(
            trim_site("Allies Meet in Tokyo for Talks - Reuters", None),
            "Allies Meet in Tokyo for Talks"
        );
        assert_eq!(trim_site("Pro- and anti-war", None), "Pro- and anti-war");
    }

    #[test]
    fn authors_are_cleaned() {
        assert_eq!(
            split_authors("By Jane Doe and John Roe"),
            ["Jane Doe", "John Roe"]
        );
        assert!(split_authors("https://example.com/staff/jane").is_empty());
        assert_eq!(
            dedupe_join(vec!["A B".into(), "a b".into()]),
            Some("A B".into())
        );
    }
}
