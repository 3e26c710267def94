#!/usr/bin/env bash
# Runs the eventfd benchmarks (io.aem.jmh.EventFdLatency, UserEventThroughput, SignalCost) beside
# their C references (src/main/c/*.c, compiled here with gcc) and prints a table with the ratios.
#
#   jmh/run-benchmarks.sh                # from anywhere; about 6-7 minutes with the default 5 rounds
#   ROUNDS=1 jmh/run-benchmarks.sh       # a quicker look
#
# Layout of one run: C, round 1 (JMH), C, round 2 (JMH), C, ... C. Each JMH round is bracketed
# by two C runs and compared with their mean, because this kind of machine (a VM guest) drifts
# between regimes over seconds; the table shows every round and the medians.
#
# Environment: ROUNDS (default 5, at most 10), RECEIVER_CPU (default 0: the event loop, the JNA
# reader, the C reader), SENDER_CPU (default 1: the JMH thread, the C writer), OUT (results
# directory, default jmh/target/bench-results/<UTC time>), JAVA (default java).
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-5}
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
if command -v taskset >/dev/null; then
    allowed=$(taskset -cp $$ | sed 's/.*: //')
else
    allowed="0-$(($(nproc) - 1))"
fi
cpu_allowed() {
    local cpu=$1 range lo hi
    IFS=, read -ra ranges <<<"$allowed"
    for range in "${ranges[@]}"; do
        lo=${range%-*}
        hi=${range#*-}
        ((cpu >= lo && cpu <= hi)) && return 0
    done
    return 1
}
cpu_allowed "$RECEIVER_CPU" || die "CPU $RECEIVER_CPU is not available (allowed: $allowed); set RECEIVER_CPU"
cpu_allowed "$SENDER_CPU" || die "CPU $SENDER_CPU is not available (allowed: $allowed); set SENDER_CPU"
if [[ $RECEIVER_CPU == "$SENDER_CPU" ]]; then
    echo "note: receiver and sender share CPU $SENDER_CPU: same-CPU wake-ups, not comparable with the cross-CPU figures"
fi

# Build the benchmark jar when it is missing or older than a source of the modules it contains.
if [[ ! -f $jar ]] || [[ -n $(find "$root/pom.xml" "$root"/aem-native/pom.xml "$root"/aem-native/src/main \
    "$root"/aem-reactor/pom.xml "$root"/aem-reactor/src/main "$here/pom.xml" "$here/src/main/java" \
    -newer "$jar" -print -quit 2>/dev/null) ]]; then
    echo "building $jar"
    (cd "$root" && ./mvnw -q -pl jmh -am package -DskipTests)
fi

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

# One C reference run: 100,000 ping-pongs after 5,000 warm-up ones (a few seconds), then the
# throughput pair: 1 s warm-up and five 1 s windows. Both exit by themselves; timeout is a guard.
c_run() {
    local i=$1
    echo "C reference run $i"
    {
        timeout 120 "$here/target/eventfd_pingpong" 5000 100000 "$RECEIVER_CPU" "$SENDER_CPU"
        timeout 60 "$here/target/eventfd_throughput" 1 5 1 "$RECEIVER_CPU" "$SENDER_CPU"
    } >"$out/c-$i.txt"
}

# One JMH round: every benchmark of the three classes, one fork each, with the iteration counts
# and times of their annotations (about a minute in all).
jmh_round() {
    local k=$1 dir=$out/round-$1
    mkdir -p "$dir"
    echo "JMH round $k of $ROUNDS"
    AEM_JMH_OUT=$dir timeout 600 "$JAVA" -Duser.language=en -Duser.country=US -jar "$jar" \
        '^io\.aem\.jmh\.(EventFdLatency|UserEventThroughput|SignalCost)\.' \
        -f 1 -rf csv -rff "$dir/jmh.csv" \
        -jvmArgsPrepend "-Daem.bench.receiverCpu=$RECEIVER_CPU -Daem.bench.senderCpu=$SENDER_CPU" \
        >"$dir/jmh.log" 2>&1 || die "JMH round $k failed; see $dir/jmh.log"
}

c_run 0
for ((k = 1; k <= ROUNDS; k++)); do
    jmh_round "$k"
    c_run "$k"
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
"$JAVA" -Daem.bench.receiverCpu="$RECEIVER_CPU" -Daem.bench.senderCpu="$SENDER_CPU" \
    -cp "$jar" io.aem.jmh.Summary "$out" "$ROUNDS" | tee "$out/summary.txt"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results in $out"
