#!/usr/bin/env bash
# Runs the timer benchmarks of the loop's timer wheel (io.aem.linux.timer.LoopTimers) beside
# Netty's HashedWheelTimer (100 ms tick, 512 buckets) and the JDK's ScheduledThreadPoolExecutor(1),
# at the same counts, and a C timerfd for the lateness; prints a table with the targets
# (io.aem.jmh.TimerSummary).
#
#   jmh/run-timer-benchmarks.sh                                  # everything, 3 rounds, 10,000,000 pending
#   PENDING=1000000 ROUNDS=1 jmh/run-timer-benchmarks.sh         # a quick look
#   ROUNDS=1 BENCH=lateness jmh/run-timer-benchmarks.sh          # the 10 ms lateness alone
#
# The benchmarks (BENCH, any of "pending ops lateness"), each Java run in its own JVM:
#   pending   PENDING timers one hour out (one shared task), io.aem.jmh.PendingTimers: heap bytes
#             per timer (heap used after GC with them minus before, / PENDING), with the handles
#             dropped and kept in an array (long[] for the wheel's loop-thread handles, Object[]
#             of Timeout / ScheduledFuture / WheelTimeout otherwise); the lateness of a 10 ms
#             timer scheduled right after them; and, in the "dropped" runs, the CPU time of the
#             timer's thread over CPU_SECONDS (from /proc/self/task/<tid>/stat). Variants: wheel
#             (filled on the loop, 100,000 inserts per loop task), wheel-xthread (newTimeout from
#             another thread; kept only), hwt, stpe.
#   ops       schedule and cancel cost with PENDING pending, io.aem.jmh.TimerOpCost (a hand-timed
#             harness): OP_WARMUP + OP_BATCHES batches of BATCH timers scheduled then the same
#             cancelled, median ns per operation, once per mode of OP_DELAYS ("hour": every batch
#             timer one hour out, like the pending ones; "spread": delays uniform over 1 s-2 h). wheel: timed inside the loop task on the loop
#             thread; wheel-xthread: newTimeout / WheelTimeout.cancel() from the benchmark
#             thread, timed until the loop has applied them; hwt, stpe: the benchmark thread's calls.
#   lateness  LATENESS_PENDING timers one hour out, then CHAINS 10 ms timers in flight, each
#             rescheduling itself when it runs (io.aem.jmh.TimerLateness): run time minus deadline,
#             LATENESS_WARMUP unreported then LATENESS_SAMPLES; beside timerfd_lateness.c (one
#             CLOCK_MONOTONIC timerfd in epoll, one 10 ms one-shot at a time, C_WARMUP unreported
#             then LATENESS_SAMPLES) run before and after the Java runs of the round.
# Each round runs the variants in an order that alternates between rounds; the table gives each
# round and the median of the rounds. The timer's thread (the loop, Netty's worker, the
# executor's thread) is pinned to RECEIVER_CPU, the benchmark thread to SENDER_CPU, and each JVM
# runs under taskset on those two CPUs; the C program pins itself to RECEIVER_CPU.
#
# Environment: ROUNDS (default 3, at most 10), BENCH (default "pending ops lateness"), PENDING
# (default 10000000), WHEEL_TICK_NS (the wheel's tick in ns, rounded up to a power of two by the
# library; default: the library's default, 2^17), LATENESS_PENDING (default 1000000), CPU_SECONDS (default 10), BATCH (default
# 100000), OP_WARMUP (default 5), OP_BATCHES (default 10), OP_PAUSE_MS (default 200), OP_DELAYS
# (default "hour spread"),
# LATENESS_WARMUP (default 2000), LATENESS_SAMPLES (default 3000), CHAINS (default 20), C_WARMUP
# (default 100), HEAP (-Xms/-Xmx of every JVM, default 4g: 10,000,000 STPE tasks take about 1 GB),
# RECEIVER_CPU (default 0), SENDER_CPU (default 1), OUT (results directory, default
# jmh/target/bench-results/<UTC time>-timers), JAVA (default java).
# Every program runs under timeout; every count and time is bounded.
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-pending ops lateness}
PENDING=${PENDING:-10000000}
LATENESS_PENDING=${LATENESS_PENDING:-1000000}
CPU_SECONDS=${CPU_SECONDS:-10}
BATCH=${BATCH:-100000}
OP_WARMUP=${OP_WARMUP:-5}
OP_BATCHES=${OP_BATCHES:-10}
OP_PAUSE_MS=${OP_PAUSE_MS:-200}
OP_DELAYS=${OP_DELAYS:-hour spread}
LATENESS_WARMUP=${LATENESS_WARMUP:-2000}
LATENESS_SAMPLES=${LATENESS_SAMPLES:-3000}
CHAINS=${CHAINS:-20}
C_WARMUP=${C_WARMUP:-100}
HEAP=${HEAP:-4g}
RECEIVER_CPU=${RECEIVER_CPU:-0}
SENDER_CPU=${SENDER_CPU:-1}
WHEEL_TICK_NS=${WHEEL_TICK_NS:-0}
JAVA=${JAVA:-java}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-timers}

die() {
    echo "run-timer-benchmarks: $*" >&2
    exit 1
}
number_in() { # name value lo hi
    [[ $2 =~ ^[0-9]+$ ]] && (($2 >= $3 && $2 <= $4)) || die "$1 must be $3-$4, was '$2'"
}

number_in ROUNDS "$ROUNDS" 1 10
number_in PENDING "$PENDING" 1 20000000
number_in LATENESS_PENDING "$LATENESS_PENDING" 0 20000000
number_in CPU_SECONDS "$CPU_SECONDS" 1 120
number_in BATCH "$BATCH" 1 1000000
number_in OP_WARMUP "$OP_WARMUP" 0 1000
number_in OP_BATCHES "$OP_BATCHES" 1 1000
number_in OP_PAUSE_MS "$OP_PAUSE_MS" 0 10000
number_in LATENESS_WARMUP "$LATENESS_WARMUP" 0 1000000
number_in LATENESS_SAMPLES "$LATENESS_SAMPLES" 1 100000
number_in CHAINS "$CHAINS" 1 1000
number_in C_WARMUP "$C_WARMUP" 0 100000
[[ $WHEEL_TICK_NS == 0 ]] || number_in WHEEL_TICK_NS "$WHEEL_TICK_NS" 1024 1073741824
[[ -n ${OP_DELAYS// /} ]] || die "OP_DELAYS must name at least one of hour, spread"
for m in $OP_DELAYS; do
    [[ $m == hour || $m == spread ]] || die "unknown mode '$m' in OP_DELAYS (hour, spread)"
done
[[ $HEAP =~ ^[0-9]+[mg]$ ]] || die "HEAP must look like 4g or 4096m, was '$HEAP'"
for b in $BENCH; do
    [[ $b == pending || $b == ops || $b == lateness ]] || die "unknown benchmark '$b' in BENCH"
done
for tool in gcc "$JAVA" timeout taskset; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done
want() { [[ " $BENCH " == *" $1 "* ]]; }

source "$here/bench-cpus.sh"

# Build the benchmark jar when it is missing or older than a source of the modules it contains.
source "$here/bench-jar.sh"

mkdir -p "$here/target"
gcc -O2 -Wall -Wextra -pthread -o "$here/target/timerfd_lateness" "$here/src/main/c/timerfd_lateness.c"

mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpus: $(nproc) (allowed: $allowed)"
    echo "cpu model: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "gcc: $(gcc --version | head -1)"
    echo "code: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "pinning: timer threads and C on CPU $RECEIVER_CPU, benchmark threads on CPU $SENDER_CPU;" \
        "JVMs under taskset -c $RECEIVER_CPU,$SENDER_CPU; heap -Xms$HEAP -Xmx$HEAP;" \
        "wheel tick: $([[ $WHEEL_TICK_NS == 0 ]] && echo "the library's default" || echo "$WHEEL_TICK_NS ns")"
    echo "rounds: $ROUNDS; benchmarks: $BENCH; pending: $PENDING (cpu window $CPU_SECONDS s);" \
        "ops: batches of $BATCH, $OP_WARMUP warm-up + $OP_BATCHES measured, pause $OP_PAUSE_MS ms, delays $OP_DELAYS;" \
        "lateness: $LATENESS_PENDING pending, $CHAINS chains, $LATENESS_WARMUP warm-up + $LATENESS_SAMPLES samples, C warm-up $C_WARMUP"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

jvm() { # seconds log class args...
    local seconds=$1 log=$2
    shift 2
    timeout "$seconds" taskset -c "$RECEIVER_CPU,$SENDER_CPU" "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" \
        -Daem.bench.receiverCpu="$RECEIVER_CPU" -Daem.bench.senderCpu="$SENDER_CPU" \
        -Daem.bench.wheelTickNanos="$WHEEL_TICK_NS" -cp "$jar" "$@" \
        >"$log" 2>&1 || die "$* failed; see $log"
}
java_pending() { # dir variant handles cpu-seconds
    AEM_JMH_OUT=$1 jvm 900 "$1/pending-$2-$3.log" io.aem.jmh.PendingTimers "$2" "$3" "$PENDING" "$4"
}
java_ops() { # dir variant mode
    AEM_JMH_OUT=$1 jvm 900 "$1/ops-$2.log" io.aem.jmh.TimerOpCost "$2" "$PENDING" "$BATCH" "$OP_WARMUP" \
        "$OP_BATCHES" "$OP_PAUSE_MS" "$3"
}
java_lateness() { # dir variant
    AEM_JMH_OUT=$1 jvm 900 "$1/lateness-$2.log" io.aem.jmh.TimerLateness "$2" "$LATENESS_PENDING" \
        "$LATENESS_WARMUP" "$LATENESS_SAMPLES" "$CHAINS" 10
}
c_lateness() { # file
    local seconds=$(((C_WARMUP + LATENESS_SAMPLES) / 50 + 60))
    timeout "$seconds" "$here/target/timerfd_lateness" "$C_WARMUP" "$LATENESS_SAMPLES" "$RECEIVER_CPU" 10000 \
        >"$1" || die "timerfd_lateness failed; see $1"
}

for ((k = 1; k <= ROUNDS; k++)); do
    order=(wheel hwt stpe)
    ((k % 2 == 0)) && order=(stpe hwt wheel)
    if want pending; then
        echo "round $k of $ROUNDS: pending ($PENDING timers)"
        dir=$out/round-$k/pending
        mkdir -p "$dir"
        for variant in "${order[@]}"; do
            java_pending "$dir" "$variant" dropped "$CPU_SECONDS"
            java_pending "$dir" "$variant" kept 0
        done
        java_pending "$dir" wheel-xthread kept 0
    fi
    if want ops; then
        ops_order=(wheel wheel-xthread hwt stpe)
        ((k % 2 == 0)) && ops_order=(stpe hwt wheel-xthread wheel)
        for mode in $OP_DELAYS; do
            echo "round $k of $ROUNDS: schedule and cancel ($PENDING pending, delays $mode)"
            dir=$out/round-$k/ops-$mode
            mkdir -p "$dir"
            for variant in "${ops_order[@]}"; do
                java_ops "$dir" "$variant" "$mode"
            done
        done
    fi
    if want lateness; then
        echo "round $k of $ROUNDS: lateness of 10 ms timers ($LATENESS_PENDING pending)"
        dir=$out/round-$k/lateness
        mkdir -p "$dir"
        c_lateness "$dir/c-before.txt"
        for variant in "${order[@]}"; do
            java_lateness "$dir" "$variant"
        done
        c_lateness "$dir/c-after.txt"
    fi
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$JAVA" -cp "$jar" io.aem.jmh.TimerSummary "$out" "$ROUNDS" | tee "$out/summary.txt"
echo "results in $out"
