# Shared by http.sh and api.sh (sourced): process handling for servers started under setsid and
# for the load generator, so both scripts stop everything they started, however they end; and
# the nginx anchor's configuration, so both measure against the same nginx.

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

# The nginx anchor's configuration: `return 200 "ok"` on /healthz, no logs, long keep-alive.
# Not the system's nginx configuration; everything it writes stays under DIR.
write_nginx_conf() {   # write_nginx_conf DIR PORT WORKERS WORKER_CONNECTIONS NOFILE
    local dir="$1" port="$2" workers="$3" conns="$4" nofile="$5"
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
# Written by bench/lib.sh; not the system's nginx configuration.
worker_processes $workers;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $nofile;
events {
    worker_connections $conns;
    multi_accept on;
}
http {
    access_log off;
    server_tokens off;
    default_type text/plain;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location = /healthz {
            return 200 "ok";
        }
    }
}
EOF
}
