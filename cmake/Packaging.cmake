# Packaging: CPack turns each package group of cmake/ModuleGroups.cmake (an install
# component) into one .deb and one .rpm. See docs/packaging.md.
#
# Included last by the root CMakeLists.txt, after pkg/ has listed the groups to package.

set(KSR_PKG_RELEASE "1" CACHE STRING "Package release: the N in <version>-N")
set(KSR_PKG_MAINTAINER "Kamailio packagers <packaging@example.org>" CACHE STRING
  "Maintainer written into the packages (the Debian Maintainer field)")
set(KSR_PKG_VENDOR "The kamailio project" CACHE STRING "Vendor written into the packages")
set(KSR_PKG_LICENSE "GPL-2.0-or-later")

# The group whose package holds the daemon; every other package depends on it.
set(KSR_PKG_CORE_GROUP KSTANDARD)
# Used for the core package only when dpkg-shlibdeps cannot compute its dependencies.
set(KSR_PKG_CORE_FALLBACK_DEPENDS_DEB "libc6, libssl3, libjansson4, libsqlite3-0")

get_property(KSR_PACKAGED_GROUPS GLOBAL PROPERTY KSR_PACKAGED_GROUPS)
if(NOT KSR_PKG_CORE_GROUP IN_LIST KSR_PACKAGED_GROUPS)
  message(FATAL_ERROR "Packaging: pkg/CMakeLists.txt did not list the package groups "
    "(global property KSR_PACKAGED_GROUPS); include(Packaging) must come after add_subdirectory(pkg)")
endif()

find_program(KSR_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(KSR_DPKG_SHLIBDEPS)

# Without CPACK_GENERATOR (the deb and rpm presets set it), build what this host can.
if(NOT CPACK_GENERATOR)
  find_program(KSR_DPKG_DEB dpkg-deb)
  find_program(KSR_RPMBUILD rpmbuild)
  mark_as_advanced(KSR_DPKG_DEB KSR_RPMBUILD)
  set(CPACK_GENERATOR)
  if(KSR_DPKG_DEB)
    list(APPEND CPACK_GENERATOR DEB)
  endif()
  if(KSR_RPMBUILD)
    list(APPEND CPACK_GENERATOR RPM)
  endif()
  if(NOT CPACK_GENERATOR)
    set(CPACK_GENERATOR TGZ)
  endif()
endif()

# Common to every package.
set(CPACK_PACKAGE_NAME "${PROJECT_NAME}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "${KSR_PKG_VENDOR}")
set(CPACK_PACKAGE_CONTACT "${KSR_PKG_MAINTAINER}")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}")
set(CPACK_STRIP_FILES ON)
# The unit and the config name absolute paths: the packages cannot be relocated.
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/pkg/cpack-project-config.cmake")

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_COMPONENTS_ALL ${KSR_PACKAGED_GROUPS})

set(CPACK_DEBIAN_PACKAGE_RELEASE "${KSR_PKG_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${KSR_PKG_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)

set(CPACK_RPM_PACKAGE_RELEASE "${KSR_PKG_RELEASE}")
set(CPACK_RPM_PACKAGE_LICENSE "${KSR_PKG_LICENSE}")
set(CPACK_RPM_PACKAGE_VENDOR "${KSR_PKG_VENDOR}")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
# Folders the distribution owns: the packages must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  "${CMAKE_INSTALL_FULL_SBINDIR}"
  "${CMAKE_INSTALL_FULL_SYSCONFDIR}"
  "${CMAKE_INSTALL_FULL_LIBDIR}"
  "${CMAKE_INSTALL_PREFIX}/lib"
  "${CMAKE_INSTALL_FULL_DATAROOTDIR}"
  "${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc")
foreach(_dir IN ITEMS "${KSR_SYSTEMD_UNIT_DIR}" "${KSR_TMPFILES_DIR}")
  cmake_path(ABSOLUTE_PATH _dir BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}" NORMALIZE)
  cmake_path(GET _dir PARENT_PATH _parent)
  list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION "${_parent}" "${_dir}")
endforeach()
list(REMOVE_DUPLICATES CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION)
# Modules are loaded with dlopen, never linked against: they provide no shared library.
set(CPACK_RPM_SPEC_MORE_DEFINE "%global __provides_exclude_from ^${KSR_DEFAULT_MODULE_PATH}/")

# ksr_package_component(GROUP [CONFFILES /abs/path...])
#
# Writes the DEB and the RPM settings of one package group side by side, so the two
# packages never drift: name, file name, summary and description, dependencies (packages
# other than the core one depend on the core package of the very same version), shared
# library dependencies, and configuration files (a Debian conffile, an RPM
# %config(noreplace)).
function(ksr_package_component group)
  cmake_parse_arguments(P "" "" "CONFFILES" ${ARGN})
  set(name "${KSR_PKG_${group}_PACKAGE}")
  set(summary "${KSR_PKG_${group}_SUMMARY}")
  if(NOT name OR NOT summary)
    message(FATAL_ERROR "Packaging: set KSR_PKG_${group}_PACKAGE and KSR_PKG_${group}_SUMMARY "
      "in cmake/ModuleGroups.cmake")
  endif()

  get_property(built GLOBAL PROPERTY KSR_BUILT_MODULES)
  set(modules)
  foreach(m IN LISTS KSR_PKG_${group}_MODULES)
    if(m IN_LIST built)
      list(APPEND modules ${m})
    endif()
  endforeach()
  list(JOIN modules ", " modules)
  if(DEFINED KSR_PKG_${group}_DESCRIPTION)
    set(details "${KSR_PKG_${group}_DESCRIPTION}")
  elseif(group STREQUAL KSR_PKG_CORE_GROUP)
    set(details "The kamailio daemon, its default configuration, a systemd unit and the modules: ${modules}.")
  else()
    set(details "Modules for the kamailio SIP server: ${modules}.")
  endif()

  set(deb_depends ${KSR_PKG_${group}_DEPENDS_DEB})
  set(rpm_requires ${KSR_PKG_${group}_DEPENDS_RPM})
  set(full_version "${PROJECT_VERSION}-${KSR_PKG_RELEASE}")
  if(NOT group STREQUAL KSR_PKG_CORE_GROUP)
    set(core "${KSR_PKG_${KSR_PKG_CORE_GROUP}_PACKAGE}")
    list(PREPEND deb_depends "${core} (= ${full_version})")
    list(PREPEND rpm_requires "${core} = ${full_version}")
  endif()
  if(KSR_DPKG_SHLIBDEPS)
    set(shlibdeps ON)
  else()
    set(shlibdeps OFF)
    if(group STREQUAL KSR_PKG_CORE_GROUP)
      list(APPEND deb_depends ${KSR_PKG_CORE_FALLBACK_DEPENDS_DEB})
    endif()
  endif()
  list(JOIN deb_depends ", " deb_depends)
  list(JOIN rpm_requires ", " rpm_requires)

  set(deb_extra)
  set(rpm_filelist)
  if(P_CONFFILES)
    set(dir "${PROJECT_BINARY_DIR}/pkg/deb-control/${group}")
    list(JOIN P_CONFFILES "\n" lines)
    file(CONFIGURE OUTPUT "${dir}/conffiles" CONTENT "${lines}\n" @ONLY)
    set(deb_extra "${dir}/conffiles")
    foreach(f IN LISTS P_CONFFILES)
      list(APPEND rpm_filelist "%config(noreplace) ${f}")
    endforeach()
  endif()

  set(CPACK_COMPONENT_${group}_DISPLAY_NAME "${name}" PARENT_SCOPE)
  set(CPACK_COMPONENT_${group}_DESCRIPTION "${summary}" PARENT_SCOPE)

  set(CPACK_DEBIAN_${group}_PACKAGE_NAME "${name}" PARENT_SCOPE)
  set(CPACK_DEBIAN_${group}_FILE_NAME DEB-DEFAULT PARENT_SCOPE)
  set(CPACK_DEBIAN_${group}_DESCRIPTION "${summary}\n${details}" PARENT_SCOPE)
  set(CPACK_DEBIAN_${group}_PACKAGE_DEPENDS "${deb_depends}" PARENT_SCOPE)
  set(CPACK_DEBIAN_${group}_PACKAGE_SHLIBDEPS ${shlibdeps} PARENT_SCOPE)
  set(CPACK_DEBIAN_${group}_PACKAGE_CONTROL_EXTRA "${deb_extra}" PARENT_SCOPE)

  set(CPACK_RPM_${group}_PACKAGE_NAME "${name}" PARENT_SCOPE)
  set(CPACK_RPM_${group}_FILE_NAME RPM-DEFAULT PARENT_SCOPE)
  set(CPACK_RPM_${group}_PACKAGE_SUMMARY "${summary}" PARENT_SCOPE)
  set(CPACK_RPM_${group}_PACKAGE_DESCRIPTION "${details}" PARENT_SCOPE)
  set(CPACK_RPM_${group}_PACKAGE_REQUIRES "${rpm_requires}" PARENT_SCOPE)
  set(CPACK_RPM_${group}_USER_FILELIST "${rpm_filelist}" PARENT_SCOPE)
endfunction()

foreach(_g IN LISTS KSR_PACKAGED_GROUPS)
  if(_g STREQUAL KSR_PKG_CORE_GROUP)
    ksr_package_component(${_g} CONFFILES "${KSR_DEFAULT_CFG_FILE}" "${KSR_CFG_INSTALL_DIR}/kamctlrc")
  else()
    ksr_package_component(${_g})
  endif()
endforeach()

# `make package_source`: the tracked tree only.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "${PROJECT_NAME}-${PROJECT_VERSION}")
set(CPACK_SOURCE_IGNORE_FILES "/[.]git/" "/build/" "/build-[^/]*/" "/out/" "[.]deb$" "[.]rpm$")

include(CPack)
