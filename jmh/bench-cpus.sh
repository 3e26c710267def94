# Shared by the benchmark scripts (sourced, not run): checks that RECEIVER_CPU and SENDER_CPU
# exist and are allowed to this process (taskset is in util-linux); sets "allowed" to the CPUs
# this process may use. Needs: die, RECEIVER_CPU, SENDER_CPU.

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
