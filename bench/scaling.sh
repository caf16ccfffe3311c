#!/usr/bin/env bash
# One run, three set-ups, the same load: N messages of SIZE bytes from SESSIONS parallel SMTP
# sessions (Postfix's smtp-source) into Maildir, timed from the first connection to the last
# message in the Maildir:
#   file      one node, the embedded file queue
#   rabbitmq  one node, queue.type: rabbitmq
#   rabbitmq2 two nodes on one RabbitMQ queue and one Maildir root, half the sessions each
# Prints a markdown table with the ratios to the first row (docs/scaling.md). Needs smtp-source
# (apt-get install postfix) and the RabbitMQ broker on 127.0.0.1:5672 (guest/guest).
#
#   bench/scaling.sh [N=4000] [SESSIONS=20] [SIZE=4096]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-4000}; sessions=${2:-20}; size=${3:-4096}
work=${SCALING_DIR:-/tmp/postlet-scaling}
command -v smtp-source >/dev/null || { echo "bench/scaling.sh: smtp-source is missing (apt-get install postfix)" >&2; exit 2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# node DIR QUEUE_SECTION -> starts a node; its SMTP port in node_port
node() {
    local dir=$1 queue=$2 port
    port=$(free_port)
    mkdir -p "$dir/conf"
    echo "user@example.test:{PLAIN}bench" >"$dir/conf/users.passwd"
    cat >"$dir/conf/postlet.yaml" <<Y
hostname: bench.example.test
domains: [example.test]
users: users.passwd
smtp:
  listeners:
    - { name: mx, bind: 127.0.0.1, port: $port, tls: none, auth: none }
  maxMessageSize: 52428800
  authorizedNetworks: []
spool: $dir/spool
storage: { maildir: { root: $work/mail } }
pipeline: pipeline.yaml
$queue
Y
    cat >"$dir/conf/pipeline.yaml" <<'P'
processors:
  - state: root
    mailets:
      - { match: RecipientIsLocal, class: LocalDelivery }
      - { match: All, class: "Null" }
P
    "$root/bin/postlet" run --conf "$dir/conf" >"$dir/server.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 240); do grep -q "Postlet ready" "$dir/server.log" 2>/dev/null && break; sleep 0.5; done
    grep -q "Postlet ready" "$dir/server.log" || { echo "node in $dir did not start:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
    node_port=$port
}

count() { find "$work/mail/example.test/user/new" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# run NAME NODES QUEUE_SECTION -> appends "NAME seconds" to results
run() {
    local name=$1 nodes=$2 queue=$3 ports=() start end i
    rm -rf "$work" && mkdir -p "$work"
    for i in $(seq 1 "$nodes"); do node "$work/node$i" "$queue"; ports+=("$node_port"); done
    local sources=()
    start=$(date +%s.%N)
    for p in "${ports[@]}"; do
        smtp-source -s $((sessions / nodes)) -m $((n / nodes)) -l "$size" -f bench@example.test -t user@example.test \
            "127.0.0.1:$p" &
        sources+=($!)
    done
    wait "${sources[@]}"
    local limit=$((SECONDS + 900))
    while [ "$(count)" -lt "$n" ]; do
        [ "$SECONDS" -lt "$limit" ] || { echo "$name: only $(count) of $n delivered after 900 s" >&2; exit 1; }
        sleep 0.05
    done
    end=$(date +%s.%N)
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    pids=()
    results+=("$name $(echo "$end - $start" | bc -l)")
}

rabbit="queue: { type: rabbitmq, uri: \"amqp://guest:guest@127.0.0.1:5672/\", name: bench-$$, blobs: $work/shared }"
results=()
run file 1 ""
run rabbitmq 1 "$rabbit"
run rabbitmq2 2 "$rabbit"
rabbitmqctl -q delete_queue "bench-$$" >/dev/null 2>&1 || true
for q in $(rabbitmqctl -q list_queues name 2>/dev/null | grep "^bench-$$\."); do rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true; done

base=$(echo "${results[0]}" | awk '{print $2}')
echo "| set-up | nodes | seconds for $n × $size B | mails/s | ratio to file |"
echo "|---|---:|---:|---:|---:|"
for r in "${results[@]}"; do
    read -r name secs <<<"$r"
    nodes=1; [ "$name" = rabbitmq2 ] && nodes=2
    printf "| %s | %d | %.1f | %.0f | %.2f |\n" "$name" "$nodes" "$secs" "$(echo "$n / $secs" | bc -l)" "$(echo "$base / $secs" | bc -l)"
done
