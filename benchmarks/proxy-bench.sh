#!/usr/bin/env bash
# Proxy throughput: readmit against nginx and HAProxy as reverse proxies, in one run.
#
# Starts an nginx upstream on loopback (one worker, `return 200` with a small body) and, in front of
# it, six contenders measured with wrk in the same run:
#   direct          wrk straight at the upstream (the ceiling of this machine)
#   readmit-tcp     the readmit gateway in `mode: tcp`: bytes relayed between each client connection and
#                   its own upstream connection, no HTTP parsed or written. Not a contender for the
#                   targets (it is no HTTP proxy): the ceiling of any proxy on this transport (Netty's
#                   epoll on the JVM), against which the cost of the HTTP work is read
#   readmit-off     the readmit gateway, no admission section (admission off)
#   readmit-on      the readmit gateway deciding every request: openPercent 100, client key from the
#                   X-Client-Id header, wrk sends a valid Readmit-Ticket (obtained by a first request),
#                   so every request is classified, its ticket verified (HMAC) and decided
#   nginx           nginx as reverse proxy
#   haproxy         HAProxy as reverse proxy
# One worker thread for each proxy (readmit workerThreads: 1, nginx worker_processes 1, haproxy
# nbthread 1); each keeps its upstream connections alive (readmit pools them; nginx `keepalive`;
# HAProxy `http-reuse always`); each adds X-Forwarded-For and keeps Host. Every contender gets the same
# request (the same headers, ticket included). Runs ROUNDS rounds, the contenders in a rotated order
# each round, and reports the median of each figure, so that a noisy moment on a shared machine does
# not land on one contender only. With PIN=1 the proxy under test runs on CPU 1 and wrk plus the
# upstream on CPU 0 (taskset), so every proxy gets the same one core; with PIN=0 the scheduler shares
# both cores among everything.
#
# Prints the table and writes it to benchmarks/RESULTS.md between the markers
# <!-- proxy-bench:start --> and <!-- proxy-bench:end --> (the rest of the file is left alone).
#
# Needs: java 17, maven (offline cache), python3; installs nginx, haproxy and wrk with apt-get if missing.
# Usage: benchmarks/proxy-bench.sh
#   env: ROUNDS (3) DURATION (10, seconds per measurement) WARMUP (10: two wrk runs of this many seconds
#        on each JVM before round 1)
#        CONNS (64) THREADS (2, wrk threads) PIN (1) PORT (18090, first of 6 ports)
#        JAVA_OPTS (-Xms256m -Xmx256m) SKIP_BUILD (0) OUT (benchmarks/RESULTS.md) ONLY (all contenders)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PIN=${PIN:-1}
PORT=${PORT:-18090}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m"}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-benchmarks/RESULTS.md}
ONLY=${ONLY:-"direct readmit-tcp readmit-off readmit-on nginx haproxy"}
COMMAND="$0${*:+ $*} (ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP CONNS=$CONNS THREADS=$THREADS PIN=$PIN)"

UPSTREAM_PORT=$PORT
READMIT_OFF_PORT=$((PORT + 1))
READMIT_ON_PORT=$((PORT + 2))
NGINX_PORT=$((PORT + 3))
HAPROXY_PORT=$((PORT + 4))
READMIT_TCP_PORT=$((PORT + 5))
CLIENT_ID=proxy-bench

WORK=$(mktemp -d)
PIDS=()

log() { echo "proxy-bench: $*" >&2; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$WORK"/*.pid; do
    [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 0.3
  rm -rf "$WORK"
}
trap cleanup EXIT

install_missing() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v wrk >/dev/null || missing+=(wrk)
  if ((${#missing[@]})); then
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    log "installing ${missing[*]}"
    $sudo apt-get -y install "${missing[@]}" >&2 || { $sudo apt-get update >&2 && $sudo apt-get -y install "${missing[@]}" >&2; }
  fi
  # The packages start system services on port 80; nothing here uses them.
}

if [[ $PIN == 1 ]]; then
  PROXY_CPU="taskset -c 1"
  LOAD_CPU="taskset -c 0"
else
  PROXY_CPU=""
  LOAD_CPU=""
fi

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on port $1"; exit 1
}

start_upstream() {
  cat > "$WORK/upstream.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/upstream.pid;
error_log $WORK/upstream-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location / { default_type text/plain; return 200 "hello from the upstream\n"; }
  }
}
CONF
  $LOAD_CPU nginx -c "$WORK/upstream.conf"
  wait_port "$UPSTREAM_PORT"
}

start_nginx_proxy() {
  cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  upstream backend {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 1024;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
CONF
  $PROXY_CPU nginx -c "$WORK/nginx.conf"
  wait_port "$NGINX_PORT"
}

start_haproxy() {
  cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 75s
  timeout server 60s
  timeout http-keep-alive 75s
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  option forwardfor
  default_backend be
backend be
  server upstream 127.0.0.1:$UPSTREAM_PORT
CONF
  $PROXY_CPU haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid"
  wait_port "$HAPROXY_PORT"
}

start_readmit() { # name port [mode] [admission yaml]
  local name=$1 port=$2 mode=${3:-http}
  {
    echo "listen: 127.0.0.1:$port"
    echo "workerThreads: 1"
    echo "mode: $mode"
    echo "upstream:"
    echo "  url: $mode://127.0.0.1:$UPSTREAM_PORT"
    if [[ -n ${4:-} ]]; then echo "$4"; fi
  } > "$WORK/$name.yaml"
  # shellcheck disable=SC2086
  $PROXY_CPU java $JAVA_OPTS -jar gateway/target/readmit.jar gateway --config "$WORK/$name.yaml" \
    > "$WORK/$name.log" 2>&1 &
  echo $! > "$WORK/$name.pid"
  wait_port "$port"
}

# CPU seconds (user + system) used so far by a process and its children (nginx: master and worker).
cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    if [[ -r /proc/$p/stat ]]; then
      total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    fi
  done
  echo "$total"
}

port_of() {
  case $1 in
    direct) echo "$UPSTREAM_PORT" ;;
    readmit-tcp) echo "$READMIT_TCP_PORT" ;;
    readmit-off) echo "$READMIT_OFF_PORT" ;;
    readmit-on) echo "$READMIT_ON_PORT" ;;
    nginx) echo "$NGINX_PORT" ;;
    haproxy) echo "$HAPROXY_PORT" ;;
  esac
}

pid_of() {
  case $1 in
    direct) cat "$WORK/upstream.pid" ;;
    *) cat "$WORK/$1.pid" ;;
  esac
}

# Kept-alive connections from a proxy to the upstream right after a measurement (its pool), or "-".
upstream_conns() {
  [[ $1 == direct ]] && { echo "-"; return; }
  local pid pids count=0
  pid=$(pid_of "$1")
  pids=" $pid $( (pgrep -P "$pid" || true) | tr '\n' ' ')"
  while read -r owner; do
    [[ " $pids " == *" $owner "* ]] && count=$((count + 1))
  done < <(ss -tnpH state established "( dport = :$UPSTREAM_PORT )" | grep -o 'pid=[0-9]*' | cut -d= -f2)
  echo "$count"
}

WRK_HEADERS=()

run_wrk() { # contender seconds outfile
  local port
  port=$(port_of "$1")
  $LOAD_CPU wrk -t"$THREADS" -c"$CONNS" -d"$2s" --latency "${WRK_HEADERS[@]}" "http://127.0.0.1:$port/" > "$3"
}

install_missing
if [[ $SKIP_BUILD != 1 || ! -f gateway/target/readmit.jar ]]; then
  log "building gateway/target/readmit.jar"
  mvn -B -o -q -pl gateway -am package -DskipTests >&2
fi
head -c 32 /dev/urandom | base64 > "$WORK/ticket.key"

log "starting the upstream and the proxies"
start_upstream
start_nginx_proxy
start_haproxy
start_readmit readmit-tcp "$READMIT_TCP_PORT" tcp
start_readmit readmit-off "$READMIT_OFF_PORT"
start_readmit readmit-on "$READMIT_ON_PORT" http "admission:
  openPercent: 100
  clientKey:
    - header: X-Client-Id
  ticketKeyFile: $WORK/ticket.key"

# The ticket comes with the first response; with it every later request is admitted as a ticket holder.
curl -s -o /dev/null -D "$WORK/first.headers" -H "X-Client-Id: $CLIENT_ID" "http://127.0.0.1:$READMIT_ON_PORT/"
TICKET=$(awk 'tolower($1) == "readmit-ticket:" {print $2}' "$WORK/first.headers" | tr -d '\r')
if [[ -z $TICKET ]]; then
  log "readmit-on issued no ticket on the first request:"; cat "$WORK/first.headers" >&2; exit 1
fi
curl -s -o /dev/null -D "$WORK/second.headers" -H "X-Client-Id: $CLIENT_ID" -H "Readmit-Ticket: $TICKET" \
  "http://127.0.0.1:$READMIT_ON_PORT/"
if ! head -1 "$WORK/second.headers" | grep -q ' 200' || grep -qi '^readmit-ticket:' "$WORK/second.headers"; then
  log "readmit-on did not admit the ticket holder as such:"; cat "$WORK/second.headers" >&2; exit 1
fi
WRK_HEADERS=(-H "X-Client-Id: $CLIENT_ID" -H "Readmit-Ticket: $TICKET")

# Twice, so that the JIT has also seen connections close and open (each measurement opens new ones)
# before the first round; otherwise the first new connections deoptimise the hot read path.
for name in readmit-tcp readmit-off readmit-on; do
  if [[ " $ONLY " == *" $name "* ]]; then
    log "warming up $name for 2 x ${WARMUP}s"
    run_wrk "$name" "$WARMUP" "$WORK/warmup-$name.txt"
    run_wrk "$name" "$WARMUP" "$WORK/warmup-$name.txt"
  fi
done

read -r -a CONTENDERS <<< "$ONLY"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TICK=$(getconf CLK_TCK)
for ((r = 1; r <= ROUNDS; r++)); do
  n=${#CONTENDERS[@]}
  for ((i = 0; i < n; i++)); do
    name=${CONTENDERS[$(((i + r - 1) % n))]}
    pid=$(pid_of "$name")
    before=$(cpu_ticks "$pid")
    run_wrk "$name" "$DURATION" "$WORK/$name-$r.txt" &
    wrk_pid=$!
    sleep $((DURATION / 2))
    upstream_conns "$name" > "$WORK/$name-$r.conns"
    wait "$wrk_pid"
    after=$(cpu_ticks "$pid")
    echo "$(((after - before)))" > "$WORK/$name-$r.cpu"
    log "round $r $name: $(awk '/Requests\/sec/ {print $2}' "$WORK/$name-$r.txt") req/s, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$WORK" "$OUT" "$ROUNDS" "$TICK" "$COMMAND" "$LOAD_BEFORE" "$LOAD_AFTER" "$CONNS" "$THREADS" \
  "$DURATION" "$PIN" "$ONLY" "$JAVA_OPTS" <<'PY'
import os, re, statistics, sys, datetime
work, out, rounds, tick, command, load_before, load_after, conns, threads, duration, pin, only, java_opts = sys.argv[1:]
rounds, tick = int(rounds), int(tick)
names = only.split()
labels = {
    "direct": "direct (no proxy)",
    "readmit-tcp": "readmit `mode: tcp` (bytes relayed, no HTTP)",
    "readmit-off": "readmit, admission off",
    "readmit-on": "readmit, admission on",
    "nginx": "nginx reverse proxy",
    "haproxy": "HAProxy reverse proxy",
}

def millis(text):
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v if m.group(2) == "ms" else v * 1000

rows = {}
for name in names:
    rps, p50, p99, cpu_us, errors, runs, pool = [], [], [], [], 0, [], []
    for r in range(1, rounds + 1):
        text = open(os.path.join(work, f"{name}-{r}.txt")).read()
        reqs = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        total = int(re.search(r"(\d+) requests in", text).group(1))
        rps.append(reqs)
        runs.append(reqs)
        p50.append(millis(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)))
        p99.append(millis(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)))
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        errors += int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        errors += sum(int(x) for x in m.groups()) if m else 0
        pool.append(open(os.path.join(work, f"{name}-{r}.conns")).read().strip())
        ticks = int(open(os.path.join(work, f"{name}-{r}.cpu")).read())
        cpu_us.append(ticks / tick * 1e6 / total if total else float("nan"))
    rows[name] = dict(
        rps=statistics.median(rps), p50=statistics.median(p50), p99=statistics.median(p99),
        cpu=statistics.median(cpu_us), errors=errors, runs=runs, pool="/".join(sorted(set(pool))))

def ratio(a, b, fmt="{:.2f}x"):
    if a in rows and b in rows:
        return fmt.format(rows[a]["rps"] / rows[b]["rps"])
    return "n/a"

def verdict(ok):
    return "met" if ok else "NOT met"

lines = []
lines.append("## Proxy throughput")
lines.append("")
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
lines.append(f"Generated by `{command}` on {now}, {os.cpu_count()} cores, load average before "
             f"{load_before}, after {load_after} (a shared machine: compare the contenders, which ran"
             f" interleaved, rather than the absolute figures).")
pinning = ("each proxy pinned to CPU 1, wrk and the upstream to CPU 0 (`taskset`)" if pin == "1"
           else "no pinning: the scheduler shares both cores among wrk, upstream and proxy")
lines.append(f"wrk {threads} threads, {conns} keep-alive connections, {duration} s per measurement, "
             f"{rounds} rounds in rotated order, median of the rounds; {pinning}. Upstream: nginx, one worker, "
             f"`return 200` with a 24-byte body. One worker thread per proxy; readmit with `{java_opts}`.")
lines.append("")
lines.append("| contender | requests/s | p50 ms | p99 ms | proxy CPU µs/request | each round, requests/s | upstream connections | errors |")
lines.append("|---|---|---|---|---|---|---|---|")
for name in names:
    r = rows[name]
    each = " / ".join(f"{x:.0f}" for x in r["runs"])
    lines.append(f"| {labels[name]} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['cpu']:.1f} | {each} | {r['pool']} | {r['errors']} |")
lines.append("")
lines.append("(proxy CPU: user + system time of the proxy's processes during the measurement, per request;"
             " for `direct` it is the upstream's. Upstream connections: the proxy's established connections to the"
             " upstream halfway through each measurement, its kept-alive pool.)")
lines.append("")
lines.append("| ratio | value | target |")
lines.append("|---|---|---|")
if "readmit-off" in rows and "nginx" in rows:
    v = rows["readmit-off"]["rps"] / rows["nginx"]["rps"]
    lines.append(f"| readmit / nginx throughput (admission off) | {v:.3f}x | >= 1.0x: {verdict(v >= 1.0)} |")
if "readmit-off" in rows and "haproxy" in rows:
    v = rows["readmit-off"]["rps"] / rows["haproxy"]["rps"]
    lines.append(f"| readmit / HAProxy throughput (admission off) | {v:.3f}x | >= 1.0x: {verdict(v >= 1.0)} |")
if "readmit-on" in rows and "nginx" in rows:
    v = rows["readmit-on"]["rps"] / rows["nginx"]["rps"]
    lines.append(f"| readmit / nginx throughput (admission on) | {v:.2f}x | |")
if "readmit-off" in rows and "nginx" in rows:
    v = rows["readmit-off"]["p99"] / rows["nginx"]["p99"]
    lines.append(f"| readmit p99 / nginx p99 (admission off) | {v:.3f}x | <= 1.2x: {verdict(v <= 1.2)} |")
if "readmit-on" in rows and "nginx" in rows:
    v = rows["readmit-on"]["p99"] / rows["nginx"]["p99"]
    lines.append(f"| readmit p99 / nginx p99 (admission on) | {v:.2f}x | |")
if "readmit-on" in rows and "readmit-off" in rows:
    v = rows["readmit-on"]["rps"] / rows["readmit-off"]["rps"]
    lines.append(f"| admission on / off throughput | {v:.3f} | >= 0.97: {verdict(v >= 0.97)} |")
if "readmit-tcp" in rows and "nginx" in rows:
    v = rows["readmit-tcp"]["rps"] / rows["nginx"]["rps"]
    lines.append(f"| readmit `mode: tcp` (no HTTP work) / nginx throughput | {v:.3f}x | (the transport's ceiling) |")
if "readmit-tcp" in rows and "readmit-off" in rows:
    v = rows["readmit-off"]["cpu"] - rows["readmit-tcp"]["cpu"]
    lines.append(f"| proxy CPU per request, readmit (off) minus `mode: tcp`: the HTTP work | {v:.1f} µs | |")
    if "nginx" in rows:
        v = rows["nginx"]["cpu"] - rows["readmit-tcp"]["cpu"]
        lines.append(f"| room for the HTTP work at 1.0x nginx: nginx's CPU per request minus `mode: tcp`'s | {v:.1f} µs | |")
for a, b, label in (("readmit-off", "nginx", "readmit (off) / nginx"), ("readmit-off", "haproxy", "readmit (off) / HAProxy"),
                    ("readmit-on", "readmit-off", "admission on / off")):
    if a in rows and b in rows:
        lines.append(f"| proxy CPU per request, {label} | {rows[a]['cpu'] / rows[b]['cpu']:.2f}x | (less is cheaper) |")
if "direct" in rows:
    for name in ("nginx", "haproxy", "readmit-off"):
        if name in rows:
            lines.append(f"| {labels[name]} / direct throughput | {rows[name]['rps'] / rows['direct']['rps']:.2f}x | |")
section = "\n".join(lines) + "\n"
print(section)

start, end = "<!-- proxy-bench:start -->", "<!-- proxy-bench:end -->"
block = f"{start}\n{section}{end}\n"
if os.path.exists(out):
    text = open(out).read()
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block
else:
    text = "# Benchmark results\n\n" + block
with open(out, "w") as f:
    f.write(text)
PY
log "wrote $OUT"
