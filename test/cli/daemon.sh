#!/bin/sh
# daemon.sh KAMAILIO CFG MODDIR: without -D the daemon forks; the parent exits 0 only once
# the child serves, the pid file names the child, and SIGTERM stops it and removes the file.
# -w sets its working directory and -Y its runtime directory.
set -u
kam=$1 cfg=$2 mods=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pidf="$dir/kamailio.pid"
mkdir "$dir/wd" "$dir/run"

for attempt in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
	if "$kam" -f "$cfg" -L "$mods" -l "udp:127.0.0.1:$port" -n 1 -P "$pidf" -E \
		-w "$dir/wd" -Y "$dir/run" \
		>"$dir/out" 2>&1; then
		break
	fi
	if ! grep -q "Address already in use" "$dir/out"; then
		cat "$dir/out"
		echo "daemon.sh: start failed" >&2
		exit 1
	fi
done
[ -s "$pidf" ] || { cat "$dir/out"; echo "daemon.sh: no pid file after the parent exited" >&2; exit 1; }
pid=$(cat "$pidf")
kill -0 "$pid" 2>/dev/null || { echo "daemon.sh: pid $pid is not running" >&2; exit 1; }
[ "$(cat /proc/"$pid"/stat | cut -d' ' -f6)" = "$pid" ] ||
	{ echo "daemon.sh: the daemon did not start its own session" >&2; kill "$pid"; exit 1; }
[ "$(readlink /proc/"$pid"/cwd)" = "$dir/wd" ] ||
	{ echo "daemon.sh: working directory is $(readlink /proc/"$pid"/cwd), not $dir/wd (-w)" >&2; kill "$pid"; exit 1; }
# running: the process exists and is not a zombie waiting for its (new) parent to reap it
running() {
	[ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]
}
kill -TERM "$pid"
i=0
while running "$pid"; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		kill -KILL "$pid"
		echo "daemon.sh: SIGTERM did not stop the daemon within 10 s" >&2
		exit 1
	fi
	sleep 0.1
done
[ ! -e "$pidf" ] || { echo "daemon.sh: pid file left behind after stop" >&2; exit 1; }
exit 0
