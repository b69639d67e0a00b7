//! Decode: raw bytes to clean Unicode text.
//!
//! Reads: the raw record bytes. Adds: the text (NFC, `\n` line endings, no control characters but
//! tab and newline) and the name of the encoding it was read as. Detection order: a BOM (UTF-8,
//! UTF-16LE/BE), UTF-16 without BOM by its pattern of zero bytes, strict UTF-8, then the legacy
//! encodings chardetng recognises (windows-1252, ISO-8859-x, Shift_JIS, …). Refuses, with a reason
//! code: `empty` (no bytes, or only whitespace), `binary` (a known binary signature, many NUL or
//! control bytes) and `undecodable` (too many characters that map to nothing).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::pipeline::DecodeConfig;

/// A decoding failure: reason code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// `empty`, `binary` or `undecodable`.
    pub reason: &'static str,
    /// Detail for the `rejects.message` column.
    pub message: String,
}

/// Decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Encoding name as encoding_rs spells it (`UTF-8`, `UTF-16LE`, `windows-1252`, …).
    pub encoding: &'static str,
    /// Non-fatal notes.
    pub warnings: Vec<String>,
}

fn err(reason: &'static str, message: impl Into<String>) -> DecodeError {
    DecodeError {
        reason,
        message: message.into(),
    }
}

/// Fewer non-ASCII bytes than this in non-UTF-8 text: use `legacy_default` instead of guessing.
const MIN_DETECTION_BYTES: usize = 16;

/// File signatures of common binary formats a news directory picks up.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX)"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xd0\xcf\x11\xe0", "MS Office (OLE) document"),
    (b"RIFF", "RIFF media (WAV/AVI/WEBP)"),
    (b"PAR1", "Parquet file"),
    (b"SQLite format 3\0", "SQLite database"),
];

/// Guesses UTF-16 without a BOM: most characters of English text have a zero high byte.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let (mut even0, mut odd0) = (0usize, 0usize);
    for p in bytes[..n].chunks_exact(2) {
        even0 += (p[0] == 0) as usize;
        odd0 += (p[1] == 0) as usize;
    }
    if odd0 * 10 >= pairs * 4 && even0 * 20 < pairs {
        Some(UTF_16LE)
    } else if even0 * 10 >= pairs * 4 && odd0 * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes and normalises `bytes`.
pub fn decode(bytes: &[u8], cfg: &DecodeConfig) -> Result<Decoded, DecodeError> {
    decode_declared(bytes, cfg, None)
}

/// Like [`decode`], with the encoding the document or its transport declares (an HTML page's
/// `<meta charset>`, an HTTP `Content-Type`): it is used after a BOM and before detection, unless
/// it says UTF-8 and the bytes are not (a common mislabelling), in which case detection decides.
pub fn decode_declared(
    bytes: &[u8],
    cfg: &DecodeConfig,
    declared: Option<&'static Encoding>,
) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(err("empty", "the file is empty (0 bytes)"));
    }
    let mut warnings = Vec::new();
    let (encoding, body): (&'static Encoding, &[u8]) = if let Some((enc, bom_len)) =
        Encoding::for_bom(bytes)
    {
        (enc, &bytes[bom_len..])
    } else if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(err("binary", format!("binary file: {what}")));
    } else if let Some(enc) = sniff_utf16(bytes) {
        warnings.push(format!("encoding_detected:{}", enc.name()));
        (enc, bytes)
    } else {
        let nul = memchr::memchr_iter(0, bytes).count();
        if nul > 0 {
            return Err(err(
                "binary",
                format!(
                    "binary file: {nul} NUL byte{} in {} bytes",
                    if nul == 1 { "" } else { "s" },
                    bytes.len()
                ),
            ));
        }
        let utf8 = std::str::from_utf8(bytes).is_ok();
        if let Some(enc) = declared.filter(|e| *e != UTF_8 || utf8) {
            (enc, bytes)
        } else if utf8 {
            (UTF_8, bytes)
        } else {
            // A handful of high bytes in English text (`£`, `é`) is too little for detection
            // to tell windows-1252 from its neighbours; the pipeline's default is the better bet.
            let high = bytes.iter().filter(|b| **b >= 0x80).count();
            let enc = if high < MIN_DETECTION_BYTES {
                cfg.legacy_default
            } else {
                let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                det.feed(bytes, true);
                det.guess(None, chardetng::Utf8Detection::Deny)
            };
            warnings.push(format!("encoding_detected:{}", enc.name()));
            (enc, bytes)
        }
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let text = normalise(text);
    let (total, control) = count_chars_and_controls(&text);
    let total = total.max(1);
    let replacement = if had_errors {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    };
    if text.trim().is_empty() {
        return Err(err(
            "empty",
            format!("only whitespace ({} bytes)", bytes.len()),
        ));
    }
    let limit = cfg.max_garbage_ratio;
    if control as f64 / total as f64 > limit {
        return Err(err(
            "binary",
            format!(
                "{control} control characters in {total} (read as {})",
                encoding.name()
            ),
        ));
    }
    if replacement as f64 / total as f64 > limit {
        return Err(err(
            "undecodable",
            format!(
                "{replacement} of {total} characters are not valid {}",
                encoding.name()
            ),
        ));
    }
    if replacement > 0 {
        warnings.push(format!("replacement_chars:{replacement}"));
    }
    let text = if control > 0 {
        strip_controls(&text)
    } else {
        text
    };
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        warnings,
    })
}

/// Normalises text made elsewhere (extracted from HTML or JSON) as decoding does: `\n` line
/// endings, NFC, no control characters but tab and newline.
pub(crate) fn tidy(text: String) -> String {
    let t = normalise(std::borrow::Cow::Owned(text));
    if t.chars().any(is_bad_control) {
        strip_controls(&t)
    } else {
        t
    }
}

fn is_bad_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t' && c != '\u{0c}'
}

/// Characters (bytes that are not UTF-8 continuation bytes) and control characters (C0 but tab,
/// newline and form feed; DEL; C1, encoded C2 80..C2 9F).
fn count_chars_and_controls(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let control_at = |i: usize| match b[i] {
        b'\n' | b'\t' | 0x0c => false,
        0..=0x1f | 0x7f => true,
        0xc2 => b.get(i + 1).is_some_and(|y| (0x80..=0x9f).contains(y)),
        _ => false,
    };
    // Eight bytes at a time: only a group holding a byte below 0x20, DEL or C2 (a newline, in
    // most text, once a line) is looked at byte by byte.
    use crate::article::swar;
    let mut controls = 0usize;
    let mut words = b.chunks_exact(8);
    for (k, w) in (&mut words).enumerate() {
        let x = swar::load(w);
        if swar::any_below(x, 0x20) || swar::eq(x, 0x7f) | swar::eq(x, 0xc2) != 0 {
            controls += (k * 8..k * 8 + 8).filter(|&i| control_at(i)).count();
        }
    }
    let done = b.len() - words.remainder().len();
    controls += (done..b.len()).filter(|&i| control_at(i)).count();
    (crate::article::char_count(b), controls)
}

/// Whether `s` is certainly in NFC by the quick check. ASCII characters are starters that are
/// always allowed and reset the check's state, so only the runs of other characters are checked.
fn nfc_quick_yes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(k) = crate::article::first_non_ascii(&b[i..]) {
        let st = i + k;
        let e = b[st..]
            .iter()
            .position(|&x| x < 0x80)
            .map_or(b.len(), |k| st + k);
        if is_nfc_quick(s[st..e].chars()) != IsNormalized::Yes {
            return false;
        }
        i = e;
    }
    true
}

fn strip_controls(s: &str) -> String {
    s.chars().filter(|&c| !is_bad_control(c)).collect()
}

/// `\r\n` and lone `\r` to `\n`, a form feed to a line break, a stray BOM dropped, then NFC.
pub(crate) fn normalise(text: Cow<'_, str>) -> String {
    let b = text.as_bytes();
    let needs_eol = memchr::memchr2(b'\r', 0x0c, b).is_some()
        || memchr::memmem::find(b, "\u{feff}".as_bytes()).is_some();
    let s: Cow<'_, str> = if needs_eol {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push('\n');
                }
                '\u{0c}' => out.push('\n'),
                '\u{feff}' => {}
                c => out.push(c),
            }
        }
        Cow::Owned(out)
    } else {
        text
    };
    if nfc_quick_yes(&s) {
        s.into_owned()
    } else {
        s.nfc().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> DecodeConfig {
        DecodeConfig {
            max_garbage_ratio: 0.05,
            legacy_default: encoding_rs::WINDOWS_1252,
        }
    }

    fn ok(bytes: &[u8]) -> Decoded {
        decode(bytes, &cfg()).unwrap()
    }

    fn reason(bytes: &[u8]) -> &'static str {
        decode(bytes, &cfg()).unwrap_err().reason
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(ok("Café “x”".as_bytes()).text, "Café “x”");
        let d = ok(b"\xef\xbb\xbfHello");
        assert_eq!((d.text.as_str(), d.encoding), ("Hello", "UTF-8"));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf16_with_bom_and_sniffed() {
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        let mut bare = Vec::new();
        for u in "Tokyo – Beijing".encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
            bare.extend(u.to_le_bytes());
        }
        assert_eq!(ok(&le).text, "Tokyo – Beijing");
        assert_eq!(ok(&le).encoding, "UTF-16LE");
        assert_eq!(ok(&be).encoding, "UTF-16BE");
        let sniffed = ok(&bare);
        assert_eq!(
            (sniffed.text.as_str(), sniffed.encoding),
            ("Tokyo – Beijing", "UTF-16LE")
        );
        assert_eq!(sniffed.warnings, ["encoding_detected:UTF-16LE"]);
    }

    #[test]
    fn legacy_single_byte_detected() {
        // windows-1252: curly quotes, euro sign, e acute.
        let bytes = b"The \x93deal\x94 was worth \x80 5 billion to the caf\xe9 owners and the ministers who signed it in Brussels.";
        let d = ok(bytes);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("“deal”") && d.text.contains("€ 5") && d.text.contains("café"));
        assert_eq!(d.warnings, ["encoding_detected:windows-1252"]);
    }

    #[test]
    fn few_high_bytes_use_the_legacy_default() {
        // One latin-1 pound sign in English text (BBC sport/199.txt has one).
        let d = ok(b"Chelsea fined \xa31m over the transfer, the club said on Monday.");
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("£1m"));
        let mut c = cfg();
        c.legacy_default = encoding_rs::ISO_8859_2;
        assert_eq!(decode(b"Ksi\xb1\xbfka", &c).unwrap().encoding, "ISO-8859-2");
        // With enough evidence, detection decides: Cyrillic windows-1251.
        let ru = "Министр иностранных дел России заявил, что переговоры продолжатся в понедельник.";
        let bytes = encoding_rs::WINDOWS_1251.encode(ru).0.into_owned();
        assert_eq!(ok(&bytes).encoding, "windows-1251");
    }

    /// The eight-at-a-time counts and the run-wise NFC check agree with the plain definitions.
    #[test]
    fn fast_counts_match_definitions() {
        let parts = [
            "a",
            " ",
            "\n",
            "\t",
            "\u{1}",
            "\u{7f}",
            "\u{85}",
            "é",
            "e\u{301}",
            "\u{301}",
            "“",
            "£",
            "\u{c}",
            "\u{1b}",
            "\u{316}\u{301}",
            "\u{301}\u{316}",
        ];
        for s in crate::article::mixed_strings(&parts, 11, 3000, 29) {
            let want = (
                s.chars().count(),
                s.chars().filter(|&c| is_bad_control(c)).count(),
            );
            assert_eq!(count_chars_and_controls(&s), want, "{s:?}");
            assert_eq!(
                nfc_quick_yes(&s),
                is_nfc_quick(s.chars()) == IsNormalized::Yes,
                "{s:?}"
            );
        }
    }

    #[test]
    fn line_endings_and_nfc() {
        assert_eq!(ok(b"a\r\nb\rc\n").text, "a\nb\nc\n");
        // e + combining acute -> precomposed.
        assert_eq!(ok("Cafe\u{301}".as_bytes()).text, "Café");
        assert_eq!(
            ok(b"a\x07b and some more text here to read").text,
            "ab and some more text here to read",
            "a lone bell is dropped, not fatal"
        );
    }

    #[test]
    fn rejects() {
        assert_eq!(reason(b""), "empty");
        assert_eq!(reason(b"  \n\t\r\n "), "empty");
        assert_eq!(reason(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "binary");
        assert_eq!(reason(b"\x7fELF\x02\x01\x01\0\0"), "binary");
        assert_eq!(reason(b"text with a \0 nul byte in it"), "binary");
        assert_eq!(
            reason(&[1u8, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, b'a']),
            "binary"
        );
    }
}
