#!/usr/bin/env bash
# Runs the eBPF ring-buffer benchmarks beside a C consumer of the same ring and prints a table
# with the ratios and the targets (io.aem.jmh.BpfSummary). Needs root (or CAP_BPF+CAP_PERFMON),
# libbpf.so.1 and libbpf-dev's headers (installed with apt-get when missing and running as root).
#
#   jmh/run-bpf-benchmarks.sh                          # both, 3 rounds
#   ROUNDS=1 BENCH=latency jmh/run-bpf-benchmarks.sh   # a quicker look
#
# Both use the committed kernel/src/main/resources/io/aem/kernel/aem_attrs.bpf.o (chmod/chown
# calls; the C consumer opens that file, the library the same bytes from its jar, which the script
# checks) with the filter set to the tgid of src/main/c/bpf_producer.c, which pins itself to
# SENDER_CPU and calls fchmod when told. Every consumer runs on RECEIVER_CPU (the C program pins
# itself, the JVMs run under taskset and pin their loop).
#
# The benchmarks (BENCH, any of "latency drain"):
#   latency  the record's bpf_ktime_get_ns() (at the call's entry) -> the consumer holds it, one
#            call at a time (the producer pauses GAP_US before each): C (bpf_consumer.c latency,
#            libbpf ring_buffer__poll, the clock read first in the callback) and the library
#            (io.aem.jmh.BpfLatency: Aem.attributeChanges, unbounded demand, System.nanoTime()
#            first in onNext). Same warm-up and sample counts; p50/p90/p99/p99.9.
#   drain    records per second delivered. "backlog": no demand (C: no read) while the producer
#            makes DRAIN_COUNT calls into a DRAIN_RING_BYTES ring, which fills and drops the rest;
#            then demand (C: ring_buffer__consume) and the records of the full ring over the time
#            to the last one. "live": unbounded demand while the producer runs; bounded by the
#            producer (a few hundred thousand calls per second on two cores). Both check
#            delivered + lost == produced. C: bpf_consumer.c drain; Java: io.aem.jmh.BpfDrainRate,
#            after DRAIN_WARMUP warm-up cycles for the JIT (their figures are kept as warmup-N.*).
# Each round runs C, Java, C for each benchmark (the Java figure is compared with the mean of the
# C runs around it, as run-benchmarks.sh does); even rounds run drain before latency.
#
# Environment: ROUNDS (default 3, at most 10), BENCH (default "latency drain"), RECEIVER_CPU
# (default 0), SENDER_CPU (the producer's, default 1), LAT_WARMUP (default 10000), LAT_ITERATIONS
# (default 5000), GAP_US (default 100), LAT_RING_BYTES (default 262144, the library's default),
# DRAIN_MODES (default "backlog live"), DRAIN_COUNT (default 1000000), DRAIN_SECONDS (default 10),
# DRAIN_THREADS (default 1), DRAIN_RING_BYTES (default 268435456: about 800,000 records of 336
# bytes), BATCH_BYTES (the library's batch buffer, default 65536), DRAIN_WARMUP (cycles the JVM
# runs before the measured one, default 3: the first drains are JIT-bound),
# OUT (default jmh/target/bench-results/<UTC time>-bpf), JAVA (default java).
# Every program runs under timeout; every count and time is bounded.
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-latency drain}
RECEIVER_CPU=${RECEIVER_CPU:-0}
SENDER_CPU=${SENDER_CPU:-1}
LAT_WARMUP=${LAT_WARMUP:-10000}
LAT_ITERATIONS=${LAT_ITERATIONS:-5000}
GAP_US=${GAP_US:-100}
LAT_RING_BYTES=${LAT_RING_BYTES:-262144}
DRAIN_MODES=${DRAIN_MODES:-backlog live}
DRAIN_COUNT=${DRAIN_COUNT:-1000000}
DRAIN_SECONDS=${DRAIN_SECONDS:-10}
DRAIN_THREADS=${DRAIN_THREADS:-1}
DRAIN_RING_BYTES=${DRAIN_RING_BYTES:-268435456}
BATCH_BYTES=${BATCH_BYTES:-65536}
DRAIN_WARMUP=${DRAIN_WARMUP:-3}
JAVA=${JAVA:-java}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
object=$root/kernel/src/main/resources/io/aem/kernel/aem_attrs.bpf.o
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-bpf}

die() {
    echo "run-bpf-benchmarks: $*" >&2
    exit 1
}
number() { # name value lo hi
    [[ $2 =~ ^[0-9]+$ ]] && (($2 >= $3 && $2 <= $4)) || die "$1 must be $3-$4, was '$2'"
}
power_of_two() { # name value
    (($2 >= 4096 && ($2 & ($2 - 1)) == 0)) || die "$1 must be a power of two of at least 4096, was $2"
}

number ROUNDS "$ROUNDS" 1 10
number LAT_WARMUP "$LAT_WARMUP" 0 200000
number LAT_ITERATIONS "$LAT_ITERATIONS" 1 200000
number GAP_US "$GAP_US" 0 100000
number LAT_RING_BYTES "$LAT_RING_BYTES" 4096 1073741824
power_of_two LAT_RING_BYTES "$LAT_RING_BYTES"
number DRAIN_COUNT "$DRAIN_COUNT" 1 20000000
number DRAIN_SECONDS "$DRAIN_SECONDS" 1 60
number DRAIN_THREADS "$DRAIN_THREADS" 1 64
# At most 512 MiB: the library maps the data area twice into one ByteBuffer (int-sized).
number DRAIN_RING_BYTES "$DRAIN_RING_BYTES" 4096 536870912
power_of_two DRAIN_RING_BYTES "$DRAIN_RING_BYTES"
number BATCH_BYTES "$BATCH_BYTES" 1024 67108864
number DRAIN_WARMUP "$DRAIN_WARMUP" 0 10
for b in $BENCH; do
    [[ $b == latency || $b == drain ]] || die "unknown benchmark '$b' in BENCH"
done
for m in $DRAIN_MODES; do
    [[ $m == backlog || $m == live ]] || die "unknown drain mode '$m' in DRAIN_MODES"
done
for tool in gcc "$JAVA" timeout taskset; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done
want() { [[ " $BENCH " == *" $1 "* ]]; }
[[ -f $object ]] || die "$object is missing"
[[ $(id -u) == 0 ]] || echo "note: not root: loading needs CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN)"
if [[ ! -f /usr/include/bpf/libbpf.h ]]; then
    [[ $(id -u) == 0 ]] || die "libbpf-dev's headers are missing; install them as root (apt-get install libbpf-dev)"
    echo "installing libbpf-dev"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q libbpf-dev >/dev/null ||
        die "apt-get install libbpf-dev failed"
fi

source "$here/bench-cpus.sh"
source "$here/bench-jar.sh"

if command -v unzip >/dev/null; then
    unzip -p "$jar" io/aem/kernel/aem_attrs.bpf.o | cmp -s - "$object" ||
        die "the jar's io/aem/kernel/aem_attrs.bpf.o differs from $object: rebuild the jar"
fi

mkdir -p "$here/target"
gcc -O2 -Wall -Wextra -pthread -o "$here/target/bpf_producer" "$here/src/main/c/bpf_producer.c"
gcc -O2 -Wall -Wextra -pthread -o "$here/target/bpf_consumer" "$here/src/main/c/bpf_consumer.c" -l:libbpf.so.1

work=$(mktemp -d /dev/shm/aem-bpf-bench.XXXXXX)
trap 'rm -rf -- "$work"' EXIT

mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpus: $(nproc) (allowed: $allowed)"
    echo "cpu model: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "gcc: $(gcc --version | head -1)"
    echo "libbpf: $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo unknown)"
    echo "object: $object ($(sha256sum "$object" | cut -c1-16))"
    echo "pinning: consumers CPU $RECEIVER_CPU, producer CPU $SENDER_CPU"
    echo "rounds: $ROUNDS; benchmarks: $BENCH"
    echo "latency: $LAT_WARMUP warm-up + $LAT_ITERATIONS samples, gap $GAP_US us, ring $LAT_RING_BYTES bytes"
    echo "drain: modes $DRAIN_MODES; $DRAIN_COUNT calls at most, $DRAIN_SECONDS s at most, $DRAIN_THREADS thread(s);" \
        "ring $DRAIN_RING_BYTES bytes; library batch $BATCH_BYTES bytes; $DRAIN_WARMUP warm-up cycle(s) in the JVM"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

c_latency() {
    timeout 300 "$here/target/bpf_consumer" "$object" "$here/target/bpf_producer" "$SENDER_CPU" "$work" \
        "$RECEIVER_CPU" "$LAT_RING_BYTES" latency "$LAT_WARMUP" "$LAT_ITERATIONS" "$GAP_US" >"$1" 2>"$1.log" ||
        die "bpf_consumer latency failed; see $1.log"
}
java_latency() {
    local dir=$1
    AEM_JMH_OUT=$dir timeout 300 taskset -c "$RECEIVER_CPU" "$JAVA" -Xms256m -Xmx256m \
        -Daem.bench.receiverCpu="$RECEIVER_CPU" -cp "$jar" io.aem.jmh.BpfLatency "$here/target/bpf_producer" \
        "$SENDER_CPU" "$work" "$LAT_RING_BYTES" "$LAT_WARMUP" "$LAT_ITERATIONS" "$GAP_US" \
        >"$dir/latency-flux.log" 2>&1 || die "BpfLatency failed; see $dir/latency-flux.log"
}
c_drain() {
    local file=$1 mode=$2
    timeout $((DRAIN_SECONDS + 60)) "$here/target/bpf_consumer" "$object" "$here/target/bpf_producer" "$SENDER_CPU" \
        "$work" "$RECEIVER_CPU" "$DRAIN_RING_BYTES" drain "$mode" "$DRAIN_COUNT" "$DRAIN_SECONDS" "$DRAIN_THREADS" \
        >"$file" 2>"$file.log" || die "bpf_consumer drain $mode failed; see $file.log"
}
java_drain() {
    local dir=$1 mode=$2
    AEM_JMH_OUT=$dir timeout $(((DRAIN_SECONDS + 30) * (DRAIN_WARMUP + 1) + 30)) taskset -c "$RECEIVER_CPU" "$JAVA" \
        -Xms512m -Xmx512m -Daem.bench.receiverCpu="$RECEIVER_CPU" -cp "$jar" io.aem.jmh.BpfDrainRate "$mode" \
        "$here/target/bpf_producer" "$SENDER_CPU" "$work" "$DRAIN_RING_BYTES" "$BATCH_BYTES" "$DRAIN_COUNT" \
        "$DRAIN_SECONDS" "$DRAIN_THREADS" "$DRAIN_WARMUP" >"$dir/drain-$mode.log" 2>&1 ||
        die "BpfDrainRate $mode failed; see $dir/drain-$mode.log"
}
run_latency() {
    echo "round $k of $ROUNDS: latency"
    local dir=$out/round-$k/latency
    mkdir -p "$dir"
    c_latency "$dir/c-before.txt"
    java_latency "$dir"
    c_latency "$dir/c-after.txt"
}
run_drain() {
    local dir=$out/round-$k/drain mode
    mkdir -p "$dir"
    for mode in $DRAIN_MODES; do
        echo "round $k of $ROUNDS: drain $mode"
        c_drain "$dir/c-$mode-before.txt" "$mode"
        java_drain "$dir" "$mode"
        c_drain "$dir/c-$mode-after.txt" "$mode"
    done
}

for ((k = 1; k <= ROUNDS; k++)); do
    if ((k % 2 == 1)); then
        if want latency; then run_latency; fi
        if want drain; then run_drain; fi
    else
        if want drain; then run_drain; fi
        if want latency; then run_latency; fi
    fi
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$JAVA" -cp "$jar" io.aem.jmh.BpfSummary "$out" "$ROUNDS" | tee "$out/summary.txt"
echo "results in $out"
