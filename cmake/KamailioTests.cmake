# Test helpers: unit tests (cmocka), and through KamailioSipp.cmake the SIPp scenarios.

if(BUILD_TESTING)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CMOCKA cmocka)
  if(NOT CMOCKA_FOUND)
    message(FATAL_ERROR "cmocka not found: install libcmocka-dev (or configure with -DBUILD_TESTING=OFF)")
  endif()
endif()

# kamailio_add_unit_test(FILE [WHOLE_CORE] [SOURCES src...] [LIBRARIES lib...]
#                        [DEFINITIONS def...])
#
# FILE is test/unit/<path>/test_<name>.c mirroring src/<path>/<name>.c. Builds one cmocka
# binary from it, linked with the core archive (the linker takes only the objects the test
# reaches) plus any extra SOURCES (mocks), and registers one CTest test, label `unit`,
# named unit.<path with dots>.<name>. WHOLE_CORE links every core object and exports them,
# as the daemon does, for a test that loads real modules.
function(kamailio_add_unit_test file)
  cmake_parse_arguments(U "WHOLE_CORE" "" "SOURCES;LIBRARIES;DEFINITIONS" ${ARGN})
  get_filename_component(abs "${file}" ABSOLUTE)
  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}/test/unit" "${abs}")
  string(REGEX REPLACE "\\.c$" "" rel "${rel}")
  string(REGEX REPLACE "(^|/)test_([^/]+)$" "\\1\\2" rel "${rel}")
  string(REPLACE "/" "." testname "${rel}")
  string(REPLACE "/" "_" exe "${rel}")
  set(exe "unit_${exe}")

  add_executable(${exe} "${abs}" ${U_SOURCES})
  target_include_directories(${exe} PRIVATE
    "${PROJECT_SOURCE_DIR}/src" "${PROJECT_BINARY_DIR}/src" "${PROJECT_SOURCE_DIR}/test/unit")
  target_compile_definitions(${exe} PRIVATE _GNU_SOURCE ${U_DEFINITIONS})
  # WHOLE_CORE: every core object, as in the daemon, for tests that load real modules
  # (they resolve core symbols the test itself never calls)
  if(U_WHOLE_CORE)
    set(core "$<LINK_LIBRARY:WHOLE_ARCHIVE,ksr_core_archive>")
    set_target_properties(${exe} PROPERTIES ENABLE_EXPORTS ON)
  else()
    set(core ksr_core_archive)
  endif()
  target_link_libraries(${exe} PRIVATE ${U_LIBRARIES} ${core} ${CMOCKA_LIBRARIES}
    OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})
  target_include_directories(${exe} PRIVATE ${CMOCKA_INCLUDE_DIRS})
  ksr_set_warnings(${exe})
  add_test(NAME unit.${testname} COMMAND ${exe})
  set_tests_properties(unit.${testname} PROPERTIES LABELS unit)
endfunction()

include(KamailioSipp)

# kamailio_add_module_unit_test(MODULE NAME SOURCES src... [INCLUDES dir...] [LIBRARIES lib...])
#
# A cmocka binary for module MODULE: the test files and the module's sources in SOURCES
# (paths relative to the calling directory or absolute), linked with the core archive.
# Registers unit.modules.NAME (label `unit`); NAME may contain dots (siputils.uri).
function(kamailio_add_module_unit_test module name)
  cmake_parse_arguments(U "" "" "SOURCES;INCLUDES;LIBRARIES" ${ARGN})
  string(REPLACE "." "_" exe "unit_modules_${name}")
  add_executable(${exe} ${U_SOURCES})
  target_compile_definitions(${exe} PRIVATE _GNU_SOURCE MOD_NAME="${module}")
  target_include_directories(${exe} PRIVATE "${PROJECT_SOURCE_DIR}/src"
    "${PROJECT_BINARY_DIR}/src" "${PROJECT_SOURCE_DIR}/src/modules/${module}"
    "${CMAKE_CURRENT_SOURCE_DIR}" "${PROJECT_SOURCE_DIR}/test/modules" ${U_INCLUDES}
    ${CMOCKA_INCLUDE_DIRS})
  target_link_libraries(${exe} PRIVATE ${U_LIBRARIES} ksr_core_archive ${CMOCKA_LIBRARIES}
    OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})
  ksr_set_warnings(${exe})
  add_test(NAME unit.modules.${name} COMMAND ${exe})
  set_tests_properties(unit.modules.${name} PROPERTIES LABELS unit)
endfunction()

# kamailio_add_config_refusal_test(NAME CONFIG cfg REGEX regex)
#
# `kamailio -c` must refuse cfg (relative to the calling directory) with output matching
# regex (an error with file:line:col, say). Registers module.NAME (label `module`).
function(kamailio_add_config_refusal_test name)
  cmake_parse_arguments(R "" "CONFIG;REGEX" "" ${ARGN})
  add_test(NAME module.${name}
    COMMAND "${PROJECT_SOURCE_DIR}/test/modules/expect-fail.sh" "${R_REGEX}"
    $<TARGET_FILE:kamailio> -c -f "${CMAKE_CURRENT_SOURCE_DIR}/${R_CONFIG}"
    -L "${KSR_MODULES_BUILD_DIR}")
  set_tests_properties(module.${name} PROPERTIES LABELS module)
endfunction()
