#!/usr/bin/env bash
# Builds the libFuzzer target with clang (-fsanitize=fuzzer,address,undefined) and fuzzes Verify() from the
# seed corpus. New inputs go to a scratch corpus, never into the repository.
#   cpp/verifier/fuzz/run.sh [seconds=60] [extra libFuzzer flags...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
seconds="${1:-60}"
shift || true
work="${FUZZ_WORKDIR:-$(mktemp -d /tmp/verify_fuzz.XXXXXX)}"
mkdir -p "$work/corpus"
CXX="${CXX:-clang++}"
srcs=()
for f in bigint rational extract canonical parse evaluate realset simplify compare verify; do srcs+=("$repo/cpp/verifier/$f.cc"); done
echo "building $work/verify_fuzz" >&2
# shellcheck disable=SC2046
"$CXX" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$repo" \
  "${srcs[@]}" "$here/verify_fuzz.cc" -o "$work/verify_fuzz" \
  $(pkg-config --cflags --libs absl_strings absl_status absl_statusor absl_time absl_str_format)
echo "fuzzing for ${seconds}s; crashes land in $work" >&2
cd "$work"
exec ./verify_fuzz -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
  -dict="$here/latex.dict" "$@" "$work/corpus" "$here/corpus"
