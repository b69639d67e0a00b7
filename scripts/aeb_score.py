#!/usr/bin/env python3
"""Article-body accuracy on the Scrapinghub article-extraction benchmark (181 real news pages).

    python3 scripts/aeb_score.py                 # run stancemill on the pages, score the bodies
    python3 scripts/aeb_score.py --warc          # the same pages read from the constructed WARC
    python3 scripts/aeb_score.py --pred-dir D    # score D/<id>.txt files (another extractor's output)

The metric is the benchmark's own: word 4-gram shingles of the extracted text against the
ground-truth `articleBody`, precision/recall/F1 per document, averaged over documents (a page with
no output scores 0). Data: ../shared/data/html/scrapinghub_aeb/ (never copied into the repository);
the script says so and exits 0 when it is absent. Needs pyarrow (or runs itself again with the test
venv's Python, target/test-venv, which `bash scripts/test.sh` creates).
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "html", "scrapinghub_aeb")
WARC = os.path.join(ROOT, "..", "shared", "data", "warc", "constructed", "aeb_news_181.warc.gz")
TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = TOKEN.findall(text or "")
    return Counter(" ".join(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def score(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    prec = tp / (tp + fp) if tp + fp else (1.0 if not t else 0.0)
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def read_bodies(out):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        venv_dir = os.path.join(ROOT, "target", "test-venv")
        venv = os.path.join(venv_dir, "bin", "python")
        if os.path.exists(venv) and os.path.realpath(sys.prefix) != os.path.realpath(venv_dir):
            os.execv(venv, [venv] + sys.argv)
        sys.exit("pyarrow is needed: run `bash scripts/test.sh` once (it makes target/test-venv)")
    t = pq.read_table(os.path.join(out, "documents")).to_pylist()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warc", action="store_true", help="read the pages from the constructed WARC")
    ap.add_argument("--pred-dir", help="score <id>.txt files from this folder instead")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages")
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        print(f"skipped: {DATA} is absent")
        return
    pages = os.path.join(DATA, "pages")
    truth, by_url = {}, {}
    for f in sorted(os.listdir(pages)):
        if f.endswith(".json"):
            j = json.load(open(os.path.join(pages, f), encoding="utf-8"))
            truth[j["id"]] = j["articleBody"]
            by_url[j["url"]] = j["id"]
    pred = {}
    if args.pred_dir:
        for i in truth:
            p = os.path.join(args.pred_dir, i + ".txt")
            if os.path.exists(p):
                pred[i] = open(p, encoding="utf-8").read()
    else:
        out = os.path.join(ROOT, "target", "aeb-out")
        src = WARC if args.warc else pages
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "release", "stancemill")
        r = subprocess.run([exe, "run", "-q", "--overwrite", "-j", args.threads, "-o", out, src,
                            "-p", os.path.join(ROOT, "scripts", "aeb.toml")], cwd=ROOT)
        if r.returncode == 2:
            sys.exit("stancemill failed")
        for row in read_bodies(out):
            if args.warc:
                key = by_url.get(row["url"])
            else:
                key = os.path.basename(row["source_path"]).rsplit(".", 1)[0]
            if key in truth:
                pred[key] = row["body"]
    rows = [(i,) + score(truth[i], pred.get(i, "")) for i in sorted(truth)]
    n = len(rows)
    p = sum(r[1] for r in rows) / n
    r_ = sum(r[2] for r in rows) / n
    f = sum(r[3] for r in rows) / n
    print(f"pages {n}, extracted {len(pred)}: precision {p:.3f} recall {r_:.3f} F1 {f:.3f}")
    for row in sorted(rows, key=lambda r: r[3])[: args.worst]:
        print(f"  {row[0][:16]}  P {row[1]:.2f} R {row[2]:.2f} F1 {row[3]:.2f}")


if __name__ == "__main__":
    main()
