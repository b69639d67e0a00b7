//! WARC (ISO 28500, versions 1.0 and 1.1): the HTML responses of a crawl, record by record.
//!
//! Each record is framed by its header's `Content-Length` and must be followed by `CRLF CRLF`. A
//! record whose framing does not hold (bare-LF header lines, a length that runs past the end or does
//! not land on the record's end, a missing version line) is reported as bad with the reason, and
//! reading resumes at the next line that starts `WARC/1.`, so one damaged record costs only itself.
//! `response` (and `resource`) records whose HTTP payload is HTML become documents; every other
//! record is counted as skipped, by type.

/// One record's fate.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// An HTML page.
    Html {
        /// Record index in the file (0-based, every record counts).
        index: u32,
        /// `WARC-Target-URI`.
        url: Option<String>,
        /// `WARC-Date` as written.
        date: Option<String>,
        /// The `charset` of the HTTP `Content-Type`.
        charset: Option<String>,
        /// The HTTP payload (body), dechunked and decompressed.
        payload: Vec<u8>,
    },
    /// Not a page (request, metadata, warcinfo, a redirect, an image): counted, not read.
    Skipped {
        /// Why (`request`, `response 301`, `response image/png`).
        what: String,
    },
    /// A record that cannot be read.
    Bad {
        /// Record index in the file.
        index: u32,
        /// The reason.
        message: String,
        /// Bytes the record spans.
        bytes: u64,
    },
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The next line that starts a record, searching from `from`.
fn resync(buf: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(p) = find(&buf[i.min(buf.len())..], b"\nWARC/1.") {
        let at = i + p + 1;
        if at > from {
            return at;
        }
        i = at + 1;
    }
    buf.len()
}

/// Whether `buf` starts like a WARC file.
pub fn looks_like_warc(buf: &[u8]) -> bool {
    buf.starts_with(b"WARC/1.")
}

/// Reads every record of a decompressed WARC.
pub fn records(buf: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut index = 0u32;
    while pos < buf.len() {
        while pos < buf.len() && matches!(buf[pos], b'\r' | b'\n') {
            pos += 1;
        }
        if pos >= buf.len() {
            break;
        }
        let start = pos;
        let bad = |msg: String, end: usize| Entry::Bad {
            index,
            message: msg,
            bytes: (end - start) as u64,
        };
        if !buf[pos..].starts_with(b"WARC/1.") {
            let next = resync(buf, pos);
            out.push(bad(
                format!("no `WARC/1.x` version line at byte {start} (not a record start)"),
                next,
            ));
            pos = next;
            index += 1;
            continue;
        }
        let crlf = find(&buf[pos..], b"\r\n\r\n").map(|e| pos + e);
        let lf = find(&buf[pos..], b"\n\n").map(|e| pos + e);
        let hend = match (crlf, lf) {
            (Some(c), Some(l)) if l < c => None,
            (Some(c), _) => Some(c),
            _ => None,
        };
        let Some(hend) = hend else {
            let next = resync(buf, pos + 1);
            let why = if lf.is_some() {
                "header lines end in a bare LF, not CRLF (line endings were rewritten, so lengths and digests no longer hold)"
            } else {
                "header never ends (no blank CRLF line): truncated"
            };
            out.push(bad(format!("record at byte {start}: {why}"), next));
            pos = next;
            index += 1;
            continue;
        };
        let header = String::from_utf8_lossy(&buf[pos..hend]);
        let field = |name: &str| -> Option<String> {
            header.lines().skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        let body_start = hend + 4;
        let Some(len) = field("Content-Length").and_then(|l| l.parse::<usize>().ok()) else {
            let next = resync(buf, body_start);
            out.push(bad(
                format!("record at byte {start}: no valid Content-Length"),
                next,
            ));
            pos = next;
            index += 1;
            continue;
        };
        let body_end = body_start.saturating_add(len);
        if body_end > buf.len() {
            // Either the file is cut short, or the length is wrong and more records follow.
            let next = resync(buf, body_start);
            out.push(bad(
                format!(
                    "record at byte {start} is truncated: Content-Length {len}, but only {} bytes remain{}",
                    buf.len() - body_start.min(buf.len()),
                    if next < buf.len() { " before the end of the file (another record starts inside it)" } else { "" }
                ),
                next,
            ));
            pos = next;
            index += 1;
            continue;
        }
        if !buf[body_end..].starts_with(b"\r\n\r\n") && body_end != buf.len() {
            let next = resync(buf, body_start);
            out.push(bad(
                format!("record at byte {start}: Content-Length {len} does not end at the record's end (no CRLF CRLF after the block; length or payload damaged)"),
                next,
            ));
            pos = next;
            index += 1;
            continue;
        }
        let kind = field("WARC-Type").unwrap_or_default().to_ascii_lowercase();
        let block = &buf[body_start..body_end];
        let entry = match kind.as_str() {
            "response" | "resource" => page(
                index,
                block,
                kind == "response",
                field("WARC-Target-URI"),
                field("WARC-Date"),
                field("Content-Type"),
                field("WARC-Identified-Payload-Type"),
            ),
            "" => Entry::Skipped {
                what: "record without WARC-Type".into(),
            },
            k => Entry::Skipped { what: k.into() },
        };
        out.push(entry);
        pos = body_end + 4;
        index += 1;
    }
    out
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn is_html(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.contains("text/html") || ct.contains("application/xhtml")
}

#[allow(clippy::too_many_arguments)]
fn page(
    index: u32,
    block: &[u8],
    http: bool,
    url: Option<String>,
    date: Option<String>,
    warc_type: Option<String>,
    identified: Option<String>,
) -> Entry {
    let kind = if http { "response" } else { "resource" };
    let (payload, content_type, status, chunked, gzip) = if http {
        if !block.starts_with(b"HTTP/") {
            return Entry::Bad {
                index,
                message:
                    "response record whose block is not an HTTP response (no `HTTP/` status line)"
                        .into(),
                bytes: block.len() as u64,
            };
        }
        let (hend, sep) = match find(block, b"\r\n\r\n") {
            Some(e) => (e, 4),
            None => match find(block, b"\n\n") {
                Some(e) => (e, 2),
                None => {
                    return Entry::Bad {
                        index,
                        message: "HTTP header never ends (truncated response)".into(),
                        bytes: block.len() as u64,
                    }
                }
            },
        };
        let head = String::from_utf8_lossy(&block[..hend]);
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        let mut ct = None;
        let (mut chunked, mut gzip) = (false, false);
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                let v = v.trim();
                match k.as_str() {
                    "content-type" if ct.is_none() => ct = Some(v.to_string()),
                    "transfer-encoding" => chunked |= v.to_ascii_lowercase().contains("chunked"),
                    "content-encoding" => gzip |= v.to_ascii_lowercase().contains("gzip"),
                    _ => {}
                }
            }
        }
        (&block[hend + sep..], ct, status, chunked, gzip)
    } else {
        (block, warc_type, 200, false, false)
    };
    if !(200..300).contains(&status) {
        return Entry::Skipped {
            what: format!("{kind} {status}"),
        };
    }
    let ct = content_type.or(identified).unwrap_or_default();
    let sniffed = super::html::looks_like_document(&payload[..payload.len().min(1024)]);
    if !(is_html(&ct) || (ct.is_empty() && sniffed)) {
        let what = if ct.is_empty() {
            "no Content-Type".to_string()
        } else {
            ct.split(';').next().unwrap_or("").trim().to_string()
        };
        return Entry::Skipped {
            what: format!("{kind} {what}"),
        };
    }
    let mut body = if chunked {
        match dechunk(payload) {
            Some(b) => b,
            None => {
                return Entry::Bad {
                    index,
                    message: "HTTP chunked transfer encoding is broken".into(),
                    bytes: block.len() as u64,
                }
            }
        }
    } else {
        payload.to_vec()
    };
    if gzip && body.starts_with(b"\x1f\x8b") {
        use std::io::Read;
        let mut out = Vec::new();
        let r = flate2::read::MultiGzDecoder::new(&body[..])
            .take(64 << 20)
            .read_to_end(&mut out);
        if r.is_err() {
            return Entry::Bad {
                index,
                message: "HTTP payload says gzip but does not decompress".into(),
                bytes: block.len() as u64,
            };
        }
        body = out;
    }
    Entry::Html {
        index,
        url,
        date,
        charset: charset_of(&ct),
        payload: body,
    }
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    loop {
        let nl = find(b, b"\r\n")?;
        let size_txt = std::str::from_utf8(&b[..nl]).ok()?;
        let size = usize::from_str_radix(size_txt.split(';').next()?.trim(), 16).ok()?;
        b = &b[nl + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size..)?;
        b = b.strip_prefix(b"\r\n").unwrap_or(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.com/a\r\nWARC-Date: 2024-05-01T10:00:00Z\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    #[test]
    fn responses_skips_and_damage() {
        let html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n<html><p>Hi</p></html>";
        let mut buf = rec("warcinfo", b"software: test\r\n");
        buf.extend(rec("request", b"GET / HTTP/1.1\r\n\r\n"));
        buf.extend(rec("response", html));
        buf.extend(rec(
            "response",
            b"HTTP/1.1 301 Moved\r\nLocation: /b\r\n\r\n",
        ));
        let mut damaged = rec("response", html);
        let n = damaged.len();
        damaged.truncate(n - 10);
        damaged.extend_from_slice(b"\r\n\r\n");
        buf.extend(damaged);
        buf.extend(rec("response", html));
        let e = records(&buf);
        assert_eq!(e.len(), 6, "{e:#?}");
        assert!(matches!(&e[0], Entry::Skipped { what } if what == "warcinfo"));
        assert!(matches!(&e[3], Entry::Skipped { what } if what == "response 301"));
        match &e[2] {
            Entry::Html {
                index,
                url,
                charset,
                payload,
                ..
            } => {
                assert_eq!(*index, 2);
                assert_eq!(url.as_deref(), Some("https://example.com/a"));
                assert_eq!(charset.as_deref(), Some("ISO-8859-1"));
                assert_eq!(payload, b"<html><p>Hi</p></html>");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&e[4], Entry::Bad { index: 4, message, .. } if message.contains("Content-Length"))
        );
        assert!(matches!(&e[5], Entry::Html { index: 5, .. }));
    }

    #[test]
    fn bare_lf_and_truncation() {
        let r = rec("response", b"HTTP/1.1 200 OK\r\n\r\n<html></html>");
        let lf: Vec<u8> = String::from_utf8(r.clone())
            .unwrap()
            .replace("\r\n", "\n")
            .into_bytes();
        let e = records(&lf);
        assert!(
            matches!(&e[..], [Entry::Bad { message, .. }] if message.contains("bare LF")),
            "{e:?}"
        );
        let e = records(&r[..r.len() - 8]);
        assert!(
            matches!(&e[..], [Entry::Bad { message, .. }] if message.contains("truncated")),
            "{e:?}"
        );
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
    }
}
