# Test helpers: unit tests (cmocka), and through KamailioSipp.cmake the SIPp scenarios.

if(BUILD_TESTING)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CMOCKA cmocka)
  if(NOT CMOCKA_FOUND)
    message(FATAL_ERROR "cmocka not found: install libcmocka-dev (or configure with -DBUILD_TESTING=OFF)")
  endif()
endif()

# kamailio_add_unit_test(FILE [SOURCES src...] [LIBRARIES lib...] [DEFINITIONS def...])
#
# FILE is test/unit/<path>/test_<name>.c mirroring src/<path>/<name>.c. Builds one cmocka
# binary from it, linked with the core archive (the linker takes only the objects the test
# reaches) plus any extra SOURCES (mocks), and registers one CTest test, label `unit`,
# named unit.<path with dots>.<name>.
function(kamailio_add_unit_test file)
  cmake_parse_arguments(U "" "" "SOURCES;LIBRARIES;DEFINITIONS" ${ARGN})
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
  target_link_libraries(${exe} PRIVATE ${U_LIBRARIES} ksr_core_archive ${CMOCKA_LIBRARIES}
    OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})
  target_include_directories(${exe} PRIVATE ${CMOCKA_INCLUDE_DIRS})
  ksr_set_warnings(${exe})
  add_test(NAME unit.${testname} COMMAND ${exe})
  set_tests_properties(unit.${testname} PROPERTIES LABELS unit)
endfunction()

include(KamailioSipp)
