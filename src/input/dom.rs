//! A small, forgiving HTML parser: tokens to an arena tree, enough for main-content extraction.
//!
//! It is not the HTML5 tree-construction algorithm, but it follows the parts of it that change which
//! text belongs to which block on real news pages: raw-text elements (`script`, `style`), void
//! elements, implied end tags (`<p>` closed by the next block, `<li>` by the next item, table cells
//! by the next cell), end tags that close everything above their match, and unmatched end tags
//! ignored. Named and numeric character references are decoded. Depth is capped, so later
//! recursive walks cannot overflow the stack on hostile input.

use std::borrow::Cow;

/// Index of a node in [`Dom::nodes`].
pub type NodeId = usize;

/// One element or text node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Lower-case tag name; empty for text.
    pub tag: Box<str>,
    /// Attributes, names lower-cased, values decoded.
    pub attrs: Vec<(Box<str>, String)>,
    /// Text (text nodes, and the raw content of `script`/`style`/`title`).
    pub text: String,
    /// Children in order.
    pub children: Vec<NodeId>,
    /// Parent (the root is its own parent).
    pub parent: NodeId,
}

impl Node {
    /// Whether this is a text node.
    pub fn is_text(&self) -> bool {
        self.tag.is_empty()
    }

    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed document: node 0 is a synthetic root.
#[derive(Debug, Clone)]
pub struct Dom {
    /// All nodes.
    pub nodes: Vec<Node>,
}

const MAX_DEPTH: usize = 256;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];
const RAW: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "template",
];
/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
    "li",
    "dd",
    "dt",
];
/// Elements an implied end tag does not look past.
const SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "body", "object", "marquee", "applet", "button",
];

impl Dom {
    /// Parses `html`.
    pub fn parse(html: &str) -> Dom {
        let mut dom = Dom {
            nodes: vec![Node {
                tag: "#root".into(),
                attrs: Vec::new(),
                text: String::new(),
                children: Vec::new(),
                parent: 0,
            }],
        };
        let mut stack: Vec<NodeId> = vec![0];
        let b = html.as_bytes();
        let mut i = 0;
        let mut text_start = 0;
        while i < b.len() {
            let Some(lt) = memchr::memchr(b'<', &b[i..]) else {
                break;
            };
            let lt = i + lt;
            let next = b.get(lt + 1).copied().unwrap_or(0);
            if b[lt + 1..].starts_with(b"!--") {
                dom.text(&stack, &html[text_start..lt]);
                let end =
                    memchr::memmem::find(&b[lt + 4..], b"-->").map_or(b.len(), |e| lt + 4 + e + 3);
                i = end;
                text_start = end;
            } else if next == b'!' || next == b'?' {
                dom.text(&stack, &html[text_start..lt]);
                let end = memchr::memchr(b'>', &b[lt..]).map_or(b.len(), |e| lt + e + 1);
                i = end;
                text_start = end;
            } else if next == b'/' && b.get(lt + 2).is_some_and(|c| c.is_ascii_alphabetic()) {
                dom.text(&stack, &html[text_start..lt]);
                let (name, after) = tag_name(html, lt + 2);
                let end = memchr::memchr(b'>', &b[after..]).map_or(b.len(), |e| after + e + 1);
                dom.end_tag(&mut stack, &name);
                i = end;
                text_start = end;
            } else if next.is_ascii_alphabetic() {
                dom.text(&stack, &html[text_start..lt]);
                let (name, after) = tag_name(html, lt + 1);
                let (attrs, end, self_closing) = attributes(html, after);
                i = end;
                text_start = end;
                let raw = RAW.contains(&name.as_str());
                let id = dom.start_tag(&mut stack, name.clone(), attrs, self_closing);
                if raw && !self_closing {
                    // Raw text runs to the matching end tag, whatever it holds.
                    let close = format!("</{name}");
                    let rest = &b[i..];
                    let stop = find_ci(rest, close.as_bytes()).map_or(b.len(), |e| i + e);
                    let content = &html[i..stop];
                    if let Some(id) = id {
                        dom.nodes[id].text = if name == "title" || name == "textarea" {
                            decode_entities(content).into_owned()
                        } else {
                            content.to_string()
                        };
                        if stack.last() == Some(&id) {
                            stack.pop();
                        }
                    }
                    let end = memchr::memchr(b'>', &b[stop..]).map_or(b.len(), |e| stop + e + 1);
                    i = end;
                    text_start = end;
                }
            } else {
                i = lt + 1;
            }
        }
        dom.text(&stack, &html[text_start.min(html.len())..]);
        dom
    }

    fn text(&mut self, stack: &[NodeId], s: &str) {
        if s.is_empty() {
            return;
        }
        let parent = *stack.last().expect("root");
        let t = decode_entities(s);
        // Adjacent text (split by a comment) joins into one node.
        if let Some(&last) = self.nodes[parent].children.last() {
            if self.nodes[last].is_text() {
                self.nodes[last].text.push_str(&t);
                return;
            }
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            tag: "".into(),
            attrs: Vec::new(),
            text: t.into_owned(),
            children: Vec::new(),
            parent,
        });
        self.nodes[parent].children.push(id);
    }

    fn close_in_scope(&self, stack: &mut Vec<NodeId>, names: &[&str], stop: &[&str]) {
        for k in (1..stack.len()).rev() {
            let t = &*self.nodes[stack[k]].tag;
            if names.contains(&t) {
                stack.truncate(k);
                return;
            }
            if SCOPE.contains(&t) || stop.contains(&t) {
                return;
            }
        }
    }

    fn start_tag(
        &mut self,
        stack: &mut Vec<NodeId>,
        name: String,
        attrs: Vec<(Box<str>, String)>,
        self_closing: bool,
    ) -> Option<NodeId> {
        let n = name.as_str();
        if CLOSES_P.contains(&n) {
            self.close_in_scope(stack, &["p"], &[]);
        }
        match n {
            "li" => self.close_in_scope(stack, &["li"], &["ul", "ol", "menu"]),
            "dt" | "dd" => self.close_in_scope(stack, &["dt", "dd"], &["dl"]),
            "option" => self.close_in_scope(stack, &["option"], &["select"]),
            "tr" => self.close_in_scope(stack, &["tr", "td", "th"], &["tbody", "thead", "tfoot"]),
            "td" | "th" => self.close_in_scope(stack, &["td", "th"], &["tr"]),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(&top) = stack.last() {
                    if matches!(
                        &*self.nodes[top].tag,
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                    ) {
                        stack.pop();
                    }
                }
            }
            _ => {}
        }
        let parent = *stack.last().expect("root");
        let id = self.nodes.len();
        self.nodes.push(Node {
            tag: name.clone().into_boxed_str(),
            attrs,
            text: String::new(),
            children: Vec::new(),
            parent,
        });
        self.nodes[parent].children.push(id);
        let void = VOID.contains(&n) || (self_closing && !RAW.contains(&n));
        if !void && stack.len() < MAX_DEPTH {
            stack.push(id);
        }
        Some(id)
    }

    fn end_tag(&mut self, stack: &mut Vec<NodeId>, name: &str) {
        // Close the nearest open element of that name, and everything opened inside it; an end tag
        // with no open match (a stray `</div>`) is ignored.
        for k in (1..stack.len()).rev() {
            if &*self.nodes[stack[k]].tag == name {
                stack.truncate(k);
                return;
            }
            // A stray `</p>` or `</li>` must not close a table cell or list around it.
            if matches!(name, "p" | "li" | "dd" | "dt")
                && SCOPE.contains(&&*self.nodes[stack[k]].tag)
            {
                return;
            }
        }
    }

    /// Elements with this tag, in document order.
    pub fn by_tag<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        (0..self.nodes.len()).filter(move |&i| &*self.nodes[i].tag == tag)
    }

    /// All text below `id`, whitespace collapsed.
    pub fn text_of(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.collect_text(id, &mut out, 0);
        collapse_ws(&out)
    }

    fn collect_text(&self, id: NodeId, out: &mut String, depth: usize) {
        let n = &self.nodes[id];
        if n.is_text() {
            out.push_str(&n.text);
            return;
        }
        if matches!(&*n.tag, "script" | "style" | "template" | "noscript") || depth > MAX_DEPTH {
            return;
        }
        for &c in &n.children {
            self.collect_text(c, out, depth + 1);
        }
        if matches!(
            &*n.tag,
            "p" | "div" | "br" | "li" | "td" | "h1" | "h2" | "h3" | "h4"
        ) {
            out.push(' ');
        }
    }
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while let Some(p) = memchr::memchr(first, &hay[i..]) {
        let at = i + p;
        if at + needle.len() > hay.len() {
            return None;
        }
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn tag_name(s: &str, start: usize) -> (String, usize) {
    let b = s.as_bytes();
    let mut e = start;
    while e < b.len() && !b[e].is_ascii_whitespace() && b[e] != b'>' && b[e] != b'/' {
        e += 1;
    }
    (s[start..e].to_ascii_lowercase(), e)
}

type Attrs = Vec<(Box<str>, String)>;

/// Attributes from `start` to the tag's `>`: (attributes, index after `>`, self-closing).
fn attributes(s: &str, start: usize) -> (Attrs, usize, bool) {
    let b = s.as_bytes();
    let mut i = start;
    let mut out: Attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        if i >= b.len() {
            return (out, b.len(), self_closing);
        }
        if b[i] == b'>' {
            return (out, i + 1, self_closing);
        }
        self_closing = false;
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = s[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |e| vs + e);
                value = decode_entities(&s[vs..ve]).into_owned();
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&s[vs..i]).into_owned();
            }
        }
        if !name.is_empty() && !out.iter().any(|(k, _)| **k == *name) {
            out.push((name.into_boxed_str(), value));
        }
    }
}

/// The named references news pages use; others are left as written.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("lsaquo", "‹"),
    ("rsaquo", "›"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("deg", "°"),
    ("middot", "·"),
    ("bull", "•"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("sect", "§"),
    ("para", "¶"),
    ("times", "×"),
    ("divide", "÷"),
    ("plusmn", "±"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("shy", "\u{ad}"),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
    ("thinsp", "\u{2009}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("prime", "′"),
    ("Prime", "″"),
    ("dagger", "†"),
    ("iexcl", "¡"),
    ("iquest", "¿"),
    ("agrave", "à"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("atilde", "ã"),
    ("auml", "ä"),
    ("aring", "å"),
    ("aelig", "æ"),
    ("ccedil", "ç"),
    ("egrave", "è"),
    ("eacute", "é"),
    ("ecirc", "ê"),
    ("euml", "ë"),
    ("igrave", "ì"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iuml", "ï"),
    ("ntilde", "ñ"),
    ("ograve", "ò"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("otilde", "õ"),
    ("ouml", "ö"),
    ("oslash", "ø"),
    ("ugrave", "ù"),
    ("uacute", "ú"),
    ("ucirc", "û"),
    ("uuml", "ü"),
    ("yacute", "ý"),
    ("yuml", "ÿ"),
    ("szlig", "ß"),
    ("Agrave", "À"),
    ("Aacute", "Á"),
    ("Acirc", "Â"),
    ("Auml", "Ä"),
    ("Aring", "Å"),
    ("Ccedil", "Ç"),
    ("Egrave", "È"),
    ("Eacute", "É"),
    ("Iacute", "Í"),
    ("Ntilde", "Ñ"),
    ("Oacute", "Ó"),
    ("Ouml", "Ö"),
    ("Oslash", "Ø"),
    ("Uacute", "Ú"),
    ("Uuml", "Ü"),
];

/// Decodes character references (`&amp;`, `&#8217;`, `&#x2019;`).
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let body_end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map_or(rest.len(), |e| e + 1);
        let body = &rest[1..body_end];
        let has_semi = rest[body_end..].starts_with(';');
        let consumed = body_end + usize::from(has_semi);
        let decoded: Option<String> = if let Some(num) = body.strip_prefix('#') {
            let v = if let Some(h) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                u32::from_str_radix(h, 16).ok()
            } else {
                num.parse::<u32>().ok()
            };
            v.map(|v| {
                // Windows-1252 numbers in place of Unicode ones are common (`&#146;`).
                let v = match v {
                    0x80..=0x9f => {
                        let byte = [v as u8];
                        let (c, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
                        return c.into_owned();
                    }
                    0 => 0xfffd,
                    v => v,
                };
                char::from_u32(v).unwrap_or('\u{fffd}').to_string()
            })
        } else {
            ENTITIES
                .iter()
                .find(|(n, _)| *n == body)
                .map(|(_, v)| v.to_string())
        };
        match decoded {
            Some(d) if has_semi || !body.is_empty() => {
                out.push_str(&d);
                rest = &rest[consumed..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Collapses runs of white space (including no-break spaces) to one space, trimmed.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(d: &Dom, id: NodeId) -> Vec<String> {
        d.nodes[id]
            .children
            .iter()
            .map(|&c| {
                let n = &d.nodes[c];
                if n.is_text() {
                    format!("'{}'", n.text)
                } else {
                    n.tag.to_string()
                }
            })
            .collect()
    }

    #[test]
    fn implied_end_tags_and_raw_text() {
        let d = Dom::parse(
            "<div><p>One<p>Two<ul><li>a<li>b</ul></div><script>if (a<b) {}</p></script><p>x</p>",
        );
        let div = d.by_tag("div").next().unwrap();
        assert_eq!(tags(&d, div), ["p", "p", "ul"]);
        let ul = d.by_tag("ul").next().unwrap();
        assert_eq!(tags(&d, ul), ["li", "li"]);
        let script = d.by_tag("script").next().unwrap();
        assert_eq!(d.nodes[script].text, "if (a<b) {}</p>");
        assert_eq!(d.by_tag("p").count(), 3);
    }

    #[test]
    fn attributes_and_entities() {
        let d = Dom::parse(
            r#"<meta property="og:title" content="Tom &amp; Jerry&#8217;s"><a href=/x class='c d'>A&nbsp;b &copy &unknown; &#x2014;</a>"#,
        );
        let m = &d.nodes[d.by_tag("meta").next().unwrap()];
        assert_eq!(m.attr("property"), Some("og:title"));
        assert_eq!(m.attr("content"), Some("Tom & Jerry’s"));
        let a = d.by_tag("a").next().unwrap();
        assert_eq!(d.nodes[a].attr("href"), Some("/x"));
        assert_eq!(d.nodes[a].attr("class"), Some("c d"));
        assert_eq!(d.text_of(a), "A b © &unknown; —");
    }

    #[test]
    fn stray_end_tags_and_comments() {
        let d = Dom::parse("<td><p>a</li></div>b<!-- <p>no</p> -->c</td><!unterminated");
        assert_eq!(d.text_of(0), "abc");
        let d = Dom::parse(&"<div>".repeat(10_000));
        assert_eq!(d.nodes.len(), 10_001);
    }
}
