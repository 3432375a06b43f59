#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer, bounded in time: the MQTT decoder and the identity
# loader (PEM, keys, the key-pair check, the lint, the CRL parser), each for FUZZ_SECONDS (default
# 30). Built with AddressSanitizer and SanitizerCoverage into .build-fuzz; libFuzzer's driver comes
# from the toolchain's libclang_rt.fuzzer_no_main. Seeds: Fuzz/corpus/mqtt (committed bytes) and a
# fresh set of identities made by the identity target itself (no committed keys). A crash fails the
# script and leaves the input in .build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
swift=${SWIFT:-swift}
runtime="$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a"
[ -f "$runtime" ] || { echo "fuzz: libFuzzer runtime not found at $runtime"; exit 2; }
flags=(--scratch-path .build-fuzz -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
       -Xswiftc -parse-as-library -Xswiftc -DFUZZING -Xlinker "$runtime" -Xlinker -lstdc++)
for target in mqtt identity; do
  "$swift" build "${flags[@]}" --product "fleetsim-fuzz-$target" 2>&1 | grep -v "Cannot export local symbol" | grep -E "error|Compiling|Build" | tail -2
done
"$swift" build --product fleetsim-fuzz-identity >/dev/null   # the replay build makes the seed identities

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/mqtt" "$work/identity" .build-fuzz/crashes
cp Fuzz/corpus/mqtt/* "$work/mqtt/"
.build/debug/fleetsim-fuzz-identity --make-corpus "$work/identity" >/dev/null
total=0
for target in mqtt identity; do
  log="$work/$target.log"
  if ! .build-fuzz/debug/fleetsim-fuzz-$target -max_total_time="$seconds" -print_final_stats=1 -max_len=8192 \
       -artifact_prefix=.build-fuzz/crashes/$target- "$work/$target" >"$log" 2>&1; then
    tail -40 "$log"; echo "fuzz: $target FAILED (input in .build-fuzz/crashes/)"; exit 1
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{print $2}')
  units=$(grep -oE 'stat::new_units_added: *[0-9]+' "$log" | awk '{print $2}')
  total=$((total + runs))
  echo "fuzz: $target: $runs executions in ${seconds} s, $units new inputs, no crash"
done
echo "fuzz: $total executions in all, 0 crashes"
