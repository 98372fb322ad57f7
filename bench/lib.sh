# Shared by http.sh and api.sh (sourced): process handling for servers started under setsid and
# for the load generator, so both scripts stop everything they started, however they end.

CHILD=""               # the load generator running right now, if any

# Signal a process group (the pid is also its group id), wait up to TENTHS tenths of a second,
# then SIGKILL what is left (e.g. nginx workers) and reap it.
kill_group() {         # kill_group PID SIGNAL TENTHS
    local pid="$1" sig="$2" tenths="$3" i
    {   # stderr off for the whole block: it also silences bash's "Killed" job notice
        kill "-$sig" -- "-$pid" || kill "-$sig" "$pid" || true
        for (( i = 0; i < tenths; i++ )); do
            kill -0 "$pid" || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" || true
        kill -KILL "$pid" || true
        wait "$pid" || true
    } 2>/dev/null
}

# Run a client in the background and wait for it, so INT/TERM are handled at once, not after it ends.
run_client() {
    "$@" &
    CHILD=$!
    local st=0
    wait "$CHILD" || st=$?
    CHILD=""
    return "$st"
}

# Stop the running client, if any (from an EXIT trap).
stop_client() {
    if [[ -n "$CHILD" ]]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
