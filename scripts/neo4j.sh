#!/usr/bin/env bash
# The project's own Neo4j Community 5.26 LTS, run in-process from Maven Central jars
# (neo4j-server/pom.xml + neo4j-server/Launcher.java), for tests and for anyone without a Neo4j install.
#
#   scripts/neo4j.sh fetch    download the jars into .neo4j/lib (only when missing or the pom changed)
#   scripts/neo4j.sh up       start (or reuse) a server on a free loopback port;
#                             the LAST line of stdout is NEO4J_URI=bolt://127.0.0.1:PORT
#   scripts/neo4j.sh down     stop it (SIGTERM, then SIGKILL after 30 s); fine if not running
#   scripts/neo4j.sh status   print the URI if it is running and answering, else exit 1
#
# Everything lives in the git-ignored .neo4j/: lib/ (jars), home/ (data, wiped on each new
# start), server.log, server.pid, server.port. Only stdout's last line of `up` is meant
# for machines; all other messages go to stderr.
# Needs java (17+) and, for fetch, mvn. NEO4J_HEAP sets the heap (default 4g);
# NEO4J_JAVA_OPTS adds JVM flags (an -Xmx there wins); NEO4J_READY_TIMEOUT
# (seconds, default 120) bounds the wait in `up`; NEO4J_INSTANCE names a separate server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
STATE=$ROOT/.neo4j
LIB=$STATE/lib
STAMP=$STATE/lib.sha1
# NEO4J_INSTANCE=NAME runs a separate server (own home, port and pid) beside the default one,
# e.g. for two test runs at once; the jars are shared.
RUN=$STATE${NEO4J_INSTANCE:+/instances/$NEO4J_INSTANCE}
mkdir -p "$RUN"
HOME_DIR=$RUN/home
LOG=$RUN/server.log
PID_FILE=$RUN/server.pid
PORT_FILE=$RUN/server.port
POM=neo4j-server/pom.xml
LAUNCHER=neo4j-server/Launcher.java
READY_TIMEOUT=${NEO4J_READY_TIMEOUT:-120}

# Without the --add-opens flags Neo4j still runs, but the page cache falls back to a slower
# mode and the native transaction-log calls fail ("Incorrect file descriptor" in debug.log).
# NEO4J_HEAP (default 4g) is the heap: a change is written in batches of bounded size, so 4 GiB
# holds any register, the national x10 synthetic one included (make bench measures it).
# -Xms silences Neo4j's "initial heap not configured" warning.
HEAP=${NEO4J_HEAP:-4g}
JAVA_OPTS=(
    -Xms256m "-Xmx$HEAP"
    -XX:+ExitOnOutOfMemoryError
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
    -Dlog4j2.disable.jmx=true
)
# shellcheck disable=SC2206  # word-splitting the user's extra flags is intended
JAVA_OPTS+=(${NEO4J_JAVA_OPTS:-})

if [[ -x $ROOT/.venv/bin/python ]]; then PY=$ROOT/.venv/bin/python; else PY=python3; fi

log() { echo "neo4j.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# bolt_wait URI TIMEOUT [PID]: succeed once a Bolt server answers at URI, trying until TIMEOUT
# seconds have passed (0: one try); give up early if PID is given and that process has died.
# Uses the official driver's verify_connectivity(); where the driver isn't installed (python3
# fallback), a bare Bolt handshake stands in so the script still works without the venv.
# Runs from / to keep the current folder off the Python path.
bolt_wait() {
    (cd / && "$PY" - "$@" <<'PY'
import os, socket, sys, time

uri, timeout = sys.argv[1], float(sys.argv[2])
pid = int(sys.argv[3]) if len(sys.argv) > 3 else None
host, port = uri.split("//", 1)[1].rsplit(":", 1)

try:
    from neo4j import GraphDatabase
except ImportError:
    GraphDatabase = None

def answers():
    try:
        if GraphDatabase is None:
            with socket.create_connection((host, int(port)), timeout=2) as s:
                # magic, then 4 proposals: 5.0-5.8 (range 8), 4.4, none, none
                s.sendall(bytes.fromhex("6060B017" "00080805" "00000404") + bytes(8))
                return s.recv(4) not in (b"", bytes(4))
        with GraphDatabase.driver(uri, auth=None, connection_timeout=2) as driver:
            driver.verify_connectivity()
        return True
    except Exception:
        return False

deadline = time.monotonic() + timeout
while True:
    if answers():
        sys.exit(0)
    if time.monotonic() >= deadline:
        sys.exit(1)
    if pid is not None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit(3)
    time.sleep(0.5)
PY
    )
}

# is_ours PID: the process is alive and is our launcher (guards against a recycled pid).
is_ours() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r /proc/$pid/cmdline ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$LAUNCHER"
    else
        ps -o args= -p "$pid" 2>/dev/null | grep -q "$LAUNCHER"
    fi
}

# running: the server started earlier is alive and answering; sets URI.
running() {
    [[ -f $PID_FILE && -f $PORT_FILE ]] || return 1
    is_ours "$(cat "$PID_FILE")" || return 1
    URI="bolt://127.0.0.1:$(cat "$PORT_FILE")"
    bolt_wait "$URI" 0
}

cmd_fetch() {
    command -v java >/dev/null || die "java (17+) not found"
    local sha
    sha=$(sha1sum "$POM" | cut -d' ' -f1)
    if [[ -d $LIB && -f $STAMP && $(cat "$STAMP") == "$sha" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Neo4j jars)"
    log "fetching Neo4j jars from Maven Central into .neo4j/lib (first time: ~125 MB) ..."
    local t0=$SECONDS
    # Start from an empty lib/ so jars the pom no longer names don't linger; the stamp is
    # written last, so an interrupted fetch is redone next time.
    rm -rf "$LIB" "$STAMP"
    mkdir -p "$STATE"
    # jansi.noreset: stops Maven 3.8 printing bare colour-reset codes even with -q -B.
    MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" \
        mvn -q -B -f "$POM" dependency:copy-dependencies@copy-jars >&2 || die "mvn fetch failed"
    echo "$sha" >"$STAMP"
    log "fetched $(find "$LIB" -name '*.jar' | wc -l) jars in $((SECONDS - t0)) s"
}

cmd_up() {
    cmd_fetch
    if running; then
        log "reusing the running server (pid $(cat "$PID_FILE"))"
        echo "NEO4J_URI=$URI"
        return 0
    fi
    cmd_down 2>/dev/null # a stale or hung one, if any

    local port pid t0=$SECONDS rc=0
    port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    rm -rf "$HOME_DIR"
    mkdir -p "$HOME_DIR"
    log "starting Neo4j on 127.0.0.1:$port (log: .neo4j/server.log) ..."
    # java runs the single-file source directly (compiled in memory, ~1-2 s); the quoted
    # classpath wildcard is expanded by java, not the shell.
    nohup java "${JAVA_OPTS[@]}" -cp "$LIB/*" "$LAUNCHER" "$HOME_DIR" "$port" \
        >"$LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"

    URI="bolt://127.0.0.1:$port"
    bolt_wait "$URI" "$READY_TIMEOUT" "$pid" || rc=$?
    if ((rc != 0)); then
        if ((rc == 3)); then log "the server exited during start-up"; else log "not ready after ${READY_TIMEOUT} s"; fi
        log "last lines of .neo4j/server.log:"
        tail -n 40 "$LOG" >&2 || true
        cmd_down 2>/dev/null || true
        exit 1
    fi
    log "ready in $((SECONDS - t0)) s (pid $pid)"
    echo "NEO4J_URI=$URI"
}

cmd_down() {
    local pid
    if [[ -f $PID_FILE ]] && pid=$(cat "$PID_FILE") && is_ours "$pid"; then
        log "stopping Neo4j (pid $pid) ..."
        kill -TERM "$pid" 2>/dev/null || true
        # The shutdown hook closes the store; Bolt's shutdown alone takes ~5 s.
        local i
        for ((i = 0; i < 60; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "still running after 30 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "stopped"
    else
        log "not running"
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
}

cmd_status() {
    if running; then
        echo "$URI"
    else
        log "not running"
        exit 1
    fi
}

case "${1:-}" in
    fetch) cmd_fetch ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 {fetch|up|down|status}" >&2
        exit 2
        ;;
esac
