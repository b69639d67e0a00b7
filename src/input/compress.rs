//! Compressed files: gzip (one member or many, as WARC writers make them), zstd and bzip2, read
//! with pure-Rust decoders, within limits.
//!
//! Decompression stops as soon as the output passes `max_decompressed_bytes`, or passes 1 MiB at a
//! ratio above `max_ratio` to the compressed size: a decompression bomb costs a few megabytes and
//! becomes a reject, never an out-of-memory. A stream that breaks off part way (a truncated
//! download) keeps what was decoded before the break, so a container format can still read the
//! records that came through whole.

use std::io::Read;

use crate::pipeline::InputConfig;

/// A compression wrapper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// gzip (RFC 1952), any number of members.
    Gzip,
    /// Zstandard frames.
    Zstd,
    /// bzip2 streams.
    Bzip2,
}

impl Codec {
    /// Name used in `documents.source_format` (`warc+gzip`).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
            Codec::Bzip2 => "bzip2",
        }
    }

    /// The codec whose signature `raw` starts with.
    pub fn sniff(raw: &[u8]) -> Option<Codec> {
        if raw.starts_with(b"\x1f\x8b") {
            Some(Codec::Gzip)
        } else if raw.starts_with(b"\x28\xb5\x2f\xfd") {
            Some(Codec::Zstd)
        } else if raw.len() >= 4 && raw.starts_with(b"BZh") && (b'1'..=b'9').contains(&raw[3]) {
            Some(Codec::Bzip2)
        } else {
            None
        }
    }

    /// File-name suffix of the codec (`.gz`).
    pub fn strip_suffix(name: &str) -> Option<(&str, Codec)> {
        let lower = name.to_ascii_lowercase();
        for (suf, c) in [
            (".gz", Codec::Gzip),
            (".gzip", Codec::Gzip),
            (".zst", Codec::Zstd),
            (".zstd", Codec::Zstd),
            (".bz2", Codec::Bzip2),
        ] {
            if lower.ends_with(suf) {
                return Some((&name[..name.len() - suf.len()], c));
            }
        }
        None
    }
}

/// Why decompression was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `too_large` (over the size limit) or `decompression_bomb` (over the ratio limit).
    pub reason: &'static str,
    /// Detail.
    pub message: String,
}

/// Decompressed bytes, and the error that cut the stream short, if any.
#[derive(Debug)]
pub struct Inflated {
    /// What was decoded.
    pub bytes: Vec<u8>,
    /// Set when the stream is corrupt or truncated after `bytes`.
    pub broken: Option<String>,
}

/// Below this much output, no ratio is suspicious (a small page of repeated markup compresses 50x).
const RATIO_FLOOR: usize = 1 << 20;

/// Decompresses `raw` within the limits of `cfg`.
pub fn inflate(raw: &[u8], codec: Codec, cfg: &InputConfig) -> Result<Inflated, Refused> {
    let mut out = Vec::with_capacity((raw.len() * 4).min(cfg.max_decompressed_bytes as usize));
    let broken = match codec {
        Codec::Gzip => pump(
            flate2::read::MultiGzDecoder::new(raw),
            raw.len(),
            cfg,
            &mut out,
        )?,
        Codec::Bzip2 => pump(
            bzip2::read::MultiBzDecoder::new(raw),
            raw.len(),
            cfg,
            &mut out,
        )?,
        Codec::Zstd => {
            // One decoder per frame: files written by `zstd` on many inputs hold several.
            let mut rest = raw;
            let mut broken = None;
            while !rest.is_empty() && broken.is_none() {
                match ruzstd::decoding::StreamingDecoder::new(&mut rest) {
                    Ok(d) => broken = pump(d, raw.len(), cfg, &mut out)?,
                    Err(e) => broken = Some(e.to_string()),
                }
                // Skippable frames and trailing zero padding end the stream.
                if rest.iter().all(|&b| b == 0) {
                    break;
                }
            }
            broken
        }
    };
    Ok(Inflated { bytes: out, broken })
}

fn pump<R: Read>(
    mut r: R,
    compressed: usize,
    cfg: &InputConfig,
    out: &mut Vec<u8>,
) -> Result<Option<String>, Refused> {
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Ok(Some(e.to_string())),
        };
        out.extend_from_slice(&buf[..n]);
        if out.len() as u64 > cfg.max_decompressed_bytes {
            return Err(Refused {
                reason: "too_large",
                message: format!(
                    "decompresses to more than {} bytes (input.max_decompressed_bytes)",
                    cfg.max_decompressed_bytes
                ),
            });
        }
        if out.len() > RATIO_FLOOR && out.len() as f64 > compressed.max(1) as f64 * cfg.max_ratio {
            return Err(Refused {
                reason: "decompression_bomb",
                message: format!(
                    "{} compressed bytes expand past {} bytes, a ratio over {} (input.max_compression_ratio)",
                    compressed,
                    out.len(),
                    cfg.max_ratio
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn cfg() -> InputConfig {
        crate::pipeline::Pipeline::builtin().input
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn multi_member_gzip_and_truncation() {
        let mut two = gz(b"first member ");
        two.extend(gz(b"second member"));
        let out = inflate(&two, Codec::Gzip, &cfg()).unwrap();
        assert_eq!(out.bytes, b"first member second member");
        assert!(out.broken.is_none());
        let whole = gz(&b"some text that is long enough to be cut ".repeat(50));
        let cut = &whole[..whole.len() / 2];
        let out = inflate(cut, Codec::Gzip, &cfg()).unwrap();
        assert!(out.broken.is_some());
        assert!(!out.bytes.is_empty(), "what came before the cut is kept");
    }

    #[test]
    fn bombs_are_refused() {
        let zeros = vec![0u8; 8 << 20];
        let bomb = gz(&zeros);
        let e = inflate(&bomb, Codec::Gzip, &cfg()).unwrap_err();
        assert_eq!(e.reason, "decompression_bomb", "{e:?}");
        let mut small = cfg();
        small.max_decompressed_bytes = 1000;
        small.max_ratio = 1e9;
        let e = inflate(&gz(&[b'a'; 5000]), Codec::Gzip, &small).unwrap_err();
        assert_eq!(e.reason, "too_large");
    }

    #[test]
    fn bzip2_roundtrip_and_sniffing() {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(b"bzip2 text").unwrap();
        let bz = e.finish().unwrap();
        assert_eq!(Codec::sniff(&bz), Some(Codec::Bzip2));
        assert_eq!(
            inflate(&bz, Codec::Bzip2, &cfg()).unwrap().bytes,
            b"bzip2 text"
        );
        assert_eq!(Codec::sniff(b"BZh is not bzip2"), None);
        assert_eq!(
            Codec::strip_suffix("a.warc.GZ"),
            Some(("a.warc", Codec::Gzip))
        );
    }
}
