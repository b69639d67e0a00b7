//! The run manifest: what a run promised to produce, and which of its units are done.
//!
//! A run cuts its sorted input list into units (by count and size only, so the cut is the same on
//! every run over the same inputs). Each unit's tables are written as `part-NNNNN.parquet` files;
//! when all of them are in place a small record `_progress/unit-NNNNN.json` appears, and only then
//! does the unit count as done. `_manifest.json`, written before the first unit, holds what must
//! not change for `--resume` to give the rows of an uninterrupted run: the stancemill version, the
//! pipeline hash, the unit sizes and a fingerprint of the discovered inputs.
//!
//! A unit's record also carries its counts and the first document of every body it saw first, so a
//! resumed run rebuilds the run totals and the duplicate ledger without reading any table back.

use std::fs::{self, File};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::stages::discover::Input;
use crate::tables::runs::RunRow;

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = "_manifest.json";
/// The folder of per-unit records.
pub const PROGRESS: &str = "_progress";
const FORMAT: u64 = 1;

/// Default unit size: a Ctrl-C waits for at most one unit, and a 40 GB corpus gives a few hundred
/// files per table, which DuckDB and polars read as one table without fuss.
pub const DEFAULT_UNIT_BYTES: u64 = 64 << 20;
/// Default cap on inputs per unit (many tiny files would otherwise make one huge unit).
pub const DEFAULT_UNIT_FILES: usize = 4096;

/// What a run over these inputs with this pipeline will produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// stancemill version that wrote it (another version may extract other rows).
    pub version: String,
    /// Pipeline name (informational).
    pub pipeline: String,
    /// Pipeline hash.
    pub pipeline_hash: String,
    /// Number of discovered inputs.
    pub files: u64,
    /// Their bytes on disk.
    pub bytes: u64,
    /// Hash of every input's path, size and modification time (hex).
    pub fingerprint: String,
    /// Unit size limits.
    pub unit_bytes: u64,
    /// Unit input-count limit.
    pub unit_files: u64,
    /// Number of units.
    pub units: u64,
    /// Tables written.
    pub tables: Vec<String>,
}

fn mtime_nanos(path: &Path) -> i128 {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_nanos() as i128)
        })
        .unwrap_or(-1)
}

/// Fingerprint of the discovered inputs: paths as written to the tables, sizes, modification
/// times, and what discovery rejected. Content hashes would mean reading a 40 GB corpus twice;
/// size and mtime catch every edit that tools make in practice.
pub fn fingerprint(inputs: &[Input]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for i in inputs {
        match i {
            Input::File(s) => {
                h.update(b"F");
                h.update(s.display.as_bytes());
                h.update(&[0]);
                h.update(s.key.as_bytes());
                h.update(&[0]);
                h.update(&s.size.to_le_bytes());
                h.update(&mtime_nanos(&s.path).to_le_bytes());
            }
            Input::Rejected(r) => {
                h.update(b"R");
                h.update(r.source_path.as_bytes());
                h.update(&[0]);
                h.update(r.reason.as_bytes());
                h.update(&[0]);
            }
        }
    }
    format!("{:032x}", h.digest128())
}

/// Cuts the inputs into units of at most `max_files` inputs or about `max_bytes` bytes (a unit
/// closes at the first input that reaches the limit). Depends on the input list only. An empty
/// input list still gives one (empty) unit, so every table has a file to read.
pub fn plan_units(inputs: &[Input], max_bytes: u64, max_files: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, inp) in inputs.iter().enumerate() {
        bytes += inp.size();
        if i + 1 - start >= max_files.max(1) || bytes >= max_bytes.max(1) {
            out.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < inputs.len() || out.is_empty() {
        out.push(start..inputs.len());
    }
    out
}

impl Manifest {
    fn to_json(&self) -> Value {
        json!({
            "format": FORMAT,
            "stancemill": self.version,
            "pipeline": self.pipeline,
            "pipeline_hash": self.pipeline_hash,
            "files": self.files,
            "bytes": self.bytes,
            "input_fingerprint": self.fingerprint,
            "unit_bytes": self.unit_bytes,
            "unit_files": self.unit_files,
            "units": self.units,
            "tables": self.tables,
        })
    }

    fn from_json(v: &Value) -> Option<Manifest> {
        if v.get("format")?.as_u64()? != FORMAT {
            return None;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(Manifest {
            version: s("stancemill")?,
            pipeline: s("pipeline")?,
            pipeline_hash: s("pipeline_hash")?,
            files: n("files")?,
            bytes: n("bytes")?,
            fingerprint: s("input_fingerprint")?,
            unit_bytes: n("unit_bytes")?,
            unit_files: n("unit_files")?,
            units: n("units")?,
            tables: v
                .get("tables")?
                .as_array()?
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
        })
    }

    /// Reads the manifest of `root`, if there is one. A manifest that cannot be parsed is an
    /// error: it is ours, so something is wrong and guessing would risk mixing results.
    pub fn read(root: &Path) -> Result<Option<Manifest>> {
        let p = root.join(MANIFEST);
        let text = match fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
        };
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", p.display()))?;
        match Manifest::from_json(&v) {
            Some(m) => Ok(Some(m)),
            None => bail!(
                "{} was written by another stancemill version or is damaged; run without --resume",
                p.display()
            ),
        }
    }

    /// Writes the manifest atomically.
    pub fn write(&self, root: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json())? + "\n";
        write_atomic(&root.join(MANIFEST), text.as_bytes())
    }

    /// Why `--resume` must not continue the run `self` describes with `now`, if it must not.
    pub fn mismatch(&self, now: &Manifest) -> Option<String> {
        if self.version != now.version {
            return Some(format!(
                "it was started by stancemill {}, this is {}",
                self.version, now.version
            ));
        }
        if self.pipeline_hash != now.pipeline_hash {
            return Some(format!(
                "the pipeline changed (hash {} then, {} now)",
                self.pipeline_hash, now.pipeline_hash
            ));
        }
        if self.fingerprint != now.fingerprint {
            return Some(format!(
                "the inputs changed ({} files, {} bytes then; {} files, {} bytes now; or a file was modified)",
                self.files, self.bytes, now.files, now.bytes
            ));
        }
        if (self.unit_bytes, self.unit_files) != (now.unit_bytes, now.unit_files) {
            return Some(format!(
                "the unit size changed (--unit-mb/--unit-files: {} bytes, {} files then; {} bytes, {} files now)",
                self.unit_bytes, self.unit_files, now.unit_bytes, now.unit_files
            ));
        }
        if self.tables != now.tables || self.units != now.units {
            return Some("the tables or units to write changed".into());
        }
        None
    }
}

/// What one finished unit contributed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitRecord {
    /// Counts of this unit alone (run_id and the other descriptive fields stay empty).
    pub counts: RunRow,
    /// `(body hash, doc_id)` of every body first seen in this unit, in input order.
    pub first_bodies: Vec<(u128, String)>,
}

fn counts_json(r: &RunRow) -> Value {
    json!({
        "files_seen": r.files_seen,
        "bytes_read": r.bytes_read,
        "documents": r.documents,
        "paragraphs": r.paragraphs,
        "sentences": r.sentences,
        "mentions": r.mentions,
        "quotes": r.quotes,
        "rejects": r.rejects,
        "duplicates": r.duplicates,
        "records_skipped": r.records_skipped,
    })
}

/// Adds the counts of `b` to `a`.
pub fn add_counts(a: &mut RunRow, b: &RunRow) {
    a.files_seen += b.files_seen;
    a.bytes_read += b.bytes_read;
    a.documents += b.documents;
    a.paragraphs += b.paragraphs;
    a.sentences += b.sentences;
    a.mentions += b.mentions;
    a.quotes += b.quotes;
    a.rejects += b.rejects;
    a.duplicates += b.duplicates;
    a.records_skipped += b.records_skipped;
}

/// Counts of `after` minus those of `before` (both running totals).
pub fn sub_counts(after: &RunRow, before: &RunRow) -> RunRow {
    RunRow {
        files_seen: after.files_seen - before.files_seen,
        bytes_read: after.bytes_read - before.bytes_read,
        documents: after.documents - before.documents,
        paragraphs: after.paragraphs - before.paragraphs,
        sentences: after.sentences - before.sentences,
        mentions: after.mentions - before.mentions,
        quotes: after.quotes - before.quotes,
        rejects: after.rejects - before.rejects,
        duplicates: after.duplicates - before.duplicates,
        records_skipped: after.records_skipped - before.records_skipped,
        ..RunRow::default()
    }
}

fn unit_path(root: &Path, unit: usize) -> PathBuf {
    root.join(PROGRESS).join(format!("unit-{unit:05}.json"))
}

impl UnitRecord {
    /// Records unit `unit` as done (atomically; call only after its table files are in place).
    pub fn write(&self, root: &Path, unit: usize) -> Result<()> {
        let dir = root.join(PROGRESS);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let bodies: Vec<Value> = self
            .first_bodies
            .iter()
            .map(|(h, id)| json!([format!("{h:032x}"), id]))
            .collect();
        let v = json!({"unit": unit, "counts": counts_json(&self.counts), "first_bodies": bodies});
        write_atomic(
            &unit_path(root, unit),
            serde_json::to_string(&v)?.as_bytes(),
        )
    }

    /// Reads the record of unit `unit`; `None` when the unit is not done.
    pub fn read(root: &Path, unit: usize) -> Result<Option<UnitRecord>> {
        let p = unit_path(root, unit);
        let text = match fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
        };
        let parse = || -> Option<UnitRecord> {
            let v: Value = serde_json::from_str(&text).ok()?;
            let c = v.get("counts")?;
            let n = |k: &str| c.get(k).and_then(Value::as_u64);
            let counts = RunRow {
                files_seen: n("files_seen")?,
                bytes_read: n("bytes_read")?,
                documents: n("documents")?,
                paragraphs: n("paragraphs")?,
                sentences: n("sentences")?,
                mentions: n("mentions")?,
                quotes: n("quotes")?,
                rejects: n("rejects")?,
                duplicates: n("duplicates")?,
                records_skipped: n("records_skipped")?,
                ..RunRow::default()
            };
            let mut first_bodies = Vec::new();
            for b in v.get("first_bodies")?.as_array()? {
                let h = u128::from_str_radix(b.get(0)?.as_str()?, 16).ok()?;
                first_bodies.push((h, b.get(1)?.as_str()?.to_string()));
            }
            Some(UnitRecord {
                counts,
                first_bodies,
            })
        };
        match parse() {
            Some(r) => Ok(Some(r)),
            None => bail!("{} is damaged; run without --resume", p.display()),
        }
    }
}

/// Removes the manifest and every unit record (a fresh run starts from nothing).
pub fn clear(root: &Path) -> Result<()> {
    let m = root.join(MANIFEST);
    if m.exists() {
        fs::remove_file(&m).with_context(|| format!("cannot remove {}", m.display()))?;
    }
    remove_records_from(root, 0)
}

/// Removes the records of units `from` and later, and the temporary files a killed run left
/// behind by [`write_atomic`].
pub fn remove_records_from(root: &Path, from: usize) -> Result<()> {
    let tmp = root.join("._manifest.tmp");
    if tmp.is_file() {
        fs::remove_file(&tmp).with_context(|| format!("cannot remove {}", tmp.display()))?;
    }
    let dir = root.join(PROGRESS);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let unit = name
            .strip_prefix("unit-")
            .and_then(|r| r.strip_suffix(".json"))
            .and_then(|n| n.parse::<usize>().ok());
        let ours_tmp = name.starts_with(".unit-") && name.ends_with(".tmp");
        if (unit.is_some_and(|u| u >= from) || ours_tmp) && e.file_type().is_ok_and(|f| f.is_file())
        {
            fs::remove_file(e.path())
                .with_context(|| format!("cannot remove {}", e.path().display()))?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` so that a reader (or a resumed run after a crash or power cut) sees
/// either the old file or the whole new one: hidden temporary name, fsync, rename, fsync folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{}.tmp", name.trim_end_matches(".json")));
    let mut f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    drop(f);
    fs::rename(&tmp, path).with_context(|| format!("cannot rename to {}", path.display()))?;
    sync_dir(dir);
    Ok(())
}

/// Makes renames in `dir` durable. Best effort: some file systems cannot sync a folder, and the
/// worst a lost rename costs is redoing one unit.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Source;

    fn file(size: u64) -> Input {
        Input::File(Source {
            size,
            ..Source::named("x")
        })
    }

    #[test]
    fn units_depend_only_on_inputs() {
        let inputs: Vec<Input> = (0..10).map(|_| file(10)).collect();
        assert_eq!(plan_units(&inputs, 1000, 4), [0..4, 4..8, 8..10]);
        assert_eq!(plan_units(&inputs, 25, 100), [0..3, 3..6, 6..9, 9..10]);
        assert_eq!(plan_units(&[], 25, 100), vec![Range { start: 0, end: 0 }]);
    }

    #[test]
    fn records_round_trip_and_manifest_mismatch_explains() {
        let d = tempfile::tempdir().unwrap();
        let rec = UnitRecord {
            counts: RunRow {
                documents: 3,
                duplicates: 1,
                files_seen: 4,
                ..RunRow::default()
            },
            first_bodies: vec![(u128::MAX - 7, "abc".into()), (1, "d".into())],
        };
        rec.write(d.path(), 2).unwrap();
        assert_eq!(UnitRecord::read(d.path(), 2).unwrap(), Some(rec));
        assert_eq!(UnitRecord::read(d.path(), 3).unwrap(), None);
        let m = Manifest {
            version: "1".into(),
            pipeline: "default".into(),
            pipeline_hash: "aa".into(),
            files: 4,
            bytes: 10,
            fingerprint: "ff".into(),
            unit_bytes: 1,
            unit_files: 2,
            units: 3,
            tables: vec!["documents".into()],
        };
        m.write(d.path()).unwrap();
        assert_eq!(Manifest::read(d.path()).unwrap().as_ref(), Some(&m));
        assert_eq!(m.mismatch(&m), None);
        let other = Manifest {
            pipeline_hash: "bb".into(),
            ..m.clone()
        };
        assert!(m.mismatch(&other).unwrap().contains("pipeline changed"));
        let inputs = Manifest {
            fingerprint: "00".into(),
            files: 5,
            ..m.clone()
        };
        assert!(m.mismatch(&inputs).unwrap().contains("inputs changed"));
        clear(d.path()).unwrap();
        assert_eq!(Manifest::read(d.path()).unwrap(), None);
        assert_eq!(UnitRecord::read(d.path(), 2).unwrap(), None);
    }
}
