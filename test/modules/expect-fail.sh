#!/bin/sh
# expect-fail.sh REGEX COMMAND [ARGS...]: passes when COMMAND exits non-zero and its
# output (stdout and stderr) matches the extended regular expression REGEX.
regex=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
	echo "expect-fail: the command succeeded, a failure was expected" >&2
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
	echo "expect-fail: the output does not match /$regex/" >&2
	exit 1
fi
exit 0
