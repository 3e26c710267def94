#!/usr/bin/env bash
# Runs the eventfd benchmarks (io.aem.jmh.EventFdLatency, UserEventThroughput, SignalCost) beside
# their C references (src/main/c/*.c, compiled here with gcc) and prints a table with the ratios.
#
#   jmh/run-benchmarks.sh                # from anywhere; about 8 minutes with the default 6 rounds
#   ROUNDS=1 jmh/run-benchmarks.sh       # a quicker look
#
# Each round runs, for latency: the C reference, the two Java variants (each a JMH fork of its
# own), the C reference again; for throughput: the C write-per-signal reference, the C doorbell
# reference, the two Java variants, the C doorbell and C write references again. The Java figures
# are compared with the mean of the two runs of each C reference around them, because this kind
# of machine (a VM guest) drifts between regimes over seconds; the table shows every round and
# the medians. The single-call costs (SignalCost) run once at the end.
#
# Environment: ROUNDS (default 6, at most 10), RECEIVER_CPU (default 0: the event loop, the JNA
# reader, the C reader), SENDER_CPU (default 1: the JMH thread, the C writer), OUT (results
# directory, default jmh/target/bench-results/<UTC time>), JAVA (default java).
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-6}
RECEIVER_CPU=${RECEIVER_CPU:-0}
SENDER_CPU=${SENDER_CPU:-1}
JAVA=${JAVA:-java}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}

die() {
    echo "run-benchmarks: $*" >&2
    exit 1
}

[[ $ROUNDS =~ ^[0-9]+$ ]] && ((ROUNDS >= 1 && ROUNDS <= 10)) || die "ROUNDS must be 1-10, was '$ROUNDS'"
for tool in gcc "$JAVA" timeout; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done

# The two CPUs must exist and be allowed to this process (taskset is in util-linux).
source "$here/bench-cpus.sh"

# Build the benchmark jar when it is missing or older than a source of the modules it contains.
source "$here/bench-jar.sh"

# The C references, rebuilt every run so that the compiler and flags are those of this machine.
mkdir -p "$here/target"
for prog in eventfd_pingpong eventfd_throughput; do
    gcc -O2 -Wall -Wextra -pthread -o "$here/target/$prog" "$here/src/main/c/$prog.c"
done

mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpus: $(nproc) (allowed: $allowed)"
    echo "cpu model: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "gcc: $(gcc --version | head -1)"
    echo "pinning: receiver CPU $RECEIVER_CPU, sender CPU $SENDER_CPU"
    echo "rounds: $ROUNDS"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

# The C references. Latency: 50,000 ping-pongs after 2,000 warm-up ones (two or three seconds).
# Throughput, in each of its two modes (write per signal, doorbell): the single-call costs, then
# a 1 s warm-up and five 1 s windows. They exit by themselves; timeout is only a guard.
c_latency() {
    timeout 120 "$here/target/eventfd_pingpong" 2000 50000 "$RECEIVER_CPU" "$SENDER_CPU" >"$1"
}
c_throughput() {
    timeout 60 "$here/target/eventfd_throughput" 1 5 1 "$RECEIVER_CPU" "$SENDER_CPU" write >"$1"
}
c_doorbell() {
    timeout 60 "$here/target/eventfd_throughput" 1 5 1 "$RECEIVER_CPU" "$SENDER_CPU" doorbell >"$1"
}

# One JMH benchmark with the forks, iteration counts and times of its annotations, unless more
# JMH options are given after the benchmark name.
jmh() {
    local dir=$1 name=$2
    shift 2
    AEM_JMH_OUT=$dir timeout 300 "$JAVA" -Duser.language=en -Duser.country=US -jar "$jar" \
        "^io\.aem\.jmh\.$name\$" -rf csv -rff "$dir/$name.csv" \
        -jvmArgsPrepend "-Daem.bench.receiverCpu=$RECEIVER_CPU -Daem.bench.senderCpu=$SENDER_CPU" "$@" \
        >"$dir/$name.log" 2>&1 || die "JMH $name failed; see $dir/$name.log"
}

# The machine drifts between regimes over seconds (cross-CPU wake-up p50 anywhere from 12 to
# 28 us between two consecutive runs of the same C program), so a round keeps each comparison
# short: C, the two Java variants, C again, and the Java figures of the round are compared with
# the mean of the two C runs around them (for throughput the two C references are nested: write,
# doorbell, Java, doorbell, write). The order of the two Java variants alternates.
for ((k = 1; k <= ROUNDS; k++)); do
    dir=$out/round-$k
    mkdir -p "$dir"
    if ((k % 2)); then order=(flux jnaDirect); else order=(jnaDirect flux); fi
    echo "round $k of $ROUNDS: latency"
    c_latency "$dir/c-latency-before.txt"
    for variant in "${order[@]}"; do
        jmh "$dir" "EventFdLatency.$variant"
    done
    c_latency "$dir/c-latency-after.txt"
    echo "round $k of $ROUNDS: throughput"
    c_throughput "$dir/c-throughput-before.txt"
    c_doorbell "$dir/c-doorbell-before.txt"
    for variant in "${order[@]}"; do
        jmh "$dir" "UserEventThroughput.$variant"
    done
    c_doorbell "$dir/c-doorbell-after.txt"
    c_throughput "$dir/c-throughput-after.txt"
done

# The single-call costs need no bracketing: one thread, no wake-up.
echo "single-call costs"
mkdir -p "$out/signal-cost"
for name in userEventsSignal userEventsSignalRing jnaWrite jnaCallNoSyscall jnaReadEmpty; do
    jmh "$out/signal-cost" "SignalCost.$name"
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$JAVA" -Daem.bench.receiverCpu="$RECEIVER_CPU" -Daem.bench.senderCpu="$SENDER_CPU" \
    -cp "$jar" io.aem.jmh.Summary "$out" "$ROUNDS" | tee "$out/summary.txt"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results in $out"
