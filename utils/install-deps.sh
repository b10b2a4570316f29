#!/bin/sh
# Install the Debian packages that building, testing and packaging need; does nothing when
# they are all there. As root it runs apt-get; otherwise it prints the command to run.
set -eu

packages="build-essential cmake pkg-config libssl-dev libsystemd-dev libcmocka-dev libsqlite3-dev
libjansson-dev sip-tester iproute2 dpkg-dev file rpm rpm2cpio cpio clang python3
libmariadb-dev mariadb-server mariadb-client sqlite3 shellcheck"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: not root; run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
