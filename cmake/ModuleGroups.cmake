# Module groups, declared once: they decide what is built (MODULE_GROUP_NAME) and which
# package each module lands in (the package groups, K*).
#
# Package groups: KSR_PKG_<GROUP>_MODULES and KSR_PKG_<GROUP>_PACKAGE (the package name).
set(KSR_PKG_GROUPS KSTANDARD KSYSTEMD KMYSQL)

set(KSR_PKG_KSTANDARD_MODULES sl pv maxfwd xlog kex counters cfgutils siputils textops textopsx corex sanity rr jsonrpcs tm tmx db_sqlite auth auth_db usrloc registrar ctl acc xhttp xhttp_prom cfg_rpc)
set(KSR_PKG_KSTANDARD_PACKAGE kamailio)
set(KSR_PKG_KSTANDARD_SUMMARY "Kamailio SIP server: the daemon and its standard modules")

set(KSR_PKG_KSYSTEMD_MODULES log_systemd)
set(KSR_PKG_KSYSTEMD_PACKAGE kamailio-systemd-modules)
set(KSR_PKG_KSYSTEMD_SUMMARY "Kamailio SIP server: systemd journal logging")
set(KSR_PKG_KSYSTEMD_DEPENDS_DEB "libsystemd0")
set(KSR_PKG_KSYSTEMD_DEPENDS_RPM "systemd-libs")

set(KSR_PKG_KMYSQL_MODULES db_mysql)
set(KSR_PKG_KMYSQL_PACKAGE kamailio-mysql-modules)
set(KSR_PKG_KMYSQL_SUMMARY "Kamailio SIP server: MySQL/MariaDB database driver")
set(KSR_PKG_KMYSQL_DEPENDS_DEB "libmariadb3")
set(KSR_PKG_KMYSQL_DEPENDS_RPM "mariadb-connector-c")

# Build groups. DEFAULT is what a plain build gives; ALL is every module in the tree.
set(KSR_GROUP_DEFAULT ${KSR_PKG_KSTANDARD_MODULES})
set(KSR_GROUP_STANDARD ${KSR_PKG_KSTANDARD_MODULES})
set(KSR_GROUP_ALL)
foreach(_g IN LISTS KSR_PKG_GROUPS)
  set(KSR_GROUP_${_g} ${KSR_PKG_${_g}_MODULES})
  list(APPEND KSR_GROUP_ALL ${KSR_PKG_${_g}_MODULES})
endforeach()

set(MODULE_GROUP_NAME "DEFAULT" CACHE STRING
  "Module groups to build (;-separated): DEFAULT, STANDARD, ALL or a package group (${KSR_PKG_GROUPS})")
set(INCLUDE_MODULES "" CACHE STRING "Modules to build in addition to the groups (;-separated)")
set(EXCLUDE_MODULES "" CACHE STRING "Modules not to build, whatever the groups say (;-separated; wins)")

# ksr_selected_modules(OUT): the modules to build, from the three variables above.
function(ksr_selected_modules out)
  set(sel)
  foreach(g IN LISTS MODULE_GROUP_NAME)
    if(NOT DEFINED KSR_GROUP_${g})
      message(FATAL_ERROR "MODULE_GROUP_NAME: unknown group '${g}' (known: DEFAULT STANDARD ALL ${KSR_PKG_GROUPS})")
    endif()
    list(APPEND sel ${KSR_GROUP_${g}})
  endforeach()
  list(APPEND sel ${INCLUDE_MODULES})
  list(REMOVE_DUPLICATES sel)
  if(EXCLUDE_MODULES)
    list(REMOVE_ITEM sel ${EXCLUDE_MODULES})
  endif()
  set(${out} ${sel} PARENT_SCOPE)
endfunction()

# ksr_module_package_group(NAME OUT): the package group of a module (KSTANDARD if none).
function(ksr_module_package_group name out)
  foreach(g IN LISTS KSR_PKG_GROUPS)
    if(name IN_LIST KSR_PKG_${g}_MODULES)
      set(${out} ${g} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} KSTANDARD PARENT_SCOPE)
endfunction()
