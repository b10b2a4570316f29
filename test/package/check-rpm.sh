#!/bin/sh
# Package test for the .rpm files (ctest label `package`; run after cpack). The checks
# themselves are in check-common.sh, shared with check-deb.sh.
command -v rpm >/dev/null || { echo "FAIL: rpm not found (apt-get install rpm)" >&2; exit 1; }

pkg_glob() { echo "${1}-${KSR_PKG_VERSION}-*.rpm"; }
pkg_list() { rpm -qlp "$1" 2>/dev/null; }
pkg_conffiles() { rpm -qcp "$1" 2>/dev/null; }
pkg_depends() { rpm -qRp "$1" 2>/dev/null; }
pkg_core_dep() { echo "$1 = $2-"; }
if command -v rpm2cpio >/dev/null && command -v cpio >/dev/null; then
	pkg_extract() { rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet); }
elif command -v rpm2archive >/dev/null; then
	# rpm2archive (rpm >= 4.15) writes FILE.tgz next to FILE: work on a copy in DIR
	pkg_extract() {
		cp "$1" "$2/.pkg.rpm"
		rpm2archive "$2/.pkg.rpm" && tar -xzf "$2/.pkg.rpm.tgz" -C "$2"
		rm -f "$2/.pkg.rpm" "$2/.pkg.rpm.tgz"
	}
else
	echo "FAIL: cannot unpack .rpm: install cpio (with rpm2cpio) or rpm2archive" >&2
	exit 1
fi

# shellcheck source=check-common.sh
. "$(dirname "$0")/check-common.sh"
