#!/usr/bin/env bash
# Runs the object-cache drop-in tests against a throwaway redis-server:
# loopback only, free port, random password, temp dir; always stopped at the end.
# Needs: php (8.2, cli) and redis-server on PATH. Does not touch any other Redis.
#   tests/run.sh
#   WP_CORE_DIR=/path/to/wordpress-6.1 tests/run.sh   # adds the checks against core, e.g. from
#     apt-get download wordpress && dpkg-deb -x wordpress_*.deb x   (x/usr/share/wordpress)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dropin="$here/../object-cache.php"

command -v php >/dev/null || { echo "php not found (apt-get install php8.2-cli)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 2; }

# Checks against WordPress core need a 6.1 tree (e.g. Debian's wordpress package).
if [[ -z "${WP_CORE_DIR:-}" && -f /usr/share/wordpress/wp-includes/cache.php ]]; then
	export WP_CORE_DIR=/usr/share/wordpress
fi

php -l "$dropin" >/dev/null
echo "lint: php -l object-cache.php OK"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/object-cache-tests.XXXXXX")"
conf="$tmp/redis.conf"
pidfile="$tmp/redis.pid"

stop_redis() {
	if [[ -s "$pidfile" ]]; then
		local pid
		pid="$(cat "$pidfile")"
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		fi
	fi
}
cleanup() {
	stop_redis
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A free loopback port: ask the kernel for one.
port="$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);')"
password="$(php -r 'echo bin2hex(random_bytes(16));')"
printf '%s\n' "$password" > "$tmp/password"   # trailing newline on purpose: the drop-in must strip it
chmod 600 "$tmp/password"

cat > "$conf" <<CONF
bind 127.0.0.1
port $port
protected-mode yes
requirepass $password
daemonize yes
pidfile $pidfile
dir $tmp
dbfilename dump.rdb
save ""
appendonly no
logfile $tmp/redis.log
databases 16
CONF
chmod 600 "$conf"

redis-server "$conf"
for _ in $(seq 1 50); do
	[[ -s "$pidfile" ]] && php -r 'exit(@fsockopen("127.0.0.1", (int) $argv[1]) ? 0 : 1);' "$port" && break
	sleep 0.1
done

set +e
REDIS_TEST_HOST=127.0.0.1 \
REDIS_TEST_PORT="$port" \
REDIS_TEST_PASSWORD_FILE="$tmp/password" \
REDIS_TEST_DB=3 \
REDIS_TEST_CONF="$conf" \
REDIS_TEST_TMP="$tmp" \
	php "$here/run-tests.php"
rc=$?
set -e
exit "$rc"
