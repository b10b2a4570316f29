#!/bin/sh
# expect-ok.sh REGEX COMMAND [ARGS...]: passes when COMMAND exits 0 and its output
# (stdout and stderr) matches the extended regular expression REGEX.
regex=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
	echo "expect-ok: the command failed with status $rc" >&2
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
	echo "expect-ok: the output does not match /$regex/" >&2
	exit 1
fi
exit 0
