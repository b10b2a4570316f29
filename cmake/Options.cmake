# Build options, each with one job. See docs/building.md.
option(KSR_WERROR "Treat compiler warnings as errors (the ci preset sets it)" OFF)
option(KSR_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(KSR_SIPP_TESTS "Register the SIPp scenario tests (needs sipp)" ON)
option(KSR_PACKAGE_TESTS "Register the package tests (label package; need a built package)" OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Where things go once installed, as upstream lays them out.
set(KSR_MODULES_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/kamailio/modules")
set(KSR_CFG_INSTALL_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/kamailio")
set(KSR_DEFAULT_CFG_FILE "${KSR_CFG_INSTALL_DIR}/kamailio.cfg")
set(KSR_DEFAULT_MODULE_PATH "${CMAKE_INSTALL_FULL_LIBDIR}/kamailio/modules")
# Built modules land in one folder, so that `kamailio -L build/modules` finds them all.
set(KSR_MODULES_BUILD_DIR "${PROJECT_BINARY_DIR}/modules")
