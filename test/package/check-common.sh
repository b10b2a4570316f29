# Checks shared by check-deb.sh and check-rpm.sh, which source this file after defining:
#   pkg_glob NAME          the file name pattern of package NAME at KSR_PKG_VERSION
#   pkg_list FILE          the paths FILE holds, one per line, relative to / (no ./ or /)
#   pkg_conffiles FILE     its configuration files, absolute, one per line
#   pkg_depends FILE       its dependencies, one per line, as the format writes them
#   pkg_core_dep NAME VER  the dependency line that pins package NAME at version VER
#   pkg_extract FILE DIR   unpack FILE under DIR
# The environment comes from test/package/CMakeLists.txt (KSR_PKG_*, KSR_BUILT_DAEMON).

set -eu

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for v in KSR_PKG_DIR KSR_PKG_VERSION KSR_PKG_CORE KSR_PKG_SPEC KSR_PKG_SBIN KSR_PKG_MODDIR \
	KSR_PKG_CFG KSR_PKG_UNIT KSR_PKG_TMPFILES KSR_BUILT_DAEMON; do
	eval "test -n \"\${$v:-}\"" || fail "$v is not set: run this test through ctest"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksr-pkgtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
root="$tmp/root"
mkdir "$root"

# find_package NAME: the one package file of NAME in KSR_PKG_DIR, or fail.
find_package() {
	found=""
	n=0
	for f in "$KSR_PKG_DIR"/$(pkg_glob "$1"); do
		[ -f "$f" ] || continue
		found="$f"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ] || fail "no package $(pkg_glob "$1") in $KSR_PKG_DIR: build the packages first" \
		"(cpack, or cmake --workflow --preset deb|rpm)"
	[ "$n" -eq 1 ] || fail "$n files match $(pkg_glob "$1") in $KSR_PKG_DIR: remove the stale ones"
	[ -n "$(find "$found" -newer "$KSR_BUILT_DAEMON")" ] ||
		fail "$found is older than $KSR_BUILT_DAEMON: run cpack again after building"
	echo "$found"
}

# holds LIST PATH / lacks LIST PATH: whether the package listing has PATH.
holds() { grep -qxF "$2" "$1" || fail "$(basename "$1" .list) lacks /$2"; }
lacks() { ! grep -qxF "$2" "$1" || fail "$(basename "$1" .list) must not hold /$2"; }

for entry in $KSR_PKG_SPEC; do
	name=${entry%%=*}
	want=$(echo "${entry#*=}" | tr ',' '\n' | sed '/^$/d' | sort)
	file=$(find_package "$name")
	list="$tmp/$name.list"
	pkg_list "$file" | sed -e 's|^\./||' -e 's|^/||' -e 's|/$||' | sed '/^$/d' >"$list"
	echo "checking $file"

	# exactly the modules of its group, no more (sl.so stays out of the module packages)
	have=$(sed -n "s|^$KSR_PKG_MODDIR/\([^/]*\)\.so\$|\1|p" "$list" | sort)
	[ "$have" = "$want" ] ||
		fail "$name holds modules [$(echo "$have" | tr '\n' ' ')] in /$KSR_PKG_MODDIR," \
			"expected [$(echo "$want" | tr '\n' ' ')]"
	holds "$list" "usr/share/doc/$name/copyright"

	if [ "$name" = "$KSR_PKG_CORE" ]; then
		for p in "$KSR_PKG_SBIN" "$KSR_PKG_CFG" "$KSR_PKG_UNIT" "$KSR_PKG_TMPFILES"; do
			holds "$list" "$p"
		done
		# kamcmd, the ctl module's client, sits next to the daemon
		holds "$list" "$(dirname "$KSR_PKG_SBIN")/kamcmd"
		pkg_conffiles "$file" | grep -qxF "/$KSR_PKG_CFG" ||
			fail "$name does not mark /$KSR_PKG_CFG as a configuration file"
	else
		lacks "$list" "$KSR_PKG_SBIN"
		lacks "$list" "$KSR_PKG_CFG"
		dep=$(pkg_core_dep "$KSR_PKG_CORE" "$KSR_PKG_VERSION")
		pkg_depends "$file" | grep -qF "$dep" ||
			fail "$name does not depend on $dep (it has: $(pkg_depends "$file" | tr '\n' ' '))"
	fi
	pkg_extract "$file" "$root"
done

# the unit starts the packaged daemon on the packaged config
unit="$root/$KSR_PKG_UNIT"
grep -q "^ExecStart=/$KSR_PKG_SBIN .*-f /$KSR_PKG_CFG" "$unit" ||
	fail "/$KSR_PKG_UNIT does not start /$KSR_PKG_SBIN on /$KSR_PKG_CFG"

# the packaged daemon accepts the packaged config with the packaged modules
echo "running $KSR_PKG_SBIN -c on the packaged config"
"$root/$KSR_PKG_SBIN" -c -f "$root/$KSR_PKG_CFG" -L "$root/$KSR_PKG_MODDIR" ||
	fail "the packaged daemon refuses the packaged config (exit $?)"
# the packaged kamcmd runs (its version needs no server)
"$root/$(dirname "$KSR_PKG_SBIN")/kamcmd" -V | grep -q "^kamcmd " ||
	fail "the packaged kamcmd does not run"
echo "PASS: packages hold what they should and the packaged daemon loads its config"
