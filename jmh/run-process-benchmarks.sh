#!/usr/bin/env bash
# Runs the process benchmarks beside their references and prints a table with the ratios
# (io.aem.jmh.ProcessSummary).
#
#   jmh/run-process-benchmarks.sh                      # all three, 3 rounds
#   ROUNDS=1 BENCH=exit jmh/run-process-benchmarks.sh  # a quicker look
#
# The benchmarks (BENCH, any of "exit children spawn"):
#   exit      a child's last instruction before _exit(0) -> the parent holds the exit, one child
#             at a time: C pidfd in epoll (pidfd_exit.c), the library's Aem.exec (onNext on the
#             loop) and the JDK's ProcessHandle.onExit() (io.aem.jmh.ProcessExitLatency). The
#             child (exit_stamp.c) pins itself to CHILD_CPU and leaves its CLOCK_MONOTONIC
#             stamp in a file; every receiver runs on RECEIVER_CPU (the C program pins itself,
#             the JVMs run under taskset).
#   children  CHILDREN children (/bin/sleep 120) started and kept running, then killed: the
#             JVM's threads, heap after GC and RSS before, while they run and after
#             (io.aem.jmh.ChildrenFootprint), library and JDK, once each per run.
#   spawn     SPAWN_COUNT children of /bin/true started back to back, at most SPAWN_WINDOW at
#             once: children per second and the start call's time (io.aem.jmh.SpawnRate),
#             library and JDK.
# Each round runs: exit: C, the Java variants (the order alternates between rounds), C again —
# the Java figures are compared with the mean of the C runs around them, as in run-benchmarks.sh,
# because this kind of machine drifts between regimes over seconds; spawn: both variants (order
# alternating). children runs once (it takes tens of seconds per side).
#
# Environment: ROUNDS (default 3, at most 10), BENCH (default "exit children spawn"),
# RECEIVER_CPU (default 0), SENDER_CPU (the child's CPU, default 1), EXIT_WARMUP (default 6000:
# the JIT compiles the spawn path for thousands of iterations; with the JVM on one CPU a compile
# delays a wake-up by milliseconds, which a shorter warm-up shows as a p99 tail),
# EXIT_ITERATIONS (default 3000), CHILDREN (default 10000, at most 15000), SPAWN_COUNT (default
# 3000), SPAWN_WINDOW (default 16), OUT (results directory, default
# jmh/target/bench-results/<UTC time>-processes), JAVA (default java).
# Every program runs under timeout; every count and time is bounded.
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-exit children spawn}
RECEIVER_CPU=${RECEIVER_CPU:-0}
SENDER_CPU=${SENDER_CPU:-1}
EXIT_WARMUP=${EXIT_WARMUP:-6000}
EXIT_ITERATIONS=${EXIT_ITERATIONS:-3000}
CHILDREN=${CHILDREN:-10000}
SPAWN_COUNT=${SPAWN_COUNT:-3000}
SPAWN_WINDOW=${SPAWN_WINDOW:-16}
JAVA=${JAVA:-java}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-processes}

die() {
    echo "run-process-benchmarks: $*" >&2
    exit 1
}

[[ $ROUNDS =~ ^[0-9]+$ ]] && ((ROUNDS >= 1 && ROUNDS <= 10)) || die "ROUNDS must be 1-10, was '$ROUNDS'"
[[ $EXIT_WARMUP =~ ^[0-9]+$ ]] && ((EXIT_WARMUP <= 100000)) || die "EXIT_WARMUP must be 0-100000"
[[ $EXIT_ITERATIONS =~ ^[0-9]+$ ]] && ((EXIT_ITERATIONS >= 1 && EXIT_ITERATIONS <= 100000)) ||
    die "EXIT_ITERATIONS must be 1-100000"
[[ $CHILDREN =~ ^[0-9]+$ ]] && ((CHILDREN >= 1 && CHILDREN <= 15000)) || die "CHILDREN must be 1-15000"
[[ $SPAWN_COUNT =~ ^[0-9]+$ ]] && ((SPAWN_COUNT >= 1 && SPAWN_COUNT <= 100000)) || die "SPAWN_COUNT must be 1-100000"
[[ $SPAWN_WINDOW =~ ^[0-9]+$ ]] && ((SPAWN_WINDOW >= 1 && SPAWN_WINDOW <= 1000)) || die "SPAWN_WINDOW must be 1-1000"
for b in $BENCH; do
    [[ $b == exit || $b == children || $b == spawn ]] || die "unknown benchmark '$b' in BENCH"
done
for tool in gcc "$JAVA" timeout taskset; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done
want() { [[ " $BENCH " == *" $1 "* ]]; }

source "$here/bench-cpus.sh"

# Build the benchmark jar when it is missing or older than a source of the modules it contains.
source "$here/bench-jar.sh"

mkdir -p "$here/target"
for prog in exit_stamp pidfd_exit; do
    gcc -O2 -Wall -Wextra -pthread -o "$here/target/$prog" "$here/src/main/c/$prog.c"
done

stamp_dir=$(mktemp -d /dev/shm/aem-process-bench.XXXXXX)
trap 'rm -rf -- "$stamp_dir"' EXIT
stamp=$stamp_dir/stamp

mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpus: $(nproc) (allowed: $allowed)"
    echo "cpu model: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "gcc: $(gcc --version | head -1)"
    echo "pinning: receivers CPU $RECEIVER_CPU, exiting child CPU $SENDER_CPU"
    echo "rounds: $ROUNDS; benchmarks: $BENCH; exit: $EXIT_WARMUP warm-up + $EXIT_ITERATIONS children;" \
        "children: $CHILDREN; spawn: $SPAWN_COUNT children, window $SPAWN_WINDOW"
    echo "pid_max: $(cat /proc/sys/kernel/pid_max); RLIMIT_NOFILE: $(ulimit -Sn)/$(ulimit -Hn); RLIMIT_NPROC: $(ulimit -u)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

c_exit() {
    timeout 300 "$here/target/pidfd_exit" "$here/target/exit_stamp" "$stamp" "$EXIT_WARMUP" "$EXIT_ITERATIONS" \
        "$RECEIVER_CPU" "$SENDER_CPU" >"$1" || die "pidfd_exit failed; see $1"
}
java_exit() {
    local dir=$1 variant=$2
    AEM_JMH_OUT=$dir timeout 300 taskset -c "$RECEIVER_CPU" "$JAVA" -Xms256m -Xmx256m \
        -Daem.bench.receiverCpu="$RECEIVER_CPU" -cp "$jar" io.aem.jmh.ProcessExitLatency "$variant" \
        "$here/target/exit_stamp" "$stamp" "$EXIT_WARMUP" "$EXIT_ITERATIONS" "$SENDER_CPU" \
        >"$dir/exit-$variant.log" 2>&1 || die "ProcessExitLatency $variant failed; see $dir/exit-$variant.log"
}
java_children() {
    local dir=$1 variant=$2
    AEM_JMH_OUT=$dir timeout 600 "$JAVA" -Xms1g -Xmx1g -cp "$jar" io.aem.jmh.ChildrenFootprint "$variant" \
        "$CHILDREN" /bin/sleep >"$dir/children-$variant.log" 2>&1 ||
        die "ChildrenFootprint $variant failed; see $dir/children-$variant.log"
}
java_spawn() {
    local dir=$1 variant=$2
    AEM_JMH_OUT=$dir timeout 300 "$JAVA" -Xms256m -Xmx256m -cp "$jar" io.aem.jmh.SpawnRate "$variant" 300 \
        "$SPAWN_COUNT" "$SPAWN_WINDOW" /bin/true >"$dir/spawn-$variant.log" 2>&1 ||
        die "SpawnRate $variant failed; see $dir/spawn-$variant.log"
}

for ((k = 1; k <= ROUNDS; k++)); do
    if want exit; then
        echo "round $k of $ROUNDS: exit"
        dir=$out/round-$k/exit
        mkdir -p "$dir"
        order=(flux onexit)
        ((k % 2 == 0)) && order=(onexit flux)
        c_exit "$dir/c-before.txt"
        for variant in "${order[@]}"; do
            java_exit "$dir" "$variant"
        done
        c_exit "$dir/c-after.txt"
    fi
    if want spawn; then
        echo "round $k of $ROUNDS: spawn"
        dir=$out/round-$k/spawn
        mkdir -p "$dir"
        order=(aem jdk)
        ((k % 2 == 0)) && order=(jdk aem)
        for variant in "${order[@]}"; do
            java_spawn "$dir" "$variant"
        done
    fi
done
if want children; then
    echo "children: $CHILDREN each"
    dir=$out/children
    mkdir -p "$dir"
    for variant in aem jdk; do
        java_children "$dir" "$variant"
    done
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$JAVA" -cp "$jar" io.aem.jmh.ProcessSummary "$out" "$ROUNDS" | tee "$out/summary.txt"
echo "results in $out"
