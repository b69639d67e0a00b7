//! Topic targets with stance knowledge (`pipelines/topics.toml`): pipeline errors in topic tables
//! and topic files, gold targets mapped to topics by alias in `stancemill eval`, and topic stance
//! rows with their evidence in the article pipeline. Every text here is invented.

mod common;

use common::*;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `files` (name, contents) into `dir`, validates `pipeline` there and returns stderr,
/// checking the exit status.
fn validate(dir: &std::path::Path, files: &[(&str, &str)], pipeline: &str, status: i32) -> String {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    stderr(&run_ok(dir, &["validate", pipeline], status))
}

#[test]
fn a_bad_key_in_a_topic_names_file_line_and_key() {
    let d = tempfile::tempdir().unwrap();
    let bad = "extends = \"default\"\n[targets.abortion]\nterms = [\"abortion\"]\nfavour = [\"pro-choice\"]\n[targets.rail]\nactors = [\"USA\"]\nallies = [\"trains\"]\n";
    let e = validate(d.path(), &[("bad.toml", bad)], "bad.toml", 2);
    assert!(
        e.contains("bad.toml:4:1: `targets.abortion.favour`: unknown key"),
        "{e}"
    );
    assert!(
        e.contains("bad.toml:7:10: `targets.rail.allies`: belongs to a topic"),
        "{e}"
    );
    // The same in a topic file the pipeline names: the problem is in that file.
    let mine = "extends = \"default\"\n[targets]\nfiles = [\"topics.toml\", \"my-topics.toml\"]\n";
    let typo = "# my topics\n[targets.rail]\nterms = [\"railways\"]\nallys = [\"train drivers\"]\n";
    let e = validate(
        d.path(),
        &[("mine.toml", mine), ("my-topics.toml", typo)],
        "mine.toml",
        2,
    );
    assert!(
        e.contains("my-topics.toml:4:1: `targets.rail.allys`: unknown key"),
        "{e}"
    );
    let fixed = "[targets.rail]\nterms = [\"railways\"]\nallies = [\"train drivers\"]\n";
    validate(d.path(), &[("my-topics.toml", fixed)], "mine.toml", 0);
    let gone = "extends = \"default\"\n[targets]\nfiles = [\"nope.toml\"]\n";
    let e = validate(d.path(), &[("gone.toml", gone)], "gone.toml", 2);
    assert!(
        e.contains("gone.toml:3:10: `targets.files`: cannot read"),
        "{e}"
    );
}

#[test]
fn eval_maps_gold_targets_to_topics_by_alias() {
    let d = tempfile::tempdir().unwrap();
    let gold = repo().join("tests/fixtures/stance/semeval_topics.txt");
    // `eval --json` of the invented tweets, with `extra` arguments.
    let eval = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "eval",
            "--gold",
            gold.to_str().unwrap(),
            "--format",
            "semeval",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run_ok(d.path(), &args, 0).stdout).unwrap()
    };
    let v = eval(&[]);
    let text = v.to_string();
    // Every invented tweet is read right only through the topics' knowledge: none names its
    // target, and tone alone would call the praise of God and of Trump favor.
    assert_eq!(v["accuracy"].as_f64(), Some(1.0), "{text}");
    // Without the topic file the same tweets are misread.
    std::fs::write(
        d.path().join("bare.toml"),
        "extends = \"default\"\n[targets]\nfiles = []\n",
    )
    .unwrap();
    let v = eval(&["--pipeline", "bare.toml"]);
    assert!(v["accuracy"].as_f64().unwrap() < 0.6, "{v}");
}

#[test]
fn articles_get_topic_stance_rows_with_evidence() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("in")).unwrap();
    std::fs::write(
        d.path().join("in/a.txt"),
        "The vote on the clinic bill\n\n\
         Lawmakers met on Tuesday to debate the abortion bill. Campaigners outside the building \
         chanted pro-choice slogans and carried signs about reproductive rights.\n\n\
         The weather was mild and the trains ran on time. Ted Cruz gave a great speech.\n",
    )
    .unwrap();
    run_ok(d.path(), &["run", "-q", "-o", "out", "in"], 0);
    let st = rows(&d.path().join("out"), "stances");
    let doc = st
        .iter()
        .find(|s| s["scope"].str() == Some("document") && s["target"].str() == Some("abortion"))
        .unwrap_or_else(|| panic!("no abortion row in {st:?}"));
    assert_eq!(doc["target_kind"].str(), Some("topic"));
    assert_eq!(doc["label"].str(), Some("favor"), "{doc:?}");
    let cues = doc["cues"].strs();
    assert!(cues.iter().any(|c| c == "pro-choice"), "{cues:?}");
    assert!(cues.iter().any(|c| c == "reproductive rights"), "{cues:?}");
    assert_eq!(
        doc["evidence"].list().len(),
        1,
        "one sentence holds the cues"
    );
    // Nothing here discusses the other topics: praise of Hillary Clinton's opponent Ted Cruz is no
    // stance on her in an article that never names her.
    assert!(
        st.iter()
            .all(|s| s["target_kind"].str() != Some("topic")
                || s["target"].str() == Some("abortion")),
        "{st:?}"
    );
}
