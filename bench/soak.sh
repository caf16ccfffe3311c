#!/usr/bin/env bash
# Soak: runs Postlet from this checkout for MINUTES (default 30) under mixed SMTP traffic and
# checks that memory stays flat and that every 250-acknowledged message is delivered exactly once.
#
#   bench/soak.sh                 30 minutes, 8 clients
#   MINUTES=2 bench/soak.sh       a quick look
#
# Environment: MINUTES [30], CLIENTS [8], JAVA_OPTS [-Xmx512m], SOAK_DIR [a new /tmp/postlet-soak.XXXX],
# and any soak.py option after the script's name (bench/soak.sh --big-interval 4).
# Needs: a JDK with jcmd, python3. Sends traffic to 127.0.0.1 only. Not run in CI.
# Output: SOAK_DIR/result.json (samples, counts, problems), SOAK_DIR/driver.log, SOAK_DIR/server.log;
# the verdict on the last line; exit 0 only if every acknowledged message arrived exactly once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=${MINUTES:-30}
clients=${CLIENTS:-8}
work=${SOAK_DIR:-$(mktemp -d /tmp/postlet-soak.XXXX)}
mkdir -p "$work"

# Run from a copy of the build, so that rebuilding the checkout during the soak does not change
# the jars under the running JVM.
jar="$root/server-app/target/postlet-server.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/server-app/target/lib" ]; then
    (cd "$root" && ./mvnw -q -B -DskipTests package)
fi
home="$work/home"
mkdir -p "$home/bin" "$home/lib" "$home/conf" "$home/var"
cp "$root/bin/postlet" "$home/bin/"
cp "$jar" "$root"/server-app/target/lib/*.jar "$home/lib/"
git -C "$root" rev-parse --short HEAD > "$work/commit" 2>/dev/null || echo unknown > "$work/commit"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mx=$(free_port); submission=$(free_port); metrics=$(free_port)

cat > "$home/conf/users.passwd" <<'USERS'
alice@example.test:{PLAIN}alice
bob@example.test:{PLAIN}bob
USERS
cat > "$home/conf/pipeline.yaml" <<'PIPELINE'
processors:
  - state: root
    mailets:
      - { match: All, class: LogMessage, headers: "Subject, Message-ID" }
      - { match: RecipientIsLocal, class: LocalDelivery }
      - { match: All, class: ToProcessor, processor: error }
  - state: error
    mailets:
      - { match: All, class: LogMessage, level: warn }
      - { match: All, class: ToRepository, path: ../var/error }
PIPELINE
cat > "$home/conf/postlet.yaml" <<CONF
hostname: mx.example.test
domains: [example.test]
users: users.passwd
smtp:
  listeners:
    - { name: mx, bind: 127.0.0.1, port: $mx, tls: starttls, auth: optional }
    - { name: submission, bind: 127.0.0.1, port: $submission, tls: starttls, auth: required }
  maxMessageSize: 10485760
  authorizedNetworks: [127.0.0.0/8]
  timeouts: { command: 60s, data: 120s }
tls:
  keystore: tls/keystore.p12
spool: ../var/spool
storage:
  maildir:
    root: ../var/mail
    layout: "%d/%n"
pipeline: pipeline.yaml
metrics:
  http: 127.0.0.1:$metrics
CONF

export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
"$home/bin/postlet" run --conf "$home/conf" > "$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 120); do
    grep -q "Postlet ready" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; echo "soak: the server did not start" >&2; exit 1; }
    sleep 0.5
done
grep -q "Postlet ready" "$work/server.log" || { echo "soak: the server was not ready within 60 s" >&2; exit 1; }
echo "soak: server pid $server, mx $mx, submission $submission, metrics $metrics, $minutes min, $clients clients, in $work"

set +e
python3 "$root/bench/soak/soak.py" --mx-port "$mx" --submission-port "$submission" --pid "$server" \
    --spool "$home/var/spool" --maildir "$home/var/mail" --health-url "http://127.0.0.1:$metrics/health" \
    --minutes "$minutes" --clients "$clients" --out "$work/result.json" "$@" 2>&1 | tee "$work/driver.log"
status=${PIPESTATUS[0]}
set -e
echo "soak: server log lines with ERROR: $(grep -c ' ERROR ' "$work/server.log" || true); results in $work"
exit "$status"
