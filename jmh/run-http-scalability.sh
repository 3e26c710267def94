#!/usr/bin/env bash
# The AEM scalability experiment: a single-threaded HTTP server's throughput and latency with 100
# active keep-alive connections while N idle open connections are held by another process. Only
# sockets with data should cost anything, so the curve should be flat in N. AEMhttpd (the demo's
# "httpd" command) runs beside reactor-netty on Netty's native epoll transport
# (io.aem.jmh.NettyHelloServer), both answering GET /hello with the same bytes, in the same run.
# Prints a table with the targets (io.aem.jmh.HttpSummary) and draws a chart
# (io.aem.jmh.ScalabilityChart).
#
#   jmh/run-http-scalability.sh                                   # both servers, N = 100 ... max, 3 rounds (~7 min)
#   ROUNDS=1 SERVERS=netty DURATION=3s IDLE="100 max" jmh/run-http-scalability.sh   # a quick look
#   CHART=docs/http-scalability.png jmh/run-http-scalability.sh   # the chart into docs/
#
# ROUNDS times, for each N in IDLE and each server in SERVERS (the order alternates from one point
# to the next, so each server goes first as often as the other):
#   1. the server starts on 127.0.0.1 and a free port (below the ephemeral port range) and is
#      waited for until GET /hello answers "Hello, World!";
#   2. idle_conns (src/main/c/idle_conns.c, compiled here with gcc), a separate process, opens N
#      connections and sends one GET /hello on each, reading the whole response, so that they are
#      real keep-alive HTTP connections the server has accepted and served; then holds them idle;
#   3. wrk -t$THREADS -c$ACTIVE runs WARMUP (not reported), then DURATION with --latency:
#      requests/s and latency p50/p99 from its output;
#   4. idle_conns reports how many of the N are still open (poll: no EOF, hang-up or error);
#   5. the server's open fds and RSS, read from /proc in the middle of the run, are recorded and
#      everything is stopped.
# A machine of this kind drifts between performance regimes over seconds, so one run per point
# can be 30 % off either way: the table shows the median of the rounds, and the AEMhttpd /
# reactor-netty ratio is taken per round (the two ran one after the other) before its median.
# The first response of each server (status line, headers and body, as curl receives them) is kept
# in response-SERVER.txt and the two are compared byte for byte.
#
# "max" is MAX_IDLE idle connections (default 19500): RLIMIT_NOFILE is 20000 and cannot be raised
# on the machine this was written for, and the server process needs, besides the idle ones, the
# ACTIVE connections, its listening socket and the JVM's own fds (15-17 here). AEMhttpd accepts at
# most RLIMIT_NOFILE - (fds open at its start) - 64 connections (about 19,920), so N + ACTIVE must
# stay below that: 19,500 + 100 leaves about 300 spare. reactor-netty ran 19,870 + 100 (19,987
# fds). The server's fd count in the middle of each run is in results.tsv; a count below
# N + ACTIVE (a wrk connection left unaccepted) is noted in machine.txt and the summary.
#
# Environment: ROUNDS (default 3, at most 10), SERVERS (default "aem netty"), IDLE (default
# "100 1000 5000 10000 max"; numbers and "max"), MAX_IDLE (default 19500, at most 19900), ACTIVE (wrk connections, default 100, at most
# 1000), THREADS (wrk threads, default 2), DURATION (default 5s, 1s-120s), WARMUP (default 3s,
# 1s-60s), NETTY_LOOPS (reactor-netty's event loops, reactor.netty.ioWorkerCount, default 2: one
# per CPU; reactor-netty's own default is max(CPUs, 4)), HEAP (both servers' -Xms/-Xmx, default
# 1g), JAVA (default java), CHART (where to write the chart, relative to the project; default the
# results directory), PIN (SERVER_CPUS:LOAD_CPUS, e.g. 0:1: the server under taskset -c 0 and wrk
# under taskset -c 1, so they stop trading CPUs; default none: the kernel places them), OUT (results directory, default jmh/target/bench-results/<UTC time>-http).
# wrk is installed from the Debian package when it is missing (apt-get, needs root).
# Every program runs under timeout; every count and time is bounded.
set -euo pipefail
export LC_ALL=C

SERVERS=${SERVERS:-aem netty}
ROUNDS=${ROUNDS:-3}
IDLE=${IDLE:-100 1000 5000 10000 max}
MAX_IDLE=${MAX_IDLE:-19500}
ACTIVE=${ACTIVE:-100}
THREADS=${THREADS:-2}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-3s}
NETTY_LOOPS=${NETTY_LOOPS:-2}
HEAP=${HEAP:-1g}
JAVA=${JAVA:-java}
CHART=${CHART:-}
PIN=${PIN:-}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
jar=$here/target/benchmarks.jar
demo_jar=$root/demo/target/aem-demo.jar
out=${OUT:-$here/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-http}

die() {
    echo "run-http-scalability: $*" >&2
    exit 1
}
seconds() { # "10s" -> 10
    [[ $1 =~ ^([0-9]+)s$ ]] && echo "${BASH_REMATCH[1]}"
}

for s in $SERVERS; do
    [[ $s == aem || $s == netty ]] || die "unknown server '$s' in SERVERS (aem, netty)"
done
[[ -n ${SERVERS// /} ]] || die "SERVERS is empty"
[[ $ROUNDS =~ ^[0-9]+$ ]] && ((ROUNDS >= 1 && ROUNDS <= 10)) || die "ROUNDS must be 1-10, was '$ROUNDS'"
[[ $MAX_IDLE =~ ^[0-9]+$ ]] && ((MAX_IDLE >= 1 && MAX_IDLE <= 19900)) || die "MAX_IDLE must be 1-19900, was '$MAX_IDLE'"
idle_list=()
for n in $IDLE; do
    [[ $n == max ]] && n=$MAX_IDLE
    [[ $n =~ ^[0-9]+$ ]] && ((n >= 0 && n <= MAX_IDLE)) || die "IDLE values must be 0-MAX_IDLE ($MAX_IDLE) or 'max', was '$n'"
    idle_list+=("$n")
done
((${#idle_list[@]} >= 1)) || die "IDLE is empty"
[[ $ACTIVE =~ ^[0-9]+$ ]] && ((ACTIVE >= 1 && ACTIVE <= 1000)) || die "ACTIVE must be 1-1000, was '$ACTIVE'"
[[ $THREADS =~ ^[0-9]+$ ]] && ((THREADS >= 1 && THREADS <= 16 && THREADS <= ACTIVE)) || die "THREADS must be 1-16 and at most ACTIVE"
duration_s=$(seconds "$DURATION") && ((duration_s >= 1 && duration_s <= 120)) || die "DURATION must be 1s-120s, was '$DURATION'"
warmup_s=$(seconds "$WARMUP") && ((warmup_s >= 1 && warmup_s <= 60)) || die "WARMUP must be 1s-60s, was '$WARMUP'"
[[ $NETTY_LOOPS =~ ^[0-9]+$ ]] && ((NETTY_LOOPS >= 1 && NETTY_LOOPS <= 64)) || die "NETTY_LOOPS must be 1-64"
[[ $HEAP =~ ^[0-9]+[mg]$ ]] || die "HEAP must look like 512m or 1g, was '$HEAP'"
want() { [[ " $SERVERS " == *" $1 "* ]]; }
server_pin=()
load_pin=()
if [[ -n $PIN ]]; then
    [[ $PIN =~ ^([0-9,-]+):([0-9,-]+)$ ]] || die "PIN must be SERVER_CPUS:LOAD_CPUS (e.g. 0:1), was '$PIN'"
    command -v taskset >/dev/null || die "PIN needs taskset (util-linux)"
    server_pin=(taskset -c "${BASH_REMATCH[1]}")
    load_pin=(taskset -c "${BASH_REMATCH[2]}")
    "${server_pin[@]}" true && "${load_pin[@]}" true || die "PIN names CPUs this process may not use: '$PIN'"
fi

if ! command -v wrk >/dev/null; then
    echo "wrk is missing: installing the Debian package (apt-get install -y wrk)"
    ((EUID == 0)) || die "wrk is missing and installing it needs root: apt-get install wrk"
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q wrk >/dev/null ||
        die "apt-get install wrk failed (try apt-get update first)"
fi
for tool in gcc "$JAVA" timeout wrk curl ss; do
    command -v "$tool" >/dev/null || die "'$tool' is needed and not on the PATH"
done

# Build the benchmark jar (NettyHelloServer, HttpSummary, ScalabilityChart) and the demo jar
# (AEMhttpd) when missing or older than a source of the modules they contain.
source "$here/bench-jar.sh"
if want aem; then
    if [[ ! -f $demo_jar ]] || [[ -n $(find "$root/pom.xml" "$root"/aem-native/pom.xml "$root"/aem-native/src/main \
        "$root"/aem-reactor/pom.xml "$root"/aem-reactor/src/main "$root"/demo/pom.xml "$root"/demo/src/main \
        -newer "$demo_jar" -print -quit 2>/dev/null) ]]; then
        echo "building $demo_jar"
        (cd "$root" && ./mvnw -q -pl demo -am package -DskipTests)
    fi
fi

mkdir -p "$here/target"
gcc -O2 -Wall -Wextra -o "$here/target/idle_conns" "$here/src/main/c/idle_conns.c"

www=$(mktemp -d /tmp/aem-http-root.XXXXXX)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    rm -rf -- "$www"
}
trap cleanup EXIT

mkdir -p "$out"
results=$out/results.tsv
printf 'round\tserver\tidle\trps\tp50_ms\tp99_ms\tidle_connected\tidle_open_after\tsocket_errors\tnon_2xx\tserver_fds\tserver_rss_kb\n' >"$results"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel: $(uname -r)"
    echo "cpus: $(nproc); cpu model: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "gcc: $(gcc --version | head -1)"
    echo "RLIMIT_NOFILE: $(ulimit -Sn)/$(ulimit -Hn); net.core.somaxconn: $(cat /proc/sys/net/core/somaxconn);" \
        "ephemeral ports: $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)"
    echo "rounds: $ROUNDS; servers: $SERVERS; idle: ${idle_list[*]} (max = $MAX_IDLE); active: $ACTIVE (wrk -t$THREADS);" \
        "duration: $DURATION after a $WARMUP warm-up; heap: $HEAP; reactor-netty event loops: $NETTY_LOOPS;" \
        "pinning: ${PIN:-none} (server CPUs:wrk CPUs)"
    echo "command: ROUNDS=$ROUNDS SERVERS=\"$SERVERS\" PIN=\"$PIN\" IDLE=\"$IDLE\" MAX_IDLE=$MAX_IDLE DURATION=$DURATION WARMUP=$WARMUP" \
        "jmh/run-http-scalability.sh"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

free_port() {
    local port used
    used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
    for ((try = 0; try < 200; try++)); do
        port=$((20000 + RANDOM % 12000))
        grep -qx "$port" <<<"$used" || {
            echo "$port"
            return
        }
    done
    die "no free port found in 20000-31999"
}

# start_server NAME PORT LOG: starts it under timeout, sets server_pid (timeout's) and java_pid.
start_server() {
    local name=$1 port=$2 log=$3 limit=$((duration_s + warmup_s + 180)) ready
    case $name in
    aem)
        timeout "$limit" "${server_pin[@]}" "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -jar "$demo_jar" httpd --port="$port" --root="$www" \
            --host=127.0.0.1 >"$log" 2>&1 &
        ready="AEMhttpd listening on"
        ;;
    netty)
        timeout "$limit" "${server_pin[@]}" "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -Dreactor.netty.ioWorkerCount="$NETTY_LOOPS" \
            -cp "$jar" io.aem.jmh.NettyHelloServer "$port" "$limit" >"$log" 2>&1 &
        ready="NettyHelloServer listening on"
        ;;
    esac
    server_pid=$!
    pids+=("$server_pid")
    local t
    for ((t = 0; t < 300; t++)); do
        kill -0 "$server_pid" 2>/dev/null || die "$name server exited before it was ready; see $log"
        if grep -qs "$ready" "$log" &&
            [[ $(curl -s --max-time 2 "http://127.0.0.1:$port/hello" 2>/dev/null || true) == "Hello, World!" ]]; then
            java_pid=$(pgrep -P "$server_pid" | head -1)
            [[ -n $java_pid ]] || die "no java process under $server_pid"
            return
        fi
        sleep 0.1
    done
    die "$name server did not answer GET /hello within 30 s; see $log"
}

stop_pid() { # TERM, up to 15 s, then KILL
    local p=$1 t
    kill -TERM "$p" 2>/dev/null || return 0
    for ((t = 0; t < 150; t++)); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}

ms() { # wrk latency "2.69ms" / "850.00us" / "1.20s" -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "nan" }'
}

# run_point ROUND NAME N DIR: one server at one N; appends a row to results.tsv.
run_point() {
    local round=$1 name=$2 n=$3 dir=$4 port holder url line connected open rps p50 p99 errors non2xx fds rss
    port=$(free_port)
    url=http://127.0.0.1:$port/hello
    start_server "$name" "$port" "$dir/server-$name.log"
    if [[ ! -f $out/response-$name.txt ]]; then
        curl -s -i --raw --max-time 5 "$url" -o "$out/response-$name.txt" || die "curl to $name failed"
    fi

    timeout $((duration_s + warmup_s + 150)) "$here/target/idle_conns" 127.0.0.1 "$port" "$n" 1 \
        $((duration_s + warmup_s + 120)) >"$dir/idle-$name.txt" 2>"$dir/idle-$name.err" &
    holder=$!
    pids+=("$holder")
    local t
    for ((t = 0; t < 1200; t++)); do
        grep -qs '^holding' "$dir/idle-$name.txt" && break
        kill -0 "$holder" 2>/dev/null || die "idle_conns exited early; see $dir/idle-$name.err"
        sleep 0.1
    done
    connected=$(awk '/^answered/ {print $2}' "$dir/idle-$name.txt")
    [[ -n $connected ]] || die "idle_conns did not open its connections within 120 s; see $dir/idle-$name.err"
    if ((connected < n)); then
        echo "  warning: only $connected of $n idle connections were made and answered: $(head -1 "$dir/idle-$name.err")" >&2
    fi

    timeout $((warmup_s + 60)) "${load_pin[@]}" wrk -t"$THREADS" -c"$ACTIVE" -d"$WARMUP" "$url" >"$dir/warmup-$name.txt" 2>&1 ||
        die "wrk warm-up against $name failed; see $dir/warmup-$name.txt"
    timeout $((duration_s + 60)) "${load_pin[@]}" wrk -t"$THREADS" -c"$ACTIVE" -d"$DURATION" --latency "$url" >"$dir/wrk-$name.txt" 2>&1 &
    local wrk_pid=$!
    # the server's fds and RSS in the middle of the run, with the active connections open
    sleep $((duration_s / 2)).5
    fds=$(find /proc/"$java_pid"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    rss=$(awk '/VmRSS/ {print $2}' /proc/"$java_pid"/status 2>/dev/null || echo nan)
    wait "$wrk_pid" || die "wrk against $name failed; see $dir/wrk-$name.txt"

    # timeout does not pass SIGUSR1 on: ask idle_conns itself
    kill -USR1 "$(pgrep -P "$holder" | head -1)"
    open=
    for ((t = 0; t < 100; t++)); do
        line=$(grep -s '^open' "$dir/idle-$name.txt" || true)
        [[ -n $line ]] && break
        sleep 0.1
    done
    open=$(awk '{print $2}' <<<"$line")
    stop_pid "$holder"
    stop_pid "$server_pid"
    if [[ $fds =~ ^[0-9]+$ ]] && ((fds < n + ACTIVE)); then
        # AEMhttpd stops accepting RLIMIT_NOFILE - (fds at start) - 64 connections in; the rest wait
        # in the backlog unserved, so fewer than ACTIVE connections were active
        echo "note: $name at N=$n, round $round: the server held $fds fds, fewer than N + ACTIVE = $((n + ACTIVE)):" \
            "not every wrk connection was accepted" | tee -a "$out/machine.txt" >&2
    fi

    rps=$(awk '/^Requests\/sec:/ {print $2}' "$dir/wrk-$name.txt")
    p50=$(ms "$(awk '$1 == "50%" {print $2}' "$dir/wrk-$name.txt")")
    p99=$(ms "$(awk '$1 == "99%" {print $2}' "$dir/wrk-$name.txt")")
    errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$dir/wrk-$name.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$dir/wrk-$name.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$n" "${rps:-nan}" "$p50" "$p99" "$connected" \
        "${open:-nan}" "${errors:-0}" "${non2xx:-0}" "$fds" "$rss" >>"$results"
    printf '  %-6s N=%-6s %10s req/s  p50 %8s ms  p99 %8s ms  idle open after %s/%s  server fds %s\n' \
        "$name" "$n" "${rps:-?}" "$p50" "$p99" "${open:-?}" "$n" "$fds"
}

servers=($SERVERS)
step=0
for ((k = 1; k <= ROUNDS; k++)); do
    for ((i = 0; i < ${#idle_list[@]}; i++)); do
        n=${idle_list[i]}
        order=("${servers[@]}")
        if ((step % 2 == 1 && ${#servers[@]} == 2)); then
            order=("${servers[1]}" "${servers[0]}")
        fi
        step=$((step + 1))
        echo "round $k of $ROUNDS, N=$n idle: ${order[*]}"
        dir=$out/round-$k/idle-$n
        mkdir -p "$dir"
        for name in "${order[@]}"; do
            run_point "$k" "$name" "$n" "$dir"
        done
    done
done

if [[ -f $out/response-aem.txt && -f $out/response-netty.txt ]]; then
    if cmp -s "$out/response-aem.txt" "$out/response-netty.txt"; then
        echo "responses: identical bytes ($(wc -c <"$out/response-aem.txt") bytes each)" >>"$out/machine.txt"
    else
        echo "responses: DIFFERENT (see response-aem.txt, response-netty.txt)" >>"$out/machine.txt"
    fi
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

"$JAVA" -cp "$jar" io.aem.jmh.HttpSummary "$out" "$ROUNDS" | tee "$out/summary.txt"
chart=${CHART:+$root/$CHART}
chart=${chart:-$out/http-scalability.png}
mkdir -p "$(dirname "$chart")"
"$JAVA" -Djava.awt.headless=true -cp "$jar" io.aem.jmh.ScalabilityChart "$results" "$chart"
echo "chart in $chart"
echo "results in $out"
