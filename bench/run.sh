#!/usr/bin/env bash
# Builds Postlet from this checkout, then runs the side-by-side SMTP -> Maildir benchmark harness
# (a separate set of scripts, not part of Postlet: BENCH_SRC names its folder) with this checkout
# as the "postlet" peer. See bench/README.md.
#
#   BENCH_SRC=/path/to/bench bench/run.sh   postlet postfix smtp-sink, the standard workloads, REPS=3
#   bench/run.sh postlet postfix subetha smtp-sink
#   REPS=1 WORKLOADS="c20:5000:4096:20" bench/run.sh postlet postfix      # quick look (~1 min)
#   bench/run.sh --fsync [N]              fsync-family calls per message, postlet and postfix (strace)
#
# Environment: everything the harness's run.sh reads (REPS, WORKLOADS, BENCH_DATA, ...), plus
#   BENCH_SRC  the harness's folder (holds setup.sh, run.sh, peers/) [required]
#   BENCH_DIR  where it is copied to and run from; results land in BENCH_DIR/results [/tmp/bench]
# Needs root (setup.sh installs Postfix and smtp-source with apt-get).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${BENCH_SRC:-}
work=${BENCH_DIR:-/tmp/bench}

[ -n "$src" ] || { echo "bench/run.sh: set BENCH_SRC to the folder of the benchmark harness (with setup.sh and run.sh)" >&2; exit 2; }
[ -x "$src/run.sh" ] || { echo "bench/run.sh: no benchmark harness at $src (no executable run.sh there; fix BENCH_SRC)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (the setup installs Postfix with apt-get)" >&2; exit 2; }

# The harness's scripts write builds and results next to themselves: run a copy. Refresh the scripts,
# keep results/ and the Java peers' build from earlier runs.
mkdir -p "$work"
cp -r "$src"/. "$work"/
chmod -R u+w "$work"
"$work/setup.sh"

# YAML 1.1 reads an unquoted `Null` as a null value: before 2d142de Postlet's pipeline loader saw
# the peer's `class: Null` step without a class and refused to start. Quoting means the same to any
# loader, so older commits can be measured too.
sed -i 's/class: Null }/class: "Null" }/' "$work/peers/postlet.sh"

echo "bench/run.sh: building Postlet in $root" >&2
(cd "$root" && { ./mvnw -B -q -o package -DskipTests || ./mvnw -B -q package -DskipTests; }) >&2

cd "$root"
export POSTLET_HOME=$root
if [ "${1:-}" = "--fsync" ]; then
    n=${2:-200}
    for peer in postlet postfix; do
        if [ "$peer" = postfix ] && [ -x "$work/tools/postfix-fsync-count.sh" ]; then
            "$work/tools/postfix-fsync-count.sh" "$n" || true
        else
            "$work/tools/fsync-count.sh" "$peer" "$n" || true
        fi
    done
    exit 0
fi
if [ $# -eq 0 ]; then
    set -- postlet postfix smtp-sink
fi
exec "$work/run.sh" "$@"
