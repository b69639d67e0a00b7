//! The learned scorer and the evaluation machinery: gold readers on invented fixtures
//! (tests/fixtures/stance), metrics against hand-computed values, model files, determinism, and the
//! `train`/`eval` commands. The real data sets in `../shared/data/stance` are only read, and those
//! tests are skipped with a printed reason when it is absent.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use stancemill::eval::metrics::{Confusion, Report};
use stancemill::eval::read::{self, csv_records, Format, Gold, Task};
use stancemill::eval::{Example, Label, StanceScorer};
use stancemill::learn::train::TuneNeutral;
use stancemill::learn::{train, ClassWeight, FeatureConfig, Featurizer, Model, TrainConfig};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/stance").join(name)
}

fn read_fixture(name: &str, format: Format, task: Task) -> anyhow::Result<Vec<Gold>> {
    read::read(&fixture(name), format, task)
}

fn err_of(r: anyhow::Result<Vec<Gold>>) -> String {
    format!("{:#}", r.expect_err("expected an error"))
}

fn labels(g: &[Gold]) -> Vec<Label> {
    g.iter().map(|g| g.ex.label.unwrap()).collect()
}

use Label::{Against as A, Favor as F, Neutral as N};

// ---------------------------------------------------------------- readers

#[test]
fn semeval_reads_cp1252_bare_quotes_and_both_label_columns() {
    let g = read_fixture("semeval.txt", Format::Semeval, Task::Stance).unwrap();
    assert_eq!(g.len(), 10);
    assert_eq!(g[0].ex.target, "Public Transit");
    assert_eq!(g[0].line, 2);
    // Byte 0xE9 is `é` in cp1252 (it is not valid UTF-8 on its own), 0x92 the right quote.
    assert!(g[2].ex.text.starts_with("Café near"), "{:?}", g[2].ex.text);
    assert!(g[3].ex.text.contains("\u{2019}nuff"), "{:?}", g[3].ex.text);
    // No quote processing: the bare quotes stay, and the CRLF is gone.
    assert!(g[1].ex.text.ends_with("\"efficient\" my foot"));
    assert_eq!(
        labels(&g),
        [F, A, N, F, A, F, A, N, F, A],
        "FAVOR/AGAINST/NONE"
    );
    let s = read_fixture("semeval.txt", Format::Semeval, Task::Sentiment).unwrap();
    // Row 8 is NONE stance but NEGATIVE sentiment.
    assert_eq!(labels(&s), [F, A, N, F, A, F, A, A, F, A]);
    assert!(g.iter().all(|g| g.ex.span.is_none() && g.seen.is_none()));
}

#[test]
fn semeval_bad_rows_name_file_and_line() {
    let e = err_of(read_fixture(
        "semeval_bad_row.txt",
        Format::Semeval,
        Task::Stance,
    ));
    assert!(e.contains("semeval_bad_row.txt:4:"), "{e}");
    assert!(e.contains("found 3"), "{e}");
    let e = err_of(read_fixture(
        "semeval_bad_label.txt",
        Format::Semeval,
        Task::Stance,
    ));
    assert!(
        e.contains("semeval_bad_label.txt:2: unknown stance `MAYBE`"),
        "{e}"
    );
    // A file without the header is not silently read as data.
    let e = err_of(read::parse(
        b"1\tX\tsome text\tFAVOR\n",
        "x.txt",
        Format::Semeval,
        Task::Stance,
    ));
    assert!(e.contains("x.txt:1: expected the header"), "{e}");
}

#[test]
fn vast_reads_quoted_multiline_fields_and_seen() {
    let g = read_fixture("vast.csv", Format::Vast, Task::Stance).unwrap();
    assert_eq!(g.len(), 4);
    assert_eq!(
        g[0].ex.text,
        "Bike lanes make the city calmer. I ride to work every day, and it is \"the best\" part of it."
    );
    assert_eq!(
        (g[0].ex.target.as_str(), g[1].ex.target.as_str()),
        ("bike lanes", "car traffic")
    );
    assert_eq!(
        g[2].ex.text,
        "Three paragraphs, one comment.\n\nThe second paragraph says the library hours are too short.\nAnd a third line, with a comma."
    );
    // Lines count the newlines inside the quoted field: the last record starts on line 8.
    assert_eq!(g.iter().map(|g| g.line).collect::<Vec<_>>(), [2, 3, 4, 8]);
    assert_eq!(labels(&g), [F, A, F, N]);
    assert_eq!(
        g.iter().map(|g| g.seen).collect::<Vec<_>>(),
        [Some(true), Some(false), Some(true), Some(false)]
    );
    let c = read_fixture("vast_crlf.csv", Format::Vast, Task::Stance).unwrap();
    assert_eq!(c[0].ex.text, "CRLF line ending, quoted");
    assert_eq!(c[1].ex.text, "no quotes here");
    assert_eq!(labels(&c), [F, A]);
    // VAST has no sentiment column.
    assert!(
        err_of(read_fixture("vast.csv", Format::Vast, Task::Sentiment)).contains("no sentiment")
    );
}

#[test]
fn vast_malformed_rows_name_the_line() {
    let e = err_of(read_fixture(
        "vast_bad_unterminated.csv",
        Format::Vast,
        Task::Stance,
    ));
    assert!(
        e.contains("vast_bad_unterminated.csv:3: quoted field is never closed"),
        "{e}"
    );
    let e = err_of(read_fixture(
        "vast_bad_fields.csv",
        Format::Vast,
        Task::Stance,
    ));
    assert!(
        e.contains("vast_bad_fields.csv:4: expected 4 fields as in the header, found 5"),
        "{e}"
    );
    let e = format!(
        "{:#}",
        csv_records("a,\"b\"c\n", "q.csv").expect_err("text after a closing quote")
    );
    assert!(e.contains("q.csv:1: unexpected `c`"), "{e}");
}

#[test]
fn csv_records_follow_rfc4180() {
    let r = csv_records("a,b\n\"x\"\"y\",\"\"\n,\n\"l1\r\nl2\",z", "t.csv").unwrap();
    let f: Vec<Vec<&str>> = r
        .iter()
        .map(|r| r.fields.iter().map(|s| s.as_str()).collect())
        .collect();
    assert_eq!(
        f,
        vec![
            vec!["a", "b"],
            vec!["x\"y", ""],
            vec!["", ""],
            vec!["l1\r\nl2", "z"]
        ]
    );
    assert_eq!(r.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3, 4]);
}

#[test]
fn newsmtsc_spans_are_character_offsets_one_example_per_target() {
    let g = read_fixture("newsmtsc.jsonl", Format::Newsmtsc, Task::Sentiment).unwrap();
    assert_eq!(g.len(), 4);
    assert_eq!(labels(&g), [A, A, F, N]);
    assert_eq!(g.iter().map(|g| g.line).collect::<Vec<_>>(), [1, 1, 2, 3]);
    for x in &g {
        let (a, b) = x.ex.span.unwrap();
        assert_eq!(read::char_slice(&x.ex.text, a, b), x.ex.target);
    }
    // The two curly quotes before the name are 3 bytes each but one character each: as bytes
    // the span would be 29..41.
    assert_eq!(g[0].ex.span, Some((25, 36)));
    assert_eq!(g[0].ex.target, "José Ortega");
    let e = err_of(read_fixture(
        "newsmtsc_bad.jsonl",
        Format::Newsmtsc,
        Task::Sentiment,
    ));
    assert!(
        e.contains("newsmtsc_bad.jsonl:3: target 1: polarity 5 is not 2.0, 4.0 or 6.0"),
        "{e}"
    );
    // Offsets that would be right as bytes but not as characters are rejected, not guessed.
    let e = err_of(read_fixture(
        "newsmtsc_bad_span.jsonl",
        Format::Newsmtsc,
        Task::Sentiment,
    ));
    assert!(
        e.contains("newsmtsc_bad_span.jsonl:1: target 1: characters 12..20"),
        "{e}"
    );
}

#[test]
fn generic_csv_labels_targets_and_spans() {
    let g = read_fixture("generic.csv", Format::Csv, Task::Stance).unwrap();
    assert_eq!(labels(&g), [F, A, N, F, A, N, F, A, N, N]);
    assert_eq!(g[1].ex.span, Some((4, 8)));
    assert_eq!(g[0].ex.span, None);
    assert_eq!(g[3].ex.target, "");
    let e = err_of(read_fixture("generic_bad.csv", Format::Csv, Task::Stance));
    assert!(
        e.contains("generic_bad.csv:3: unknown label `sideways`"),
        "{e}"
    );
    let e = err_of(read::parse(
        b"text,label,start,end\nabc,favor,2,9\n",
        "s.csv",
        Format::Csv,
        Task::Stance,
    ));
    assert!(
        e.contains("s.csv:2: span 2..9 is outside the text (3 characters)"),
        "{e}"
    );
    let e = err_of(read::parse(
        b"words,label\nabc,favor\n",
        "h.csv",
        Format::Csv,
        Task::Stance,
    ));
    assert!(e.contains("h.csv:1: no `text` column"), "{e}");
}

// ---------------------------------------------------------------- metrics

fn confusion(m: [[u64; 3]; 3]) -> Confusion {
    Confusion(m)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn metrics_match_hand_computed_values() {
    // Rows gold, columns predicted, in against/neutral/favor order.
    let c = confusion([[4, 2, 2], [0, 3, 1], [1, 1, 6]]);
    // against: TP 4, predicted 5, gold 8 → P 4/5, R 1/2, F1 8/13.
    // neutral: TP 3, predicted 6, gold 4 → P 1/2, R 3/4, F1 3/5.
    // favor:   TP 6, predicted 9, gold 8 → P 2/3, R 3/4, F1 12/17.
    let a = c.class(A);
    assert!(close(a.precision, 0.8) && close(a.recall, 0.5) && close(a.f1, 8.0 / 13.0));
    assert_eq!(a.support, 8);
    assert!(close(c.class(N).f1, 0.6));
    assert!(close(c.class(F).precision, 2.0 / 3.0) && close(c.class(F).f1, 12.0 / 17.0));
    assert!(close(c.f_avg(), (8.0 / 13.0 + 12.0 / 17.0) / 2.0));
    assert!(close(c.macro_f1(), (8.0 / 13.0 + 0.6 + 12.0 / 17.0) / 3.0));
    assert!(close(c.accuracy(), 13.0 / 20.0));
    assert_eq!(c.n(), 20);
    // A class never predicted has precision 0 and F1 0, as in the official script.
    let z = confusion([[3, 0, 0], [1, 0, 0], [0, 0, 2]]);
    assert_eq!((z.class(N).precision, z.class(N).f1), (0.0, 0.0));
    assert!(close(z.f_avg(), (2.0 * 0.75 / 1.75 + 1.0) / 2.0));
}

#[test]
fn semeval_f_avg_pools_over_targets() {
    // Target x: 2 favor right, 2 against predicted favor. Target y: 2 against right.
    let mut r = Report::new("semeval", "stance", "test");
    for _ in 0..2 {
        r.add("x", None, F, F);
        r.add("x", None, A, F);
        r.add("y", None, A, A);
    }
    // Pooled: favor P 2/4 R 1 → F1 2/3; against P 1 R 1/2 → F1 2/3; F_avg 2/3.
    assert!(close(r.all.f_avg(), 2.0 / 3.0));
    // Per target: x favor F1 2/3, against 0 → 1/3; y against 1, favor 0 (no gold, none
    // predicted) → 1/2. Their mean (5/12) is not the official pooled figure.
    assert!(close(r.per_target["x"].f_avg(), 1.0 / 3.0));
    assert!(close(r.per_target["y"].f_avg(), 0.5));
    let j = r.json();
    assert!(close(j["f_avg"].as_f64().unwrap(), 2.0 / 3.0));
    assert_eq!(j["per_target"]["x"]["n"], 4);
    assert_eq!(j["confusion"][0], serde_json::json!([2, 0, 2]));
}

// ---------------------------------------------------------------- model

fn toy() -> Vec<Example> {
    read_fixture("toy.csv", Format::Csv, Task::Stance)
        .unwrap()
        .into_iter()
        .map(|g| g.ex)
        .collect()
}

fn small_cfg(seed: u64) -> TrainConfig {
    TrainConfig {
        features: FeatureConfig {
            bits: 14,
            ..Default::default()
        },
        seed,
        ..Default::default()
    }
}

#[test]
fn separable_toy_set_is_learned() {
    let data = toy();
    let cfg = small_cfg(7);
    let m = train(&data, Featurizer::new(cfg.features.clone()), &cfg).unwrap();
    for e in &data {
        let j = m.stance(e);
        assert_eq!(Some(j.label), e.label, "{}", e.text);
        assert!((-1.0..=1.0).contains(&j.score) && (0.0..=1.0).contains(&j.confidence));
    }
    // Unseen sentences built from the same cue words.
    let ex = |t: &str| Example {
        text: t.into(),
        target: "ferry".into(),
        span: None,
        label: None,
    };
    assert_eq!(m.stance(&ex("we love it")).label, F);
    assert!(m.stance(&ex("we love it")).score > 0.3);
    assert_eq!(m.stance(&ex("we hate it")).label, A);
    assert!(m.stance(&ex("we hate it")).score < -0.3);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let data = toy();
    let bytes = |seed| {
        let cfg = small_cfg(seed);
        train(&data, Featurizer::new(cfg.features.clone()), &cfg)
            .unwrap()
            .to_bytes()
    };
    let a = bytes(3);
    assert_eq!(a, bytes(3));
    assert_ne!(a, bytes(4), "the seed must reach the shuffle");
}

#[test]
fn tuned_ensembles_do_not_depend_on_thread_count() {
    // Ensemble members and the inner folds of the neutral tuning train in parallel; the model
    // must still be the same bytes for any pool size.
    let data = toy();
    let cfg = TrainConfig {
        ensemble: 3,
        tune_neutral: TuneNeutral::FAvg,
        ..small_cfg(11)
    };
    let bytes = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                train(&data, Featurizer::new(cfg.features.clone()), &cfg)
                    .unwrap()
                    .to_bytes()
            })
    };
    let one = bytes(1);
    assert_eq!(one, bytes(3));
    let back = Model::from_bytes(&one).unwrap();
    assert_eq!(back.config(), &cfg);
    assert_eq!(back.to_bytes(), one);
}

#[test]
fn model_file_round_trips_and_is_validated() {
    let data = toy();
    let cfg = TrainConfig {
        class_weight: ClassWeight::Balanced,
        task: Task::Sentiment,
        ..small_cfg(5)
    };
    let m = train(&data, Featurizer::new(cfg.features.clone()), &cfg).unwrap();
    let bytes = m.to_bytes();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.config(), &cfg);
    assert_eq!(back.examples(), data.len());
    assert_eq!(back.probabilities(&data[0]), m.probabilities(&data[0]));
    // A sentiment model's tone is its judgement with no target.
    assert_eq!(back.tone("I love it").label, F);

    let err = |b: &[u8]| format!("{:#}", Model::from_bytes(b).expect_err("invalid"));
    assert!(err(b"hello world, not a model").contains("no `SMSTANCE` magic"));
    assert!(err(&bytes[..bytes.len() - 3]).contains("checksum mismatch"));
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    assert!(err(&flipped).contains("checksum mismatch"));
    // A future version is refused by name (checksum recomputed so only the version is wrong).
    let mut v2 = bytes[..bytes.len() - 8].to_vec();
    v2[8] = 2;
    let sum = xxhash_rust_sum(&v2);
    v2.extend_from_slice(&sum.to_le_bytes());
    assert!(err(&v2).contains("format version 2"), "{}", err(&v2));

    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("m.model");
    m.save(&p).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
    let e = format!(
        "{:#}",
        Model::load(&d.path().join("none.model")).unwrap_err()
    );
    assert!(e.contains("cannot read model"), "{e}");
}

/// The file checksum (xxh3-64), recomputed here through the same crate the library uses.
fn xxhash_rust_sum(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(b)
}

#[test]
fn dense_hook_features_reach_the_model() {
    // The only signal is the hook's value: the texts are identical.
    let data: Vec<Example> = (0..30)
        .map(|i| Example {
            text: "same words every time".into(),
            target: if i % 2 == 0 {
                "up".into()
            } else {
                "down".into()
            },
            span: None,
            label: Some(if i % 2 == 0 { F } else { A }),
        })
        .collect();
    let hook: Arc<stancemill::learn::DenseHook> = Arc::new(|e: &Example| {
        vec![(
            "lex_tone".to_string(),
            if e.target == "up" { 1.0 } else { -1.0 },
        )]
    });
    let cfg = TrainConfig {
        features: FeatureConfig {
            bits: 12,
            target_cond: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let f = Featurizer::new(cfg.features.clone()).with_hook("lexicon", hook.clone());
    let m = train(&data, f, &cfg).unwrap();
    let up = Example {
        text: "same words every time".into(),
        target: "up".into(),
        span: None,
        label: None,
    };
    assert_eq!(m.stance(&up).label, F);
    // The file records the hook, and a loaded model must get it back before scoring.
    let back = Model::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(back.required_hook(), Some("lexicon"));
    assert!(back.clone().attach_hook("other", hook.clone()).is_err());
    let back = back.attach_hook("lexicon", hook).unwrap();
    assert_eq!(back.probabilities(&up), m.probabilities(&up));
}

#[test]
fn span_masks_the_mention() {
    let f = Featurizer::new(FeatureConfig {
        bits: 16,
        ..Default::default()
    });
    let ex = |text: &str, target: &str| {
        let a = text.find(target).unwrap();
        Example {
            text: text.into(),
            target: target.into(),
            span: Some((a, a + target.len())),
            label: None,
        }
    };
    // Same context, different mentions: with the mention masked the n-gram features agree, and
    // only the target-word features differ.
    let x = f.featurize(&ex("Critics attacked Ann Lee today.", "Ann Lee"));
    let y = f.featurize(&ex("Critics attacked Bo Park today.", "Bo Park"));
    let shared = x.idx.iter().filter(|i| y.idx.contains(i)).count();
    assert!(shared + 6 >= x.idx.len(), "{shared} of {}", x.idx.len());
    assert_ne!(x, y);
}

// ---------------------------------------------------------------- command line

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cli_train_then_eval_json() {
    let d = tempfile::tempdir().unwrap();
    let toy = fixture("toy.csv");
    let model = d.path().join("toy.model");
    let o = run_ok(
        d.path(),
        &[
            "train",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--out",
            s(&model),
            "--bits",
            "14",
        ],
        0,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("on 45 examples"), "{err}");
    assert!(model.is_file());
    let o = run_ok(
        d.path(),
        &[
            "eval",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--model",
            s(&model),
            "--json",
        ],
        0,
    );
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    for k in [
        "f_avg",
        "macro_f1",
        "accuracy",
        "per_class",
        "per_target",
        "confusion",
        "n",
        "format",
        "task",
        "scorer",
    ] {
        assert!(j.get(k).is_some(), "no `{k}` in {j}");
    }
    for c in ["favor", "against", "neutral"] {
        for k in ["precision", "recall", "f1", "support"] {
            assert!(j["per_class"][c].get(k).is_some(), "{c}.{k}");
        }
    }
    assert_eq!(j["n"], 45);
    assert_eq!(j["format"], "csv");
    assert_eq!(j["task"], "stance");
    assert_eq!(j["accuracy"], 1.0, "the toy set is separable: {j}");
    assert_eq!(j["per_target"]["ferry"]["n"], 45);
    // Text output carries the same headline.
    let o = run_ok(
        d.path(),
        &[
            "eval",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--model",
            s(&model),
        ],
        0,
    );
    assert!(stdout(&o).contains("accuracy 100.00"), "{}", stdout(&o));
}

#[test]
fn cli_cross_validation_and_errors() {
    let d = tempfile::tempdir().unwrap();
    let toy = fixture("toy.csv");
    let o = run_ok(
        d.path(),
        &[
            "eval",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--cv",
            "3",
            "--seed",
            "2",
            "--bits",
            "14",
            "--json",
        ],
        0,
    );
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["n"], 45);
    assert!(j["scorer"].as_str().unwrap().contains("3-fold"));
    // No model, no --cv: the lexicon scorer. The toy set says `love`/`support` and `hate`/`oppose`
    // about its target, which the lexicons know without any training.
    let o = run_ok(
        d.path(),
        &["eval", "--gold", s(&toy), "--format", "csv", "--json"],
        0,
    );
    let j: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(j["scorer"], "lexicon default");
    assert!(j["f_avg"].as_f64().unwrap() > 0.9, "{j}");
    // A bad gold file and a bad model file are fatal with their names.
    let bad = fixture("generic_bad.csv");
    let o = run_ok(
        d.path(),
        &["eval", "--gold", s(&bad), "--format", "csv", "--cv", "2"],
        2,
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("generic_bad.csv:3"));
    let o = run_ok(
        d.path(),
        &[
            "eval",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--model",
            s(&toy),
        ],
        2,
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("invalid model file") && e.contains("toy.csv"),
        "{e}"
    );
    run_ok(
        d.path(),
        &[
            "train",
            "--gold",
            s(&toy),
            "--format",
            "csv",
            "--out",
            "m",
            "--word-ngrams",
            "3-1",
        ],
        2,
    );
}

#[test]
fn cli_results_do_not_depend_on_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let gold = fixture("toy.csv");
    let mut models = Vec::new();
    let mut cvs = Vec::new();
    for threads in ["1", "2"] {
        let m = d.path().join(format!("m{threads}"));
        let run = |args: &[&str]| {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_stancemill"))
                .args(args)
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            o
        };
        run(&[
            "train",
            "--gold",
            s(&gold),
            "--format",
            "csv",
            "--out",
            s(&m),
            "--bits",
            "14",
        ]);
        models.push(std::fs::read(&m).unwrap());
        let o = run(&[
            "eval",
            "--gold",
            s(&gold),
            "--format",
            "csv",
            "--cv",
            "3",
            "--bits",
            "14",
            "--json",
        ]);
        cvs.push(o.stdout);
    }
    assert_eq!(models[0], models[1]);
    assert_eq!(cvs[0], cvs[1]);
}

// ---------------------------------------------------------------- real data (read only)

fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/data/stance").join(rel);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} not present", p.display());
        None
    }
}

#[test]
fn real_gold_files_read_completely() {
    if let Some(p) = shared("semeval2016/trainingdata-all-annotations.txt") {
        let g = read::read(&p, Format::Semeval, Task::Stance).unwrap();
        assert_eq!(g.len(), 2814);
        let targets: std::collections::BTreeSet<&str> =
            g.iter().map(|g| g.ex.target.as_str()).collect();
        assert_eq!(targets.len(), 5);
        // The stray high bytes decode to something, never to U+FFFD.
        assert!(g.iter().all(|g| !g.ex.text.contains('\u{fffd}')));
        assert_eq!(
            read::read(&p, Format::Semeval, Task::Sentiment)
                .unwrap()
                .len(),
            2814
        );
    }
    if let Some(p) = shared("semeval2016/trialdata-all-annotations.txt") {
        assert_eq!(
            read::read(&p, Format::Semeval, Task::Stance).unwrap().len(),
            100
        );
    }
    if let Some(p) = shared("vast/vast_dev.csv") {
        let g = read::read(&p, Format::Vast, Task::Stance).unwrap();
        assert_eq!(g.len(), 2062);
        assert!(g.iter().all(|g| g.seen.is_some()));
    }
    if let Some(p) = shared("newsmtsc/train.jsonl") {
        let g = read::read(&p, Format::Newsmtsc, Task::Sentiment).unwrap();
        assert_eq!(g.len(), 8739);
        // The reader checks every span against its mention as characters.
        assert!(g.iter().all(|g| g.ex.span.is_some()));
    }
}

#[test]
fn semeval_train_to_trial_beats_the_majority_class() {
    let (Some(tr), Some(te)) = (
        shared("semeval2016/trainingdata-all-annotations.txt"),
        shared("semeval2016/trialdata-all-annotations.txt"),
    ) else {
        return;
    };
    let train_set: Vec<Example> = read::read(&tr, Format::Semeval, Task::Stance)
        .unwrap()
        .into_iter()
        .map(|g| g.ex)
        .collect();
    let cfg = TrainConfig {
        features: FeatureConfig {
            bits: 18,
            ..Default::default()
        },
        ..Default::default()
    };
    let m = train(&train_set, Featurizer::new(cfg.features.clone()), &cfg).unwrap();
    let gold = read::read(&te, Format::Semeval, Task::Stance).unwrap();
    let r =
        stancemill::eval::runner::evaluate(&gold, &m, Format::Semeval, Task::Stance, "t").unwrap();
    // Always AGAINST (the majority) gets F_avg 0.35 on the trial file: against F1 = 2·0.53/1.53,
    // favor 0. A working model is far above it.
    assert!(r.all.f_avg() > 0.5, "{}", r.text());
}

/// A pipeline can name a trained model: stance rows then carry the model's scores (different from
/// the lexicon's), the evidence and cues stay, and the pipeline hash changes with the model.
#[test]
fn a_pipeline_scores_stances_with_a_trained_model() {
    let d = tempfile::tempdir().unwrap();
    let model = d.path().join("toy.model");
    run_ok(
        &repo(),
        &[
            "train",
            "--gold",
            fixture("toy.csv").to_str().unwrap(),
            "--format",
            "csv",
            "--out",
            model.to_str().unwrap(),
        ],
        0,
    );
    let pipe = d.path().join("learned.toml");
    std::fs::write(
        &pipe,
        "extends = \"default\"\n[stages.stance]\nscorer = { model = \"toy.model\" }\n",
    )
    .unwrap();
    let reference = repo().join("sample_corpus/asia/bane-or-boon.txt");
    let explain = |p: Option<&Path>| {
        let mut args = vec!["explain", "--json", reference.to_str().unwrap()];
        if let Some(p) = p {
            args.extend(["-p", p.to_str().unwrap()]);
        }
        let out = run_ok(&repo(), &args, 0);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v
    };
    let lex = explain(None);
    let learned = explain(Some(&pipe));
    assert_ne!(lex["pipeline_hash"], learned["pipeline_hash"]);
    let (a, b) = (
        lex["stances"].as_array().unwrap(),
        learned["stances"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len(), "the same rows, scored differently");
    let mut differ = 0;
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["target"], y["target"]);
        assert_eq!(x["evidence"], y["evidence"]);
        assert_eq!(x["cues"], y["cues"]);
        let s = y["score"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&s));
        differ += usize::from(x["score"] != y["score"]);
    }
    assert!(
        differ > a.len() / 2,
        "{differ} of {} rows rescored",
        a.len()
    );
    // A missing model is a pipeline error naming file, line and key.
    std::fs::write(
        &pipe,
        "extends = \"default\"\n[stages.stance]\nscorer = { model = \"gone.model\" }\n",
    )
    .unwrap();
    let out = stancemill(&repo(), &["validate", pipe.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("learned.toml:3:")
            && err.contains("stages.stance.scorer")
            && err.contains("gone.model"),
        "{err}"
    );
}
