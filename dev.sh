#!/bin/sh
# The two commands of the README, over the CMake presets (CMakePresets.json):
#   ./dev.sh run    build (preset dev) and start the daemon on etc/kamailio.cfg, in the
#                   foreground, logging to the terminal; extra arguments go to kamailio
#   ./dev.sh test   build and run the whole test suite: the ci workflow (unit, module and
#                   SIPp tests, every module, warnings as errors), the same tests under
#                   ASan + UBSan, bounded libFuzzer runs (clang), then the deb and rpm
#                   package workflows with their tests
# Each first installs the Debian packages it needs (utils/install-deps.sh).
set -eu
cd "$(dirname "$0")"

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	utils/install-deps.sh
	cmake --preset dev
	cmake --build --preset dev
	# the runtime directory (kamcmd's ctl socket, kamctl's FIFO) in the build tree
	mkdir -p build/dev/run
	exec build/dev/src/core/kamailio -DD -E -f etc/kamailio.cfg -L build/dev/modules \
		-Y build/dev/run "$@"
	;;
test)
	utils/install-deps.sh
	cmake --workflow --preset ci
	cmake --workflow --preset asan
	cmake --workflow --preset fuzz
	cmake --workflow --preset deb
	cmake --workflow --preset rpm
	;;
*)
	echo "usage: $0 run [kamailio options] | test" >&2
	exit 2
	;;
esac
