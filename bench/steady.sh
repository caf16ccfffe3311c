#!/usr/bin/env bash
# A long run at c20 against one Postlet: every INTERVAL seconds, how many messages are in the
# Maildirs, the server's PSS and RSS, its heap after the last GC and its CPU, so steady-state
# throughput and flat memory can be read off one table (bench/README.md).
#
#   bench/steady.sh [N=50000] [SESSIONS=20] [SIZE=4096] [INTERVAL=5]
#
# Needs smtp-source (Postfix's load generator; bench/run.sh's harness installs it). Runs Postlet
# from this checkout on 127.0.0.1:2727 with a throw-away configuration under $STEADY_DIR
# (default /tmp/postlet-steady); prints a markdown table on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-50000}; sessions=${2:-20}; size=${3:-4096}; interval=${4:-5}
work=${STEADY_DIR:-/tmp/postlet-steady}
port=2727
command -v smtp-source >/dev/null || { echo "bench/steady.sh: smtp-source is missing (apt-get install postfix)" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$work/conf"
echo "user@example.test:{PLAIN}bench" >"$work/conf/users.passwd"
cat >"$work/conf/postlet.yaml" <<Y
hostname: bench.example.test
domains: [example.test]
users: users.passwd
smtp:
  listeners:
    - { name: mx, bind: 127.0.0.1, port: $port, tls: none, auth: none }
  maxMessageSize: 52428800
  authorizedNetworks: []
spool: $work/spool
storage: { maildir: { root: $work/mail } }
pipeline: pipeline.yaml
Y
cat >"$work/conf/pipeline.yaml" <<'P'
processors:
  - state: root
    mailets:
      - { match: RecipientIsLocal, class: LocalDelivery }
      - { match: All, class: "Null" }
P
"$root/bin/postlet" run --conf "$work/conf" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
jvm=$(pgrep -P $pid java || echo $pid)
new="$work/mail/example.test/user/new"
count() { find "$new" -maxdepth 1 -type f 2>/dev/null | wc -l; }
cpu() { awk '{print $14+$15}' "/proc/$jvm/stat"; }
mem() { awk '/^Pss:/{p=$2} /^Rss:/{r=$2} END{printf "%d %d", p/1024, r/1024}' "/proc/$jvm/smaps_rollup"; }
heap() { jcmd "$jvm" GC.heap_info 2>/dev/null | awk '/used/ && /total/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K,?/,"",v); s+=v}} END{printf "%d", s/1024}'; }
smtp-source -s "$sessions" -m "$n" -l "$size" -f bench@example.test -t user@example.test "127.0.0.1:$port" &
src=$!
start=$(date +%s.%N); last_n=0; last_t=$start; last_c=$(cpu)
echo "| t (s) | delivered | msgs/s in interval | CPU s per 1k in interval | PSS MB | RSS MB | heap used MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
while :; do
    sleep "$interval"
    now=$(date +%s.%N); d=$(count); c=$(cpu); read -r pss rss <<<"$(mem)"
    rate=$(echo "($d-$last_n)/($now-$last_t)" | bc -l); per=$( [ "$d" -gt "$last_n" ] && echo "($c-$last_c)/100/(($d-$last_n)/1000)" | bc -l || echo 0)
    printf "| %.0f | %d | %.0f | %.2f | %s | %s | %s |\n" "$(echo "$now-$start" | bc -l)" "$d" "$rate" "$per" "$pss" "$rss" "$(heap)"
    last_n=$d; last_t=$now; last_c=$c
    if [ "$d" -ge "$n" ]; then break; fi
    if ! kill -0 $src 2>/dev/null && [ "$d" -eq "$(count)" ] && [ "$(echo "$now-$start > 3600" | bc)" = 1 ]; then break; fi
done
wait $src || true
end=$(date +%s.%N)
printf "\n%d messages in %.1f s: %.0f msgs/s overall\n" "$n" "$(echo "$end-$start" | bc -l)" "$(echo "$n/($end-$start)" | bc -l)"
