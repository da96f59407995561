#!/usr/bin/env bash
# Starts carbon-cache, statsd and graphite-web (gunicorn on :80) and stops all three when any one exits or on
# SIGTERM/SIGINT, so the container's state follows its services (tini is PID 1 and reaps).
set -euo pipefail
mkdir -p /opt/graphite/storage/whisper /opt/graphite/storage/log
graphite-manage migrate --run-syncdb --noinput >/dev/null

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap 'stop; exit 0' TERM INT

carbon-cache --config=/etc/carbon/carbon.conf --nodaemon --logdir=/opt/graphite/storage/log start &
pids+=($!)
node --require /opt/statsd/node-compat.js /opt/statsd/node_modules/statsd/stats.js /opt/statsd/config.js &
pids+=($!)
gunicorn --bind 0.0.0.0:80 --workers 2 --timeout 60 --access-logfile - graphite.wsgi:application &
pids+=($!)

set +e
wait -n "${pids[@]}"
status=$?
echo "run-graphite: a service exited with status $status; stopping the others" >&2
stop
exit "$status"
