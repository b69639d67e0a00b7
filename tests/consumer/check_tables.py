"""Reads stancemill's tables with real consumers (DuckDB and pyarrow) and checks them.

Usage: python check_tables.py OUTPUT_DIR
Run by tests/consumer.rs on the sample corpus; exits non-zero with a message on the first failure.
"""

import glob
import sys

import duckdb
import pyarrow.parquet as pq

out = sys.argv[1]
con = duckdb.connect()


def q(sql):
    return con.execute(sql.replace("T(", f"'{out}/").replace(")T", "/*.parquet'")).fetchall()


def check(cond, msg):
    if not cond:
        print(f"FAIL: {msg}", file=sys.stderr)
        sys.exit(1)


# Row counts agree with the runs table.
cur = con.execute(f"select * from '{out}/runs/*.parquet'")
row = cur.fetchone()
run = dict(zip([d[0] for d in cur.description], row))
for table in ["documents", "paragraphs", "sentences", "mentions", "quotes", "rejects"]:
    n = q(f"select count(*) from T({table})T")[0][0]
    check(n == run[table], f"{table}: {n} rows, runs says {run[table]}")
check(run["files_seen"] == run["documents"] + run["rejects"], "files_seen = documents + rejects")

# Column types as DuckDB sees them.
types = {r[0]: r[1] for r in q("describe select * from T(documents)T")}
for col, want in {
    "published_at": "TIMESTAMP",
    "published_utc": "TIMESTAMP WITH TIME ZONE",
    "chrome_removed": "VARCHAR[]",
    "warnings": "VARCHAR[]",
    "word_count": "INTEGER",
    "comment_count": "BIGINT",
    "title": "VARCHAR",
}.items():
    check(types.get(col) == want, f"documents.{col} is {types.get(col)}, want {want}")
ptypes = {r[0]: r[1] for r in q("describe select * from T(paragraphs)T")}
check(ptypes["start"] == "INTEGER" and ptypes["end"] == "INTEGER", f"paragraph offsets: {ptypes}")

# The README's first query.
ref = q(
    "select title, published_at, comment_count, view_count from T(documents)T "
    "where source_path like '%bane-or-boon.txt'"
)
check(len(ref) == 1, "reference article present")
title, published_at, comments, views = ref[0]
check(title == "Bane Or Boon – The Future Of Sino-Japanese Relations Under Trump", title)
check(str(published_at) == "2017-12-02 12:58:00", str(published_at))
check((comments, views) == (75, 133), (comments, views))

# documents joins paragraphs and sentences on doc_id, and offsets slice the body in DuckDB.
joined = q(
    "select count(*) from T(documents)T d join T(paragraphs)T p using (doc_id) "
    "join T(sentences)T s on s.doc_id = p.doc_id and s.paragraph_index = p.paragraph_index"
)[0][0]
check(joined == run["sentences"], f"join gives {joined} rows, want {run['sentences']}")
bad = q(
    "select count(*) from T(documents)T d join T(paragraphs)T p using (doc_id) "
    "where substr(d.body, p.start + 1, p.\"end\" - p.start) <> p.text"
)[0][0]
check(bad == 0, f"{bad} paragraphs whose offsets do not slice the body")
bad = q(
    "select count(*) from T(documents)T d join T(sentences)T s using (doc_id) "
    "where substr(d.body, s.start + 1, s.\"end\" - s.start) <> s.text"
)[0][0]
check(bad == 0, f"{bad} sentences whose offsets do not slice the body")
orphans = q("select count(*) from T(paragraphs)T p anti join T(documents)T d using (doc_id)")[0][0]
check(orphans == 0, "paragraphs without a document")
chrome = q("select count(*) from T(paragraphs)T where text ilike '%leave a reply%' or text ilike '%show buttons%'")[0][0]
check(chrome == 0, "chrome in paragraphs")
check(q("select count(*) from T(rejects)T where reason is null or message = ''")[0][0] == 0, "rejects have reasons")

# mentions and quotes join sentences and documents; their offsets slice the body.
orphans = q(
    "select count(*) from T(mentions)T m anti join T(sentences)T s "
    "on s.doc_id = m.doc_id and s.sentence_index = m.sentence_index"
)[0][0]
check(orphans == 0, f"{orphans} mentions without their sentence")
inside = q(
    "select count(*) from T(mentions)T m join T(sentences)T s "
    "on s.doc_id = m.doc_id and s.sentence_index = m.sentence_index "
    "where m.start < s.start or m.\"end\" > s.\"end\""
)[0][0]
check(inside == 0, f"{inside} mentions outside their sentence")
bad = q(
    "select count(*) from T(documents)T d join T(mentions)T m using (doc_id) "
    "where substr(d.body, m.start + 1, m.\"end\" - m.start) <> m.surface"
)[0][0]
check(bad == 0, f"{bad} mentions whose offsets do not slice the body")
bad = q(
    "select count(*) from T(documents)T d join T(quotes)T x using (doc_id) "
    "where substr(d.body, x.start + 1, x.\"end\" - x.start) <> x.text"
)[0][0]
check(bad == 0, f"{bad} quotes whose offsets do not slice the body")
check(q("select count(*) from T(quotes)T x anti join T(sentences)T s using (doc_id, sentence_index)")[0][0] == 0, "quotes join sentences")
mtypes = {r[0]: r[1] for r in q("describe select * from T(mentions)T")}
check(mtypes["actor_id"] == "VARCHAR" and mtypes["start"] == "INTEGER", f"mention types {mtypes}")
# The README's example: who is quoted most about China.
readme_query = """
select q.speaker, count(distinct (q.doc_id, q.quote_index)) as quotes
from T(quotes)T q
join T(mentions)T m
  on m.doc_id = q.doc_id and m.start >= q.start and m."end" <= q."end"
where m.actor_id = 'CHN' and q.speaker is not null
group by q.speaker order by quotes desc, q.speaker limit 10
"""
top = q(readme_query)
check(len(top) >= 1, "who is quoted most about China: no rows")
print("quoted most about China:", top[:3])

# pyarrow reads the same files, with the schema version and pipeline hash in the metadata.
for table in ["documents", "paragraphs", "sentences", "mentions", "quotes", "rejects", "runs"]:
    files = glob.glob(f"{out}/{table}/*.parquet")
    check(len(files) == 1, f"{table}: {files}")
    pq.read_table(files[0])
    meta = {k.decode(): v.decode() for k, v in (pq.ParquetFile(files[0]).metadata.metadata or {}).items()}
    check(meta.get("stancemill.schema_version") == "1", f"{table} metadata {meta.keys()}")
    check(meta.get("stancemill.pipeline_hash") == run["pipeline_hash"], f"{table} pipeline hash")
docs = pq.read_table(glob.glob(f"{out}/documents/*.parquet")[0]).to_pylist()
for d in docs:
    for p in q(f"select start, \"end\", text from T(paragraphs)T where doc_id = '{d['doc_id']}'"):
        check(d["body"][p[0]:p[1]] == p[2], "python slicing of body by offsets")

print(f"ok: {run['documents']} documents, {run['paragraphs']} paragraphs, {run['sentences']} sentences, {run['rejects']} rejects read back with duckdb {duckdb.__version__} and pyarrow")
