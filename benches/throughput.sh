#!/usr/bin/env bash
# Throughput benchmark for `stancemill run`.
#
#   bash benches/throughput.sh
#
# Builds the release binary, generates the synthetic corpus bench-output/corpus-<MB>mb with
# benches/gen_corpus.py (seed 1; reused when it is already there), then runs
#
#   /usr/bin/time -v target/release/stancemill run CORPUS --output bench-output/out \
#       --overwrite --threads T --quiet
#
# for every corpus and thread count, BENCH_REPEAT times each, keeping the best wall time and the
# highest peak RSS. Documents are counted from the summary of one extra run without --quiet.
# Prints a Markdown table and saves it to bench-output/throughput.md.
#
# Environment:
#   BENCH_MB       size of the synthetic corpus in MB (10^6 bytes)   [200]
#   BENCH_REPEAT   timed runs per configuration                       [3]
#   BENCH_THREADS  thread counts, space-separated                     [1 2]
#   BENCH_CORPORA  corpora, space-separated, replacing the default
#                  [../shared/data/bbc bench-output/corpus-${BENCH_MB}mb]
#   BENCH_PIPELINE --pipeline for the runs, e.g. benches/no-scoring.toml to measure what
#                  scoring costs                                      [the built-in default]
#
# Exit codes 0 (all files became documents) and 1 (some files rejected) of stancemill count as
# success; anything else stops the benchmark.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_MB=${BENCH_MB:-200}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_THREADS=${BENCH_THREADS:-1 2}
SYNTH="bench-output/corpus-${BENCH_MB}mb"
BENCH_CORPORA=${BENCH_CORPORA:-../shared/data/bbc $SYNTH}
OUT=bench-output/out
BIN=target/release/stancemill
TIME=/usr/bin/time

die() {
    echo "throughput.sh: $*" >&2
    exit 1
}

[[ -x $TIME ]] || die "$TIME not found; install GNU time with: apt-get install time"
[[ $BENCH_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer (got '$BENCH_REPEAT')"
[[ $BENCH_MB =~ ^[0-9]+([.][0-9]+)?$ ]] || die "BENCH_MB must be a number (got '$BENCH_MB')"
for t in $BENCH_THREADS; do
    [[ $t =~ ^[1-9][0-9]*$ ]] || die "BENCH_THREADS must hold positive integers (got '$t')"
done
command -v python3 >/dev/null || die "python3 is needed to generate the synthetic corpus"

mkdir -p bench-output
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/stancemill-bench.XXXXXX")
trap 'rm -rf "$LOGS"' EXIT

echo "== cargo build --release" >&2
cargo build --release
[[ -x $BIN ]] || die "$BIN was not built"

# The synthetic corpus: generated into a temporary folder and renamed when complete, so an
# interrupted generation is never mistaken for a finished corpus.
for corpus in $BENCH_CORPORA; do
    if [[ $corpus == "$SYNTH" && ! -d $SYNTH ]]; then
        echo "== generating $SYNTH (${BENCH_MB} MB, seed 1)" >&2
        rm -rf "$SYNTH.partial"
        python3 benches/gen_corpus.py --out "$SYNTH.partial" --mb "$BENCH_MB" --seed 1 >&2
        mv "$SYNTH.partial" "$SYNTH"
    elif [[ $corpus == "$SYNTH" ]]; then
        echo "== reusing $SYNTH (delete it to regenerate)" >&2
    fi
done

# Runs stancemill once under /usr/bin/time; sets RUN_WALL (s), RUN_RSS_KB, RUN_RC.
# Wall time is taken with a nanosecond clock around the run (GNU time reports only 1/100 s).
run_once() {
    local corpus=$1 threads=$2 quiet=$3 errlog=$4
    local args=(run "$corpus" --output "$OUT" --overwrite --threads "$threads")
    [[ -n ${BENCH_PIPELINE:-} ]] && args+=(--pipeline "$BENCH_PIPELINE")
    [[ $quiet == quiet ]] && args+=(--quiet)
    local t0 t1
    t0=$(date +%s%N)
    set +e
    "$TIME" -v -o "$LOGS/time.txt" "$BIN" "${args[@]}" >"$LOGS/stdout.txt" 2>"$errlog"
    RUN_RC=$?
    set -e
    t1=$(date +%s%N)
    RUN_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    RUN_RSS_KB=$(awk -F': *' '/Maximum resident set size \(kbytes\)/ { print $2 }' "$LOGS/time.txt")
    RUN_RSS_KB=${RUN_RSS_KB:-0}
    if [[ $RUN_RC -ne 0 && $RUN_RC -ne 1 ]]; then
        echo "throughput.sh: stancemill exited with code $RUN_RC on $corpus (--threads $threads)" >&2
        echo "--- stderr:" >&2
        tail -n 40 "$errlog" >&2 || true
        echo "--- /usr/bin/time:" >&2
        head -n 5 "$LOGS/time.txt" >&2 || true
        exit 1
    fi
}

ROWS=()
for corpus in $BENCH_CORPORA; do
    name=${corpus%/}
    name=${name##*/}
    if [[ ! -d $corpus ]]; then
        echo "== skipping $corpus: folder not found" >&2
        continue
    fi
    bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

    # One run with the summary on, to count files and documents (the same for every thread
    # count); it also warms the page cache for the timed runs.
    first_threads=${BENCH_THREADS%% *}
    echo "== $corpus: $mb MB, counting documents" >&2
    run_once "$corpus" "$first_threads" verbose "$LOGS/summary.txt"
    summary=$(grep -E '^[0-9]+ files seen: [0-9]+ documents' "$LOGS/summary.txt" | tail -n 1 || true)
    [[ -n $summary ]] || {
        cat "$LOGS/summary.txt" >&2
        die "no '<N> files seen: <D> documents' line in the summary of $corpus"
    }
    files=$(sed -E 's/^([0-9]+) files seen: ([0-9]+) documents.*/\1/' <<<"$summary")
    docs=$(sed -E 's/^([0-9]+) files seen: ([0-9]+) documents.*/\2/' <<<"$summary")
    echo "   $summary (exit code $RUN_RC)" >&2

    for threads in $BENCH_THREADS; do
        best=""
        peak=0
        for ((i = 1; i <= BENCH_REPEAT; i++)); do
            run_once "$corpus" "$threads" quiet "$LOGS/stderr.txt"
            echo "   threads $threads, run $i/$BENCH_REPEAT: ${RUN_WALL}s, RSS $((RUN_RSS_KB / 1024)) MB, exit $RUN_RC" >&2
            if [[ -z $best ]] || awk -v a="$RUN_WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then
                best=$RUN_WALL
            fi
            if ((RUN_RSS_KB > peak)); then peak=$RUN_RSS_KB; fi
        done
        ROWS+=("$(awk -v n="$name" -v f="$files" -v mb="$mb" -v bytes="$bytes" -v t="$threads" \
            -v w="$best" -v d="$docs" -v rss="$peak" 'BEGIN {
                w = (w > 0) ? w : 0.001
                printf "| %s | %d | %s | %d | %.2f | %.1f | %.0f | %.0f |", n, f, mb, t, w, bytes / 1e6 / w, d / w, rss / 1024
            }')")
    done
done

[[ ${#ROWS[@]} -gt 0 ]] || die "no corpus was benchmarked"

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null || true) ]]; then
    rev="$rev+dirty"
fi
{
    echo "| corpus | files | MB | threads | wall s | MB/s | docs/s | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Best of $BENCH_REPEAT runs; $(date -u +%Y-%m-%d), commit $rev, ${cpu:-unknown CPU}, $(nproc) cores."
} | tee bench-output/throughput.md
echo "(saved to bench-output/throughput.md)" >&2
