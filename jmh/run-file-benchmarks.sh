#!/usr/bin/env bash
# Runs the file event benchmarks beside their C references (src/main/c/*.c, compiled here with
# gcc) on each file system asked for, and prints a table with the ratios (io.aem.jmh.FileSummary).
#
#   jmh/run-file-benchmarks.sh                        # all three, /tmp and /dev/shm, 3 rounds
#   ROUNDS=1 jmh/run-file-benchmarks.sh               # a quicker look
#   BENCH="latency rate" DIRS=/tmp jmh/run-file-benchmarks.sh
#
# The benchmarks (BENCH, any of "latency rate permission"):
#   latency     close() of a written file -> the event in the receiver's hands, one-way, one
#               event in flight: C inotify reader (inotify_latency.c); JMH FileEventLatency
#               .watchService (JDK WatchService, ENTRY_MODIFY) and .flux (Aem.watch, CLOSE_WRITE).
#   rate        a C producer (file_producer.c) creates + closes + unlinks distinct files as fast
#               as it can for RATE_MS ms; receivers: C inotify reader (inotify_rate.c), Flux,
#               JDK WatchService (io.aem.jmh.FileEventRate); events/s, lost events, overflows.
#   permission  open()+close() of one file timed by a C program (open_latency.c) with no
#               fanotify mark, with a C FAN_OPEN_PERM listener answering FAN_ALLOW
#               (fanotify_allow.c), and with the library's permission source answering allow()
#               (io.aem.jmh.PermissionListener, when it is in the jar). Needs CAP_SYS_ADMIN.
# The Flux variants run only when the jar contains them (the watch and permission sources).
#
# Each round runs, for each directory (file system), for latency: C, the Java variants (each a
# JMH fork; the order alternates between rounds), C again; for rate: C, the Java variants, C
# again; for permission: no mark, C listener, Flux listener, C listener, no mark. The Java figures
# are compared with the mean of the C runs around them, as in run-benchmarks.sh, because this
# kind of machine drifts between regimes over seconds.
#
# Environment: ROUNDS (default 3, at most 10), BENCH (default "latency rate permission"),
# DIRS (directories to work in, one per file system; default "/tmp /dev/shm"), RECEIVER_CPU
# (default 0: every receiver: the event loop, the C readers, the JDK's poller and take() thread,
# the permission listeners), SENDER_CPU (default 1: the writer, the producer, the opener), OUT
# (results directory, default jmh/target/bench-results/<UTC time>-files), JAVA (default java),
# RATE_MS (producer run time, default 3000), RATE_OPS (producer operation cap, default 2000000),
# RATE_WARMUPS (unreported producer runs before the measured one, per receiver, default 1),
# AWAKE (1: keep the receiver CPU out of its idle state with a SCHED_IDLE spinner pinned to it for
# the whole run, so that a wake-up does not pay the VM's halt exit; any runnable receiver thread
# preempts the spinner at once. Default 0. Both C and Java receivers run on the same footing.)
# Every program runs under timeout; every count and time is bounded.
set -euo pipefail
export LC_ALL=C

ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-latency rate permission}
DIRS=${DIRS:-/tmp /dev/shm}
RECEIVER_CPU=${RECEIVER_CPU:-0}
SENDER_CPU=${SENDER_CPU:-1}
JAVA=${JAVA:-java}
RATE_MS=${RATE_MS:-3000}
RATE_OPS=${RATE_OPS:-2000000}
RATE_WARMUPS=${RATE_WARMUPS:-1}
AWAKE=${AWAKE:-0}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-files}

die() {
    echo "run-file-benchmarks: $*" >&2
    exit 1
}

[[ $ROUNDS =~ ^[0-9]+$ ]] && ((ROUNDS >= 1 && ROUNDS <= 10)) || die "ROUNDS must be 1-10, was '$ROUNDS'"
[[ $RATE_MS =~ ^[0-9]+$ ]] && ((RATE_MS >= 100 && RATE_MS <= 60000)) || die "RATE_MS must be 100-60000"
[[ $RATE_OPS =~ ^[0-9]+$ ]] && ((RATE_OPS >= 1 && RATE_OPS <= 100000000)) || die "RATE_OPS must be 1-100000000"
[[ $RATE_WARMUPS =~ ^[0-9]+$ ]] && ((RATE_WARMUPS <= 10)) || die "RATE_WARMUPS must be 0-10"
for b in $BENCH; do
    [[ $b == latency || $b == rate || $b == permission ]] || die "unknown benchmark '$b' in BENCH"
done
for tool in gcc "$JAVA" timeout unzip df; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done
want() { [[ " $BENCH " == *" $1 "* ]]; }

source "$here/bench-cpus.sh"

# Build the benchmark jar when it is missing or older than a source of the modules it contains.
source "$here/bench-jar.sh"

# Which Java variants this jar has: the Flux ones need the library's watch and permission sources.
benchmarks=$(unzip -p "$jar" META-INF/BenchmarkList)
classes=$(unzip -Z1 "$jar")
latency_variants=(watchService)
rate_variants=(watchservice)
if grep -q 'io.aem.jmh.FileEventLatency.*flux' <<<"$benchmarks"; then
    latency_variants+=(flux)
    rate_variants+=(flux)
else
    echo "note: the jar has no FileEventLatency.flux (no Aem.watch in this build): JDK and C only"
fi
perm_flux=0
if grep -qx 'io/aem/jmh/PermissionListener.class' <<<"$classes"; then
    perm_flux=1
elif want permission; then
    echo "note: the jar has no PermissionListener (no Aem.permissions in this build): permission runs (a) and (b) only"
fi

# The C programs, rebuilt every run so that the compiler and flags are those of this machine.
mkdir -p "$here/target"
for prog in inotify_latency file_producer inotify_rate open_latency fanotify_allow; do
    gcc -O2 -Wall -Wextra -pthread -o "$here/target/$prog" "$here/src/main/c/$prog.c"
done

# One working directory per file system, removed at exit; a permission listener still running
# at exit (only after a failure) is stopped by its process id.
declare -a fs_names=() fs_dirs=()
listener_pid=
spinner_pid=
cleanup() {
    if [[ -n $spinner_pid ]]; then
        kill -TERM "$spinner_pid" 2>/dev/null || true
        wait "$spinner_pid" 2>/dev/null || true
    fi
    if [[ -n $listener_pid ]]; then
        kill -TERM "$listener_pid" 2>/dev/null || true
        wait "$listener_pid" 2>/dev/null || true
    fi
    local d
    for d in "${fs_dirs[@]}"; do
        rm -rf -- "$d"
    done
}
trap cleanup EXIT
for base in $DIRS; do
    [[ -d $base && -w $base ]] || die "'$base' is not a writable directory"
    name=$(df --output=fstype "$base" | tail -1 | tr -d ' ')
    for seen in "${fs_names[@]}"; do
        [[ $seen != "$name" ]] || die "two directories in DIRS are on $name; give one per file system"
    done
    work=$(mktemp -d "$base/aem-file-bench.XXXXXX")
    mkdir -p "$work/latency" "$work/rate" "$work/permission"
    echo "target" >"$work/permission/target"
    fs_names+=("$name")
    fs_dirs+=("$work")
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
    echo "receiver CPU kept awake by a SCHED_IDLE spinner: $([[ $AWAKE == 1 ]] && echo yes || echo no)"
    echo "rounds: $ROUNDS; benchmarks: $BENCH; latency variants: ${latency_variants[*]}; rate variants: ${rate_variants[*]};" \
        "permission flux: $perm_flux"
    for i in "${!fs_names[@]}"; do
        echo "file system ${fs_names[$i]}: ${fs_dirs[$i]} ($(findmnt -n -o SOURCE,OPTIONS --target "${fs_dirs[$i]}" 2>/dev/null | head -1 || true))"
    done
    echo "inotify max_queued_events: $(cat /proc/sys/fs/inotify/max_queued_events)"
    echo "rate producer: ${RATE_MS} ms or ${RATE_OPS} operations, ${RATE_WARMUPS} warm-up run(s) per receiver"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
# What else runs: top's second frame (the first one has no CPU figures), at the start, and the
# load average before every benchmark in load.txt.
snapshot() {
    top -b -n 2 -d 1 -w 160 2>/dev/null | awk '/^top - /{n++} n==2' | head -20 >"$1" || true
}
if [[ $AWAKE == 1 ]]; then
    # Bounded like everything else: the spinner ends by itself after an hour at the latest.
    timeout 3600 chrt -i 0 taskset -c "$RECEIVER_CPU" sh -c 'while :; do :; done' &
    spinner_pid=$!
fi
snapshot "$out/top-start.txt"
cat "$out/machine.txt"
note_load() {
    echo "$(date -u +%H:%M:%S) $1: load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
}

jvm_props() {
    echo "-Daem.bench.receiverCpu=$RECEIVER_CPU -Daem.bench.senderCpu=$SENDER_CPU -Daem.bench.dir=$1"
}

# --- latency -----------------------------------------------------------------------------
# C: 50,000 cycles after 2,000 warm-up ones (a few seconds). Java: JMH, 2 x 1 s warm-up and
# 3 x 2 s measurement iterations in one fork (the annotations of FileEventLatency).
c_latency() {
    timeout 120 "$here/target/inotify_latency" 2000 50000 "$RECEIVER_CPU" "$SENDER_CPU" "$2" >"$1" ||
        die "inotify_latency failed; see $1"
}
jmh_latency() {
    local dir=$1 variant=$2 watched=$3
    AEM_JMH_OUT=$dir timeout 300 "$JAVA" -Duser.language=en -Duser.country=US -jar "$jar" \
        "^io\.aem\.jmh\.FileEventLatency\.$variant\$" -rf csv -rff "$dir/FileEventLatency.$variant.csv" \
        -jvmArgsPrepend "$(jvm_props "$watched")" >"$dir/FileEventLatency.$variant.log" 2>&1 ||
        die "JMH FileEventLatency.$variant failed; see $dir/FileEventLatency.$variant.log"
}

# --- rate --------------------------------------------------------------------------------
# Exit code 3 of a reader means events were lost or an overflow was reported: a result, not a
# failure of the run.
c_rate() {
    local rc=0
    timeout 120 "$here/target/inotify_rate" "$2" "$RATE_OPS" "$RATE_MS" "$RECEIVER_CPU" "$SENDER_CPU" \
        "$here/target/file_producer" ccu "$RATE_WARMUPS" >"$1" 2>&1 || rc=$?
    ((rc == 0 || rc == 3)) || die "inotify_rate failed ($rc); see $1"
}
java_rate() {
    local dir=$1 variant=$2 watched=$3 rc=0
    # shellcheck disable=SC2046
    timeout 180 "$JAVA" -Xms512m -Xmx512m $(jvm_props "$watched") -cp "$jar" io.aem.jmh.FileEventRate "$variant" \
        "$watched" "$RATE_OPS" "$RATE_MS" "$here/target/file_producer" ccu "$RATE_WARMUPS" "$dir/rate-$variant.txt" \
        >"$dir/rate-$variant.log" 2>&1 || rc=$?
    ((rc == 0 || rc == 3)) || die "FileEventRate $variant failed ($rc); see $dir/rate-$variant.log"
}

# --- permission --------------------------------------------------------------------------
# open_latency: 20,000 timed open()+close() after 2,000 warm-up ones. A listener is started in
# the background, the opens begin once it printed "ready", and it is stopped by its process id.
open_latency() {
    timeout 120 "$here/target/open_latency" "$2/target" 2000 20000 "$SENDER_CPU" "$3" >"$1" ||
        die "open_latency failed; see $1"
}
start_listener() {
    local log=$1
    shift
    timeout 120 "$@" >"$log" 2>&1 &
    listener_pid=$!
    for ((i = 0; i < 300; i++)); do
        grep -q '^ready' "$log" 2>/dev/null && return 0
        kill -0 "$listener_pid" 2>/dev/null || die "listener exited before it was ready; see $log"
        sleep 0.1
    done
    die "listener not ready after 30 s; see $log"
}
stop_listener() {
    kill -TERM "$listener_pid" 2>/dev/null || true
    wait "$listener_pid" || true
    listener_pid=
}
perm_c() {
    local dir=$1 watched=$2 when=$3
    start_listener "$dir/listener-c-$when.txt" "$here/target/fanotify_allow" "$watched" 100 "$RECEIVER_CPU"
    open_latency "$dir/c-$when.txt" "$watched" perm.c
    stop_listener
}
perm_flux() {
    local dir=$1 watched=$2
    # shellcheck disable=SC2046
    start_listener "$dir/listener-flux.txt" "$JAVA" -Xms512m -Xmx512m $(jvm_props "$watched") -cp "$jar" \
        io.aem.jmh.PermissionListener "$watched" 100
    open_latency "$dir/flux.txt" "$watched" perm.flux
    stop_listener
}

for ((k = 1; k <= ROUNDS; k++)); do
    for i in "${!fs_names[@]}"; do
        fs=${fs_names[$i]}
        work=${fs_dirs[$i]}
        base=$out/round-$k/$fs
        if want latency; then
            echo "round $k of $ROUNDS, $fs: latency"
            note_load "round $k $fs latency"
            dir=$base/latency
            mkdir -p "$dir"
            order=("${latency_variants[@]}")
            if ((k % 2 == 0)); then
                order=()
                for ((j = ${#latency_variants[@]} - 1; j >= 0; j--)); do order+=("${latency_variants[$j]}"); done
            fi
            c_latency "$dir/c-before.txt" "$work/latency"
            for variant in "${order[@]}"; do
                jmh_latency "$dir" "$variant" "$work/latency"
            done
            c_latency "$dir/c-after.txt" "$work/latency"
        fi
        if want rate; then
            echo "round $k of $ROUNDS, $fs: rate"
            note_load "round $k $fs rate"
            dir=$base/rate
            mkdir -p "$dir"
            order=("${rate_variants[@]}")
            if ((k % 2 == 0)); then
                order=()
                for ((j = ${#rate_variants[@]} - 1; j >= 0; j--)); do order+=("${rate_variants[$j]}"); done
            fi
            c_rate "$dir/c-before.txt" "$work/rate"
            for variant in "${order[@]}"; do
                java_rate "$dir" "$variant" "$work/rate"
            done
            c_rate "$dir/c-after.txt" "$work/rate"
        fi
        if want permission; then
            echo "round $k of $ROUNDS, $fs: permission"
            note_load "round $k $fs permission"
            dir=$base/permission
            mkdir -p "$dir"
            open_latency "$dir/none-before.txt" "$work/permission" perm.none
            perm_c "$dir" "$work/permission" before
            if ((perm_flux)); then
                perm_flux "$dir" "$work/permission"
                perm_c "$dir" "$work/permission" after
            fi
            open_latency "$dir/none-after.txt" "$work/permission" perm.none
        fi
    done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
snapshot "$out/top-end.txt"
fs_list=$(
    IFS=,
    echo "${fs_names[*]}"
)
"$JAVA" -Daem.bench.receiverCpu="$RECEIVER_CPU" -Daem.bench.senderCpu="$SENDER_CPU" \
    -cp "$jar" io.aem.jmh.FileSummary "$out" "$ROUNDS" "$fs_list" | tee "$out/summary.txt"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results in $out"
