#!/usr/bin/env bash
# Runs the SIPp driver (test/sipp/run-sipp-test.sh) in a fresh work directory, keeping
# its files, then checks the daemon's log: each --expect COUNT REGEX must match exactly
# COUNT lines, each --reject REGEX none (extended regular expressions).
#
# Usage: run-xlog-test.sh --driver SCRIPT --workdir DIR [--expect COUNT REGEX]...
#            [--reject REGEX]... -- DRIVER_ARGS...
# The work directory is removed when everything passed, kept (and named) otherwise.
set -u

driver=
workdir=
expects=()
rejects=()
while [ $# -gt 0 ]; do
	case "$1" in
	--driver) driver=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--expect) expects+=("$2" "$3"); shift 3 ;;
	--reject) rejects+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "run-xlog-test: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if [ -z "$driver" ] || [ -z "$workdir" ]; then
	echo "run-xlog-test: --driver and --workdir are required" >&2
	exit 2
fi

mkdir -p "$workdir" || exit 2
work=$(mktemp -d "$workdir/xlog-log.XXXXXX") || exit 2
KSR_SIPP_KEEP=1 bash "$driver" --workdir "$work" "$@"
rc=$?
if [ "$rc" != 0 ]; then
	echo "run-xlog-test: the SIPp run failed (status $rc); files kept in $work"
	exit 1
fi
log=$(find "$work" -name kamailio.log | head -n 1)
if [ -z "$log" ]; then
	echo "run-xlog-test: no kamailio.log under $work"
	exit 1
fi

status=0
for ((i = 0; i < ${#expects[@]}; i += 2)); do
	want=${expects[i]} re=${expects[i + 1]}
	got=$(grep -cE -- "$re" "$log")
	if [ "$got" != "$want" ]; then
		echo "run-xlog-test: $got line(s) match /$re/, expected $want"
		status=1
	fi
done
for re in ${rejects[@]+"${rejects[@]}"}; do
	if grep -qE -- "$re" "$log"; then
		echo "run-xlog-test: a line matches /$re/, expected none"
		status=1
	fi
done
if [ "$status" != 0 ]; then
	echo "----- $log"
	cat "$log"
	echo "run-xlog-test: files kept in $work"
	exit 1
fi
echo "run-xlog-test: the daemon log has the expected lines"
rm -rf "$work"
exit 0
