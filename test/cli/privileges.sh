#!/bin/sh
# privileges.sh KAMAILIO MODDIR: with user/group in the config the daemon binds its
# socket, then runs as that user. As root the test switches to nobody (and checks the
# ids of the running process); otherwise to the current user, which must work too.
set -u
kam=$1 mods=$2
dir=$(mktemp -d)
chmod 777 "$dir"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

if [ "$(id -u)" = 0 ]; then
	user=nobody
	group=$(id -gn nobody)
else
	user=$(id -un)
	group=$(id -gn)
fi
want_uid=$(id -u "$user")
cat >"$dir/k.cfg" <<CFG
user="$user"
group="$group"
workdir="$dir"
loadmodule "sl.so"
request_route { sl_send_reply("200", "OK"); }
CFG
for attempt in 1 2 3 4 5; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
	"$kam" -DD -E -f "$dir/k.cfg" -L "$mods" -l "udp:127.0.0.1:$port" -n 1 -P "$dir/pid" \
		>"$dir/out" 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$dir/pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$dir/pid" ] && break
	wait "$pid" 2>/dev/null
	pid=
	grep -q "Address already in use" "$dir/out" || break
done
[ -n "$pid" ] || { cat "$dir/out"; echo "privileges.sh: the daemon did not start" >&2; exit 1; }
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
euid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")
cwd=$(readlink "/proc/$pid/cwd")
if [ "$uid" != "$want_uid" ] || [ "$euid" != "$want_uid" ]; then
	cat "$dir/out"
	echo "privileges.sh: running as uid $uid/$euid, expected $want_uid ($user)" >&2
	exit 1
fi
if [ "$cwd" != "$dir" ]; then
	echo "privileges.sh: working directory $cwd, expected $dir (workdir)" >&2
	exit 1
fi
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || { cat "$dir/out"; echo "privileges.sh: exit status $rc after SIGTERM" >&2; exit 1; }
exit 0
