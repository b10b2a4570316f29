#!/bin/sh
# port_taken.sh KAMAILIO CFG MODDIR: a second daemon on a port the first one holds must
# fail to start, saying why, instead of sharing the port.
set -u
kam=$1 cfg=$2 mods=$3
dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

for attempt in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
	"$kam" -DD -E -f "$cfg" -L "$mods" -l "udp:127.0.0.1:$port" -n 1 -P "$dir/pid" \
		>"$dir/first" 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$dir/pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$dir/pid" ] && break
	wait "$pid" 2>/dev/null
	pid=
done
[ -n "$pid" ] || { cat "$dir/first"; echo "port_taken.sh: the first daemon did not start" >&2; exit 1; }

if timeout 10 "$kam" -DD -E -f "$cfg" -L "$mods" -l "udp:127.0.0.1:$port" -n 1 >"$dir/second" 2>&1; then
	cat "$dir/second"
	echo "port_taken.sh: the second daemon started on a port in use" >&2
	exit 1
fi
grep -q "cannot listen on udp:127.0.0.1:$port: Address already in use" "$dir/second" || {
	cat "$dir/second"
	echo "port_taken.sh: the second daemon failed without saying the port is in use" >&2
	exit 1
}
exit 0
