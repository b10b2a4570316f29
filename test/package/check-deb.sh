#!/bin/sh
# Package test for the .deb files (ctest label `package`; run after cpack). The checks
# themselves are in check-common.sh, shared with check-rpm.sh.
command -v dpkg-deb >/dev/null || { echo "FAIL: dpkg-deb not found (apt-get install dpkg)" >&2; exit 1; }

pkg_glob() { echo "${1}_${KSR_PKG_VERSION}-*_*.deb"; }
pkg_list() { dpkg-deb -c "$1" | awk '{ sub(/ -> .*/, ""); print $6 }'; }
pkg_conffiles() { dpkg-deb -I "$1" conffiles 2>/dev/null || true; }
pkg_depends() { dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//'; }
pkg_core_dep() { echo "$1 (= $2-"; }
pkg_extract() { dpkg-deb -x "$1" "$2"; }

# shellcheck source=check-common.sh
. "$(dirname "$0")/check-common.sh"
