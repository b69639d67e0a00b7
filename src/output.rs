//! The output folder and its Parquet writers.
//!
//! Promises: a reader never finds a half-written table. Each table is written to a hidden
//! `.part-00000.parquet.inprogress` file and renamed to `part-00000.parquet` only after `close()` has
//! written the footer; `_SUCCESS` appears last, when every table is in place, and is removed first
//! when a new run starts. The folder is marked as ours (`.stancemill`), and only files the tool names
//! itself are ever replaced or deleted; a non-empty folder that is not ours is refused unless
//! `--overwrite` is given.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as PqCompression, Encoding, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::pipeline::{Compression, Pipeline, SCHEMA_VERSION};
use crate::tables::{BatchBuilder, ColType, Table};

/// The marker that says this folder was made by stancemill.
pub const MARKER: &str = ".stancemill";
/// Written last by a complete run.
pub const SUCCESS: &str = "_SUCCESS";
const TMP_SUFFIX: &str = ".inprogress";

/// Rows buffered in Arrow builders before they are handed to the Parquet writer.
const BATCH_ROWS: usize = 8192;
/// Bytes buffered in Arrow builders before they are handed to the Parquet writer.
const BATCH_BYTES: usize = 8 << 20;

/// An output folder, checked and claimed.
#[derive(Debug)]
pub struct OutputDir {
    /// The folder.
    pub root: PathBuf,
}

/// The file name of unit `unit`'s part of a table.
pub fn part_name(unit: usize) -> String {
    format!("part-{unit:05}.parquet")
}

fn is_our_file(name: &str) -> bool {
    (name.starts_with("part-") && name.ends_with(".parquet"))
        || (name.starts_with(".part-") && name.ends_with(TMP_SUFFIX))
}

/// The unit number of a final part name (`part-00012.parquet` → 12).
fn part_unit(name: &str) -> Option<usize> {
    name.strip_prefix("part-")?
        .strip_suffix(".parquet")?
        .parse()
        .ok()
}

impl OutputDir {
    /// Checks and claims `root`: creates it, or accepts it when empty, ours, or `overwrite`.
    /// Removes `_SUCCESS` and temporary files that a killed run left behind.
    pub fn prepare(root: &Path, overwrite: bool) -> Result<OutputDir> {
        if root.exists() {
            if !root.is_dir() {
                bail!("output {} exists and is not a folder", root.display());
            }
            let ours = root.join(MARKER).is_file();
            let empty = fs::read_dir(root)
                .with_context(|| format!("cannot read output folder {}", root.display()))?
                .next()
                .is_none();
            if !ours && !empty && !overwrite {
                bail!(
                    "output folder {} is not empty and was not made by stancemill; choose another --output or pass --overwrite",
                    root.display()
                );
            }
        } else {
            fs::create_dir_all(root)
                .with_context(|| format!("cannot create output folder {}", root.display()))?;
        }
        // Links inside the folder could point anywhere: never write through one.
        for name in [MARKER, crate::manifest::PROGRESS, crate::manifest::MANIFEST] {
            let p = root.join(name);
            if fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                bail!(
                    "{} is a link; stancemill writes only inside its output folder",
                    p.display()
                );
            }
        }
        let marker = root.join(MARKER);
        fs::write(
            &marker,
            "This folder is written by stancemill; see README.md.\n",
        )
        .with_context(|| format!("output folder {} is not writable", root.display()))?;
        let success = root.join(SUCCESS);
        if fs::symlink_metadata(&success).is_ok() {
            fs::remove_file(&success)
                .with_context(|| format!("cannot remove {}", success.display()))?;
        }
        for t in crate::tables::TABLES {
            let dir = root.join(t.name);
            // A table folder that is a link could point anywhere: never write through it.
            if let Ok(m) = fs::symlink_metadata(&dir) {
                if !m.is_dir() {
                    bail!(
                        "{} is not a folder (a link or a file); stancemill writes only inside its output folder",
                        dir.display()
                    );
                }
            }
            if let Ok(entries) = fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    // Never follow a link out of the folder, and only touch our own temporary names.
                    if name.ends_with(TMP_SUFFIX)
                        && is_our_file(&name)
                        && e.file_type().is_ok_and(|f| f.is_file())
                    {
                        let _ = fs::remove_file(e.path());
                    }
                }
            }
        }
        Ok(OutputDir {
            root: root.to_path_buf(),
        })
    }

    /// Removes the files of tables this run does not write, so no stale table stays beside new ones.
    pub fn drop_tables_except(&self, keep: &[String]) -> Result<()> {
        for t in crate::tables::TABLES {
            if keep.iter().any(|k| k == t.name) {
                continue;
            }
            remove_parts(&self.root.join(t.name), 0)?;
        }
        Ok(())
    }

    /// Removes every table's parts of unit `from` and later (all of them for a fresh run; those of
    /// units a resumed run will write again).
    pub fn remove_parts_from(&self, from: usize) -> Result<()> {
        for t in crate::tables::TABLES {
            remove_parts(&self.root.join(t.name), from)?;
        }
        Ok(())
    }

    /// Marks the output complete.
    pub fn success(&self, summary: &str) -> Result<()> {
        let p = self.root.join(SUCCESS);
        fs::write(&p, summary).with_context(|| format!("cannot write {}", p.display()))
    }
}

fn remove_parts(dir: &Path, from: usize) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if part_unit(&name).is_some_and(|u| u >= from) && e.file_type().is_ok_and(|f| f.is_file()) {
            fs::remove_file(e.path())
                .with_context(|| format!("cannot remove {}", e.path().display()))?;
        }
    }
    Ok(())
}

/// Writer properties: compression, row groups, and fixed `created_by` so files are reproducible.
pub fn properties(table: &Table, p: &Pipeline) -> Result<WriterProperties> {
    let compression = match p.output.compression {
        Compression::Zstd(level) => PqCompression::ZSTD(ZstdLevel::try_new(level)?),
        Compression::None => PqCompression::UNCOMPRESSED,
    };
    let kv = vec![
        KeyValue::new("stancemill.table".into(), table.name.to_string()),
        KeyValue::new(
            "stancemill.schema_version".into(),
            SCHEMA_VERSION.to_string(),
        ),
        KeyValue::new("stancemill.pipeline".into(), p.name.clone()),
        KeyValue::new("stancemill.pipeline_hash".into(), p.hash.clone()),
    ];
    let mut b = WriterProperties::builder();
    // Long text and offsets are written without a dictionary (see `ColType`); text, hashes and
    // labels without statistics, offsets delta-encoded.
    for c in table.columns {
        let path = ColumnPath::from(c.name);
        b = match c.ty {
            ColType::Key | ColType::Label => {
                b.set_column_statistics_enabled(path, EnabledStatistics::None)
            }
            ColType::Text => b
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_statistics_enabled(path, EnabledStatistics::None),
            ColType::Offset => b
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED),
            _ => b,
        };
    }
    Ok(b.set_compression(compression)
        .set_max_row_group_row_count(Some(p.output.row_group_rows))
        .set_max_row_group_bytes(Some(p.output.row_group_bytes))
        .set_created_by(format!("stancemill {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(kv))
        .build())
}

/// One table being written.
pub struct TableWriter {
    builder: BatchBuilder,
    writer: ArrowWriter<BufWriter<File>>,
    tmp: PathBuf,
    dest: PathBuf,
    rows: u64,
}

impl TableWriter {
    /// Starts writing unit `unit`'s part of `table` into `out`.
    pub fn create(
        out: &OutputDir,
        table: &'static Table,
        p: &Pipeline,
        unit: usize,
    ) -> Result<TableWriter> {
        let dir = out.root.join(table.name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let part = part_name(unit);
        let tmp = dir.join(format!(".{part}{TMP_SUFFIX}"));
        let dest = dir.join(part);
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let writer = ArrowWriter::try_new(
            BufWriter::with_capacity(1 << 20, file),
            table.schema(),
            Some(properties(table, p)?),
        )?;
        Ok(TableWriter {
            builder: BatchBuilder::new(table),
            writer,
            tmp,
            dest,
            rows: 0,
        })
    }

    /// The builder to append rows to; call [`TableWriter::row_done`] after each push.
    pub fn builder(&mut self) -> &mut BatchBuilder {
        &mut self.builder
    }

    /// Hands buffered rows to the Parquet writer when enough have gathered. Flush points depend only
    /// on the rows, never on timing, so files are reproducible.
    pub fn row_done(&mut self) -> Result<()> {
        if self.builder.rows() >= BATCH_ROWS || self.builder.approx_bytes() >= BATCH_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<()> {
        let n = self.builder.rows();
        if n > 0 {
            let batch = self.builder.finish();
            self.writer.write(&batch)?;
            drop(batch);
            self.builder.presize();
            self.rows += n as u64;
        }
        Ok(())
    }

    /// Rows written so far (including buffered ones).
    pub fn rows(&self) -> u64 {
        self.rows + self.builder.rows() as u64
    }

    /// Writes the footer, syncs, and renames the file to its final name (replacing an older one).
    /// The rename is made durable by [`crate::manifest::sync_dir`] once per unit, by the caller.
    pub fn close(mut self) -> Result<u64> {
        self.write_batch()?;
        let mut inner = self.writer.into_inner()?;
        inner.flush()?;
        let file = inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.tmp, &self.dest).with_context(|| {
            format!(
                "cannot rename {} to {}",
                self.tmp.display(),
                self.dest.display()
            )
        })?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_set_encoding_and_statistics() {
        let p = Pipeline::builtin();
        let props = properties(&crate::tables::mentions::TABLE, &p).unwrap();
        let col = |name: &str| ColumnPath::from(name);
        // Hashes and labels: a dictionary, no min/max.
        for name in ["doc_id", "actor_id", "surface"] {
            assert!(props.dictionary_enabled(&col(name)), "{name}");
            assert_eq!(
                props.statistics_enabled(&col(name)),
                EnabledStatistics::None,
                "{name}"
            );
        }
        // Offsets: delta-encoded, no dictionary, statistics kept (cheap and ordered).
        assert!(!props.dictionary_enabled(&col("start")));
        assert_eq!(
            props.encoding(&col("start")),
            Some(Encoding::DELTA_BINARY_PACKED)
        );
        assert_ne!(
            props.statistics_enabled(&col("start")),
            EnabledStatistics::None
        );
        // Long text: neither.
        let props = properties(&crate::tables::sentences::TABLE, &p).unwrap();
        assert!(!props.dictionary_enabled(&col("text")));
        assert_eq!(
            props.statistics_enabled(&col("text")),
            EnabledStatistics::None
        );
        // Documents' short strings keep their statistics: inputs sorted by site are common.
        let props = properties(&crate::tables::documents::TABLE, &p).unwrap();
        assert_ne!(
            props.statistics_enabled(&col("site")),
            EnabledStatistics::None
        );
    }

    #[test]
    fn refuses_foreign_nonempty_folder() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("thesis.docx"), "x").unwrap();
        let e = OutputDir::prepare(d.path(), false).unwrap_err().to_string();
        assert!(e.contains("not made by stancemill"), "{e}");
        OutputDir::prepare(d.path(), true).unwrap();
        // Now it is ours: accepted without --overwrite, and the foreign file is untouched.
        OutputDir::prepare(d.path(), false).unwrap();
        assert!(d.path().join("thesis.docx").exists());
    }

    #[test]
    fn leftovers_cleaned_and_only_final_names_visible() {
        let d = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(&d.path().join("o"), false).unwrap();
        let docs = out.root.join("documents");
        fs::create_dir_all(&docs).unwrap();
        fs::write(docs.join(".part-00000.parquet.inprogress"), "junk").unwrap();
        fs::write(docs.join("notes.txt"), "mine").unwrap();
        fs::write(out.root.join(SUCCESS), "old").unwrap();
        let out = OutputDir::prepare(&out.root, false).unwrap();
        assert!(!docs.join(".part-00000.parquet.inprogress").exists());
        assert!(docs.join("notes.txt").exists());
        assert!(!out.root.join(SUCCESS).exists());
        let p = Pipeline::builtin();
        let mut w = TableWriter::create(&out, &crate::tables::rejects::TABLE, &p, 0).unwrap();
        const PART: &str = "part-00000.parquet";
        assert!(!docs.join(PART).exists());
        crate::tables::rejects::push(
            w.builder(),
            &crate::article::Reject {
                source_path: "x".into(),
                record_index: 0,
                stage: "decode",
                reason: "empty",
                message: "m".into(),
                bytes: Some(0),
            },
        );
        w.row_done().unwrap();
        let rej = out.root.join("rejects");
        assert!(rej.join(format!(".{PART}{TMP_SUFFIX}")).exists());
        assert!(!rej.join(PART).exists(), "not visible before close");
        assert_eq!(w.close().unwrap(), 1);
        assert!(rej.join(PART).exists());
        assert!(!rej.join(format!(".{PART}{TMP_SUFFIX}")).exists());
    }
}
