# Sourced (bash) by tests/c/run-with-emulator.sh and tests/tls/with-tls.sh: runs one
# blooio-emulator as a coprocess for the length of the sourcing script.
#
#   emulator_start WHO LOG EMULATOR [ARG...]
#       starts EMULATOR --listen 127.0.0.1:0 --exit-on-stdin-eof ARG..., its stderr to LOG,
#       and sets emulator_url to the first line it prints. Exits 2 (after printing LOG, and
#       naming WHO) when no line comes within 30 s.
#   emulator_stop
#       closes the emulator's stdin (it exits on EOF), waits up to 5 s, then kills it.
#
# The coprocess's stdin is a pipe held by this shell: closing it, or this shell dying, ends the
# emulator, so it cannot outlive the script even when the script is killed.
#
# Also for the sourcing script's own helper processes:
#   poll COMMAND [ARG...]   runs COMMAND every 0.1 s until it succeeds; fails after 5 s.
#   process_gone PID        succeeds when PID no longer runs.
#   process_reap PID        ends PID if it still runs, and waits for it.

emulator_pid=
emulator_in=

poll() {
    for _ in $(seq 50); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

process_gone() {
    ! kill -0 "$1" 2>/dev/null
}

process_reap() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

emulator_start() {
    local who=$1 log=$2 binary=$3 out
    shift 3
    coproc EMULATOR { exec "$binary" --listen 127.0.0.1:0 --exit-on-stdin-eof "$@" 2>"$log"; }
    emulator_pid=$EMULATOR_PID
    emulator_in=${EMULATOR[1]}
    if ! IFS= read -r -t 30 -u "${EMULATOR[0]}" emulator_url; then
        echo "$who: the emulator printed no URL; its log:" >&2
        cat "$log" >&2
        exit 2
    fi
    # Keep reading its stdout so that it never blocks on a full pipe (bash does not hand
    # coprocess descriptors to children, so give the reader a copy).
    exec {out}<&"${EMULATOR[0]}"
    cat <&"$out" >/dev/null &
    exec {out}<&-
}

emulator_stop() {
    [ -n "$emulator_pid" ] || return 0
    if [ -n "$emulator_in" ]; then
        exec {emulator_in}>&- 2>/dev/null || true
    fi
    poll process_gone "$emulator_pid" || true
    process_reap "$emulator_pid"
    emulator_pid=
}
