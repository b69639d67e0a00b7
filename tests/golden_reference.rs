//! Golden test: the reference article (`sample_corpus/asia/bane-or-boon.txt`, the user's own
//! document) against `../shared/reference/expected.md` (documents, paragraphs, sentences parts).

mod common;

use common::*;

const REF: &str = "sample_corpus/asia/bane-or-boon.txt";

fn run_reference() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let input = repo().join(REF);
    run_ok(
        &repo(),
        &[
            "run",
            "-q",
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        0,
    );
    (d, out)
}

#[test]
fn reference_is_the_users_file() {
    // Only when ../shared is present; the repo copy is what the other tests use.
    let shared = repo().join("../shared/reference/bane-or-boon.txt");
    match std::fs::read(&shared) {
        Ok(b) => assert_eq!(
            b,
            std::fs::read(repo().join(REF)).unwrap(),
            "sample_corpus copy drifted"
        ),
        Err(_) => eprintln!("skipped: {} not present", shared.display()),
    }
}

#[test]
fn documents_row() {
    let (_d, out) = run_reference();
    let docs = rows(&out, "documents");
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(
        d["title"].str(),
        Some("Bane Or Boon – The Future Of Sino-Japanese Relations Under Trump")
    );
    assert_eq!(d["published_at"].int(), Some(micros("2017-12-02 12:58:00")));
    assert_eq!(d["published_utc"], Val::Null, "the page states no zone");
    assert_eq!(d["published_raw"].str(), Some("December 2, 2017 12:58 pm"));
    assert_eq!(d["comment_count"].int(), Some(75));
    assert_eq!(d["view_count"].int(), Some(133));
    assert_eq!(d["language"].str(), Some("en"));
    assert_eq!(d["encoding"].str(), Some("UTF-8"));
    assert_eq!(d["section_count"].int(), Some(4));
    assert_eq!(d["paragraph_count"].int(), Some(15));
    assert_eq!(
        d["chrome_removed"].strs(),
        ["Leave a Reply", "Show Buttons", "Hide Buttons"]
    );
    assert_eq!(d["duplicate_of"], Val::Null);
    assert_eq!(d["warnings"].list(), []);

    // Word count of the body only: count it independently from the raw file's body lines.
    let raw = std::fs::read_to_string(repo().join(REF)).unwrap();
    let lines: Vec<&str> = raw.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("U.S. president"))
        .unwrap();
    let last = lines.iter().position(|l| *l == "Leave a Reply").unwrap();
    let words: usize = lines[first..last]
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    assert_eq!(d["word_count"].int(), Some(words as i64));
    let body = d["body"].str().unwrap();
    for bad in [
        "Leave a Reply",
        "Show Buttons",
        "Hide Buttons",
        "Bane Or Boon",
        "pm75",
        "Views: 133",
    ] {
        assert!(!body.contains(bad), "body contains {bad:?}");
    }
}

#[test]
fn paragraphs_and_sentences() {
    let (_d, out) = run_reference();
    let body = rows(&out, "documents")[0]["body"]
        .str()
        .unwrap()
        .to_string();
    let paras = rows(&out, "paragraphs");
    assert_eq!(paras.len(), 15);
    let per_section: Vec<usize> = (0..4)
        .map(|s| {
            paras
                .iter()
                .filter(|p| p["section_index"].int() == Some(s))
                .count()
        })
        .collect();
    assert_eq!(per_section, [4, 5, 3, 3]);
    for (i, p) in paras.iter().enumerate() {
        assert_eq!(p["paragraph_index"].int(), Some(i as i64));
        let text = p["text"].str().unwrap();
        assert_eq!(
            chars(&body, p["start"].int().unwrap(), p["end"].int().unwrap()),
            text,
            "paragraph {i}"
        );
        for chrome in ["Leave a Reply", "Show Buttons", "Hide Buttons"] {
            assert!(!text.contains(chrome));
        }
    }
    assert!(paras[0]["text"]
        .str()
        .unwrap()
        .starts_with("U.S. president, Donald J. Trump"));
    assert!(paras[14]["text"]
        .str()
        .unwrap()
        .ends_with("a real possibility."));

    let sents = rows(&out, "sentences");
    for (i, s) in sents.iter().enumerate() {
        assert_eq!(s["sentence_index"].int(), Some(i as i64));
        assert_eq!(
            chars(&body, s["start"].int().unwrap(), s["end"].int().unwrap()),
            s["text"].str().unwrap(),
            "sentence {i}"
        );
    }
    // Abbreviations do not end a sentence.
    let first = sents[0]["text"].str().unwrap();
    assert!(
        first.starts_with("U.S. president, Donald J. Trump, has pitched"),
        "{first}"
    );
    assert!(first.ends_with("strongly stating that “Peace through strength will be at the center of that foreign policy."), "{first}");
    // Every sentence lies inside its paragraph.
    for s in &sents {
        let p = &paras[s["paragraph_index"].int().unwrap() as usize];
        assert!(p["start"].int() <= s["start"].int() && s["end"].int() <= p["end"].int());
    }
    let text: Vec<String> = sents
        .iter()
        .map(|s| {
            format!(
                "{} p{} [{}..{}] {}",
                s["sentence_index"], s["paragraph_index"], s["start"], s["end"], s["text"]
            )
        })
        .collect();
    snapshot("reference_sentences.txt", &(text.join("\n") + "\n"));
}

#[test]
fn mentions_of_expected_actors() {
    let (_d, out) = run_reference();
    let ms = rows(&out, "mentions");
    let body = rows(&out, "documents")[0]["body"]
        .str()
        .unwrap()
        .to_string();
    let has = |id: &str, surface: &str| {
        ms.iter()
            .any(|m| m["actor_id"].str() == Some(id) && m["surface"].str() == Some(surface))
    };
    let expected: &[(&str, &[&str])] = &[
        (
            "USA",
            &[
                "U.S.",
                "US",
                "United States",
                "America",
                "American",
                "Americans",
            ],
        ),
        ("DONALD_TRUMP", &["Donald J. Trump", "Trump"]),
        ("JPN", &["Japan", "Japanese", "Tokyo"]),
        ("SHINZO_ABE", &["Shinzo Abe", "Abe"]),
        ("CHN", &["China", "Sino"]),
        ("PRK", &["North Korea"]),
        ("KOR", &["South Korea"]),
        ("TWN", &["Taiwan"]),
        ("IND", &["India"]),
        ("PHL", &["Philippines"]),
        ("ASEAN", &["ASEAN"]),
        ("TPP", &["Trans-Pacific Partnership (TPP)", "TPP"]),
        ("UNESCO", &["UNESCO"]),
        ("CHN.defense", &["Chinese Defense Ministry"]),
        ("SOUTH_CHINA_SEA", &["South China Sea"]),
        ("EAST_CHINA_SEA", &["East China Sea"]),
        ("SENKAKU_DIAOYU_ISLANDS", &["Diaoyu Islands"]),
        ("KOREAN_PENINSULA", &["Korean peninsula"]),
    ];
    for (id, surfaces) in expected {
        for s in *surfaces {
            assert!(has(id, s), "missing mention {s:?} of {id}");
        }
    }
    assert!(
        ms.iter()
            .any(|m| m["surface"].str().is_some_and(|s| s.contains("Nanking"))),
        "Nanking"
    );
    // `Trump’s` counts for Trump; `Sino-Japanese` for China and Japan.
    assert!(
        body.contains("Trump’s")
            && ms
                .iter()
                .filter(|m| m["actor_id"].str() == Some("DONALD_TRUMP"))
                .count()
                >= 10
    );
    let affiliation = ms
        .iter()
        .find(|m| m["actor_id"].str() == Some("DONALD_TRUMP"))
        .unwrap()["affiliation"]
        .str()
        .map(String::from);
    assert_eq!(affiliation.as_deref(), Some("USA"));
    // `South China Sea` is not also China, and no mention is in chrome.
    for m in &ms {
        let (s, e) = (m["start"].int().unwrap(), m["end"].int().unwrap());
        assert_eq!(chars(&body, s, e), m["surface"].str().unwrap());
        if m["actor_id"].str() == Some("CHN") {
            let around = chars(&body, (s - 6).max(0), e + 4);
            assert!(
                !around.contains("China Sea"),
                "China inside a sea name: {around}"
            );
        }
    }
}

#[test]
fn quotes_with_speakers() {
    let (_d, out) = run_reference();
    let qs = rows(&out, "quotes");
    let find = |start: &str| {
        qs.iter()
            .find(|q| q["text"].str().is_some_and(|t| t.starts_with(start)))
            .unwrap_or_else(|| panic!("no quote starting {start:?}"))
    };
    let peace = find("Peace through strength");
    assert_eq!(peace["kind"].str(), Some("statement"));
    assert_eq!(peace["speaker"].str(), Some("Donald Trump"));
    assert_eq!(peace["speaker_actor_id"].str(), Some("DONALD_TRUMP"));
    assert_eq!(peace["cue"].str(), Some("stating"));
    assert_eq!(
        find("strategy starts by withdrawing")["kind"].str(),
        Some("statement")
    );
    for phrase in [
        "America First",
        "America Alone",
        "through tough and fair agreement",
        "may very well off",
    ] {
        let q = find(phrase);
        assert_eq!(q["kind"].str(), Some("phrase"), "{phrase}");
    }
    assert_eq!(
        qs.iter()
            .filter(|q| q["text"].str() == Some("America First"))
            .count(),
        3
    );
    let well_off = find("may very well off");
    assert_eq!(well_off["speaker"].str(), Some("Donald Trump"));
    assert_eq!(well_off["cue"].str(), Some("speculated"));
    let ren = find("China is looking forward to work with the US");
    assert_eq!(ren["kind"].str(), Some("reported"));
    assert_eq!(ren["speaker"].str(), Some("Ren Guoquiang"));
    assert_eq!(
        ren["speaker_role"].str(),
        Some("Chinese Defense Ministry spokesperson")
    );
    assert_eq!(ren["speaker_actor_id"].str(), Some("CHN"));
    assert_eq!(ren["cue"].str(), Some("stated"));
    let text: Vec<String> = qs
        .iter()
        .map(|q| {
            format!(
                "{} p{} {} | {} | {} | {} | {}",
                q["quote_index"],
                q["paragraph_index"],
                q["kind"],
                q["text"],
                q["speaker"],
                q["speaker_actor_id"],
                q["cue"]
            )
        })
        .collect();
    snapshot("reference_quotes.txt", &(text.join("\n") + "\n"));
}

/// Signs of tone, stance and relations as `expected.md` gives them from a careful human reading.
#[test]
fn stances_and_relations_follow_a_human_reading() {
    let (_d, out) = run_reference();
    let rel = rows(&out, "relations");
    let doc_pair = |a: &str, b: &str| {
        rel.iter()
            .find(|r| {
                r["scope"].str() == Some("document")
                    && r["actor_a"].str() == Some(a)
                    && r["actor_b"].str() == Some(b)
            })
            .unwrap_or_else(|| panic!("no document relation {a}–{b}"))
    };
    let score = |r: &std::collections::BTreeMap<String, Val>| match r["score"] {
        Val::Float(x) => x,
        ref v => panic!("score {v}"),
    };
    let f = |r: &std::collections::BTreeMap<String, Val>, k: &str| match r[k] {
        Val::Float(x) => x,
        ref v => panic!("{k} {v}"),
    };
    // United States – Japan: cooperative (alliance, personal ties) tempered by doubt; net positive.
    let us_jp = doc_pair("JPN", "USA");
    assert!(score(us_jp) > 0.0, "US–Japan {us_jp:?}");
    let cues = us_jp["cues"].strs();
    assert!(cues.iter().any(|c| c == "alliance"), "{cues:?}");
    assert!(cues.iter().any(|c| c == "personal ties"), "{cues:?}");
    assert!(f(us_jp, "conflict") > 0.0, "doubt is found too: {us_jp:?}");
    // United States – China: hostility with a cooperative strand; net below US–Japan.
    let us_cn = doc_pair("CHN", "USA");
    assert!(score(us_cn) < score(us_jp), "{us_cn:?} vs {us_jp:?}");
    let cues = us_cn["cues"].strs();
    assert!(cues.iter().any(|c| c == "deep mistrust"), "{cues:?}");
    assert!(cues.iter().any(|c| c == "deepen mutual trust"), "{cues:?}");
    assert!(f(us_cn, "conflict") > 0.0 && f(us_cn, "cooperation") > 0.0);
    // North Korea with Japan and with the United States: hostile.
    for (a, b) in [("JPN", "PRK"), ("PRK", "USA")] {
        let r = doc_pair(a, b);
        assert!(score(r) < 0.0, "{a}–{b} {r:?}");
        assert_eq!(r["label"].str(), Some("conflict"), "{a}–{b}");
    }
    // China – Japan: both strands found, the article's verdict leans positive.
    let cn_jp = doc_pair("CHN", "JPN");
    assert!(
        f(cn_jp, "conflict") > 0.0 && f(cn_jp, "cooperation") > 0.0,
        "{cn_jp:?}"
    );
    assert!(score(cn_jp) > 0.0, "{cn_jp:?}");
    // Every evidence index is a sentence of the document.
    let n_sentences = rows(&out, "sentences").len() as i64;
    for r in &rel {
        for e in r["evidence"].list() {
            assert!((0..n_sentences).contains(&e.int().unwrap()));
        }
    }

    // The quoted Ren Guoquiang statement is China's, and cooperative toward the United States.
    let st = rows(&out, "stances");
    let quotes = rows(&out, "quotes");
    let ren = quotes
        .iter()
        .find(|q| q["speaker"].str() == Some("Ren Guoquiang"))
        .unwrap();
    let ren_us = st
        .iter()
        .find(|s| {
            s["scope"].str() == Some("quote")
                && s["quote_index"] == ren["quote_index"]
                && s["target"].str() == Some("USA")
        })
        .expect("a stance of the Ren quotation toward the US");
    assert_eq!(ren_us["holder"].str(), Some("CHN"));
    assert_eq!(ren_us["label"].str(), Some("favor"), "{ren_us:?}");
    assert!(ren_us["cues"]
        .strs()
        .iter()
        .any(|c| c == "looking forward to work with"));
    // The author is against the TPP only in the sense of withdrawing from it; that cue is found.
    let tpp = st
        .iter()
        .find(|s| s["scope"].str() == Some("document") && s["target"].str() == Some("TPP"))
        .expect("TPP is a target");
    assert!(tpp["cues"].strs().iter().any(|c| c == "withdrawing from"));
    // Slogans take no stance: no quote-scope row comes from “America First”.
    for s in &st {
        if let Some(q) = s["quote_index"].int() {
            let quote = quotes
                .iter()
                .find(|x| x["quote_index"].int() == Some(q))
                .unwrap();
            assert_ne!(quote["kind"].str(), Some("phrase"), "{s:?}");
        }
    }
    // Tone: every sentence is scored, and the paragraph on the alliance (¶4) reads positive.
    let paras = rows(&out, "paragraphs");
    assert!(f(&paras[4], "tone") > 0.3, "{:?}", paras[4]);
    let doc = &rows(&out, "documents")[0];
    let (pos, neg, pol) = (
        f(doc, "positive_pct"),
        f(doc, "negative_pct"),
        f(doc, "polarity_pct"),
    );
    assert!(pos > 0.0 && neg > 0.0 && (pol - pos - neg).abs() < 1e-4);
}
