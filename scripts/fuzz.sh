#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after another, each for SECONDS on one core, and prints one line
# per target from libFuzzer's final stats. See docs/fuzzing.md.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 600 s, every target
#
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. The
# sanitizer is off (`-s none`): the crate has no `unsafe` code, so AddressSanitizer would only
# halve the speed; the targets' own assertions are what find bugs. The growing corpus goes to
# fuzz/corpus/<target> (not in git); the seeds and the regressions are read as extra corpora.
# Crash, timeout and OOM inputs land in fuzz/artifacts/<target>/: copy each into
# fuzz/regressions/<target>/ under a descriptive name once fixed.
set -euo pipefail

cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(dateline segment quotes html json warc)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}

mkdir -p fuzz/logs
summary=()
status=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "fuzz/seeds/$t" "fuzz/regressions/$t"
    before=$(find "fuzz/artifacts/$t" -type f | wc -l)
    log="fuzz/logs/$t.log"
    echo "== $t: ${secs}s (log: $log)"
    set +e
    cargo fuzz run --fuzz-dir fuzz -s none --release "$t" \
        "fuzz/corpus/$t" "fuzz/seeds/$t" "fuzz/regressions/$t" -- \
        -max_len=65536 -rss_limit_mb=2048 -timeout=10 -max_total_time="$secs" \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    after=$(find "fuzz/artifacts/$t" -type f | wc -l)
    # The last status line (`#N DONE cov: … ft: … corp: …`), and the final stats block.
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    stat() { grep -E "^stat::$1:" "$log" | awk '{print $2}' | tail -1; }
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    # libFuzzer's corpus (units it keeps) and the files in the corpus folder (never minimised).
    corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
    files=$(find "fuzz/corpus/$t" -type f | wc -l)
    line=$(printf '%-9s rc=%-3s execs=%-10s exec/s=%-7s cov=%-6s ft=%-7s corpus=%-6s files=%-6s new_crashes=%s' \
        "$t" "$rc" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$files" "$((after - before))")
    echo "$line"
    summary+=("$line")
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E 'panicked at|Test unit written to' "$log" | head -5 || true
    fi
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
