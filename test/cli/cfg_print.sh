#!/bin/sh
# cfg_print.sh KAMAILIO CFG EXPECTED [ARGS...]: `kamailio --cfg-print -f CFG ARGS` must print
# EXPECTED exactly. EXPECTED was recorded from the reference daemon (Debian's kamailio 5.6)
# on the same files, run the same way.
kam=$1 cfg=$2 expected=$3
shift 3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
# from / : the included files must be found next to the files that include them
cd / || exit 1
if ! "$kam" --cfg-print -f "$cfg" "$@" >"$out"; then
	echo "cfg_print.sh: kamailio --cfg-print failed" >&2
	exit 1
fi
diff -u "$expected" "$out"
