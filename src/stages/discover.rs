//! Discover: turn the command line's files and directories into a sorted, deterministic input list.
//!
//! Reads: input paths and `[input]`. Adds: one [`Input`] per candidate file, in a stable order
//! (arguments in the order given, each directory walked with entries sorted by name). Refuses
//! nothing silently: what the walk cannot read (permission denied, symlink loops, FIFOs, files over
//! the size limit) becomes an [`Input::Rejected`], so it ends as a `rejects` row. Hidden entries and
//! files outside the include/exclude globs are simply not inputs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::article::{Reject, Source};
use crate::pipeline::InputConfig;

/// One discovered candidate.
#[derive(Clone, Debug)]
pub enum Input {
    /// A regular file to read.
    File(Source),
    /// Something found that cannot become a document.
    Rejected(Reject),
}

impl Input {
    /// Bytes on disk (0 for rejects), for progress.
    pub fn size(&self) -> u64 {
        match self {
            Input::File(s) => s.size,
            Input::Rejected(_) => 0,
        }
    }
}

/// Lists every input under `roots`, in a deterministic order, at most `limit` of them.
pub fn discover(roots: &[PathBuf], cfg: &InputConfig, limit: Option<usize>) -> Vec<Input> {
    let mut out = Vec::new();
    // The same file reached twice (two overlapping arguments, or a link) is one input.
    let mut seen = HashSet::new();
    for root in roots {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        walk_root(root, cfg, &mut seen, &mut out, limit);
    }
    out
}

/// What makes two paths the same file: device and inode on Unix, which the walk has already read
/// (resolving the path instead costs a system call per path component, a tenth of a second per
/// 10,000 files); the resolved path elsewhere, or when the file could not be read.
#[derive(PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(path: &Path, meta: Option<&std::fs::Metadata>) -> FileId {
    #[cfg(unix)]
    if let Some(m) = meta {
        use std::os::unix::fs::MetadataExt;
        return FileId::Inode(m.dev(), m.ino());
    }
    #[cfg(not(unix))]
    let _ = meta;
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

fn reject(path: &Path, reason: &'static str, message: String, bytes: Option<u64>) -> Input {
    Input::Rejected(Reject {
        source_path: display(path),
        record_index: 0,
        stage: "discover",
        reason,
        message,
        bytes,
    })
}

fn walk_root(
    root: &Path,
    cfg: &InputConfig,
    seen: &mut HashSet<FileId>,
    out: &mut Vec<Input>,
    limit: Option<usize>,
) {
    let root_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let walker = WalkDir::new(root)
        .follow_links(cfg.follow_links)
        .sort_by_file_name()
        .into_iter()
        // The root itself is always walked, even when its own name starts with a dot.
        .filter_entry(|e| e.depth() == 0 || cfg.hidden || !is_hidden(e.file_name()));
    for entry in walker {
        if limit.is_some_and(|l| out.len() >= l) {
            return;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let reason = if err.loop_ancestor().is_some() {
                    "symlink loop"
                } else {
                    "cannot read"
                };
                let msg = match err.io_error() {
                    Some(io) => format!("{reason}: {io}"),
                    None => format!("{reason}: {err}"),
                };
                out.push(reject(&path, "walk_error", msg, None));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path);
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        // A file given directly is always an input; globs filter what a directory walk finds.
        if entry.depth() > 0
            && (!cfg.include_set.is_match(&rel_str) || cfg.exclude_set.is_match(&rel_str))
        {
            continue;
        }
        if !ft.is_file() {
            let what = if ft.is_symlink() {
                "dangling or unfollowed symbolic link"
            } else {
                "not a regular file (FIFO, socket or device)"
            };
            out.push(reject(path, "not_a_file", what.to_string(), None));
            continue;
        }
        // A regular file here is a plain file or a followed link, so this is the target's.
        let meta = entry.metadata();
        if !seen.insert(identity(path, meta.as_ref().ok())) {
            continue;
        }
        let size = match meta {
            Ok(m) => m.len(),
            Err(e) => {
                out.push(reject(path, "io_error", format!("cannot stat: {e}"), None));
                continue;
            }
        };
        if size > cfg.max_file_bytes {
            let msg = format!(
                "{size} bytes is over the limit of {} (input.max_file_bytes)",
                cfg.max_file_bytes
            );
            out.push(reject(path, "too_large", msg, Some(size)));
            continue;
        }
        let key = if rel_str.is_empty() {
            root_name.clone()
        } else {
            format!("{root_name}/{rel_str}")
        };
        out.push(Input::File(Source {
            path: path.to_path_buf(),
            display: display(path),
            key,
            size,
            record_index: 0,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Pipeline;

    fn names(inputs: &[Input]) -> Vec<String> {
        inputs
            .iter()
            .map(|i| match i {
                Input::File(s) => s.key.clone(),
                Input::Rejected(r) => format!("REJECT {} {}", r.reason, r.source_path),
            })
            .collect()
    }

    #[test]
    fn sorted_hidden_skipped_and_size_limited() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("corpus");
        std::fs::create_dir_all(root.join("b/.git")).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("b/2.txt"), "x").unwrap();
        std::fs::write(root.join("b/10.txt"), "x").unwrap();
        std::fs::write(root.join("a/z.txt"), "x").unwrap();
        std::fs::write(root.join(".hidden"), "x").unwrap();
        std::fs::write(root.join("b/.git/config"), "x").unwrap();
        std::fs::write(root.join("big.txt"), vec![b'a'; 100]).unwrap();
        let mut cfg = Pipeline::builtin().input;
        cfg.max_file_bytes = 50;
        let got = names(&discover(std::slice::from_ref(&root), &cfg, None));
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            &got[..3],
            ["corpus/a/z.txt", "corpus/b/10.txt", "corpus/b/2.txt"]
        );
        assert!(got[3].starts_with("REJECT too_large"), "{got:?}");
        // The same file twice is one input; --limit stops early.
        let twice = discover(&[root.join("a/z.txt"), root.join("a")], &cfg, None);
        assert_eq!(names(&twice), ["z.txt"]);
        assert_eq!(discover(&[root], &cfg, Some(2)).len(), 2);
    }

    #[test]
    fn globs_filter_directory_walks() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("x")).unwrap();
        std::fs::write(d.path().join("x/a.txt"), "x").unwrap();
        std::fs::write(d.path().join("x/b.md"), "x").unwrap();
        std::fs::write(d.path().join("x/c.txt"), "x").unwrap();
        let mut cfg = Pipeline::builtin().input;
        cfg.include_set = globset::GlobSet::builder()
            .add(globset::Glob::new("**/*.txt").unwrap())
            .build()
            .unwrap();
        cfg.exclude_set = globset::GlobSet::builder()
            .add(globset::Glob::new("x/c.*").unwrap())
            .build()
            .unwrap();
        let root = d.path().to_path_buf();
        let got = names(&discover(&[root], &cfg, None));
        assert_eq!(got.len(), 1);
        assert!(got[0].ends_with("/x/a.txt"), "{got:?}");
    }

    #[cfg(unix)]
    #[test]
    fn loops_fifos_and_dangling_links_become_rejects() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("c");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/ok.txt"), "x").unwrap();
        std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
        let fifo = root.join("pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        let cfg = Pipeline::builtin().input;
        let got = names(&discover(&[root], &cfg, None));
        assert!(
            got.iter()
                .any(|g| g.starts_with("REJECT walk_error") && g.ends_with("loop")),
            "{got:?}"
        );
        assert!(got.iter().any(|g| g.contains("dangling")), "{got:?}");
        assert!(got.iter().any(|g| g == "c/sub/ok.txt"), "{got:?}");
        if status.is_ok_and(|s| s.success()) {
            assert!(
                got.iter()
                    .any(|g| g.starts_with("REJECT not_a_file") && g.ends_with("pipe")),
                "{got:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_reached_through_a_followed_link_is_one_input() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("c");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/ok.txt"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("a/ok.txt"), root.join("b.txt")).unwrap();
        std::fs::write(root.join("c.txt"), "x").unwrap();
        let mut cfg = Pipeline::builtin().input;
        cfg.follow_links = true;
        assert_eq!(
            names(&discover(std::slice::from_ref(&root), &cfg, None)),
            ["c/a/ok.txt", "c/c.txt"]
        );
        // A hard link is the same file too.
        std::fs::hard_link(root.join("c.txt"), root.join("d.txt")).unwrap();
        assert_eq!(names(&discover(&[root], &cfg, None)).len(), 2);
    }
}
