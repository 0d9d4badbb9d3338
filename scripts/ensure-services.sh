#!/usr/bin/env bash
# Makes sure the machine services Paved's tests use are up: starts each one that is installed
# but not answering. A service that is not installed is reported;
# the tests that need it fail under CI=true and are skipped with a reason elsewhere.
set -u

wait_for() { # name, probe command, seconds
  local name=$1 probe=$2 seconds=$3
  for _ in $(seq 1 $((seconds * 5))); do
    if eval "$probe" >/dev/null 2>&1; then echo "services: $name is up"; return 0; fi
    sleep 0.2
  done
  echo "services: $name did not come up within ${seconds}s" >&2
  return 1
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure() { # name, port, start command (empty when not installed)
  local name=$1 port=$2 start=$3
  if tcp_open "$port"; then echo "services: $name is up"; return 0; fi
  if [ -z "$start" ]; then echo "services: $name is not installed (port $port closed)"; return 0; fi
  echo "services: starting $name"
  eval "$start" >/dev/null 2>&1 || true
  wait_for "$name" "tcp_open $port" 60 || true
}

pg_start=""
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  pg_start="pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n 1) main start"
fi
ensure PostgreSQL 5432 "$pg_start"

if [ "${PAVED_SERVICES:-all}" = "all" ]; then
  command -v redis-server >/dev/null && ensure Redis 6379 "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
  [ -x /usr/sbin/mariadbd ] && ensure MariaDB 3306 "mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld; start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
  if command -v rabbitmq-server >/dev/null; then
    ensure RabbitMQ 5672 "rabbitmq-server -detached"
    # The rabbitmq driver works through the management HTTP API (port 15672), a plugin that a
    # stock broker does not enable. Enabling it on a live node takes a few seconds.
    if tcp_open 5672 && ! rabbitmq-plugins list -e 2>/dev/null | grep -q rabbitmq_management; then
      echo "services: enabling rabbitmq_management"
      rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
    fi
    tcp_open 5672 && wait_for "RabbitMQ management" "tcp_open 15672" 60 || true
  fi
  # The portal's browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "services: installing chromium (apt-get)"
      { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >/dev/null 2>&1 || echo "services: could not install chromium" >&2
    else
      echo "services: chromium is not installed (apt-get install -y chromium)"
    fi
  fi
  [ -x /usr/sbin/nats-server ] && ensure NATS 4222 "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log"
fi
exit 0
