# kamailio_add_module(NAME SOURCES src... [LIBRARIES lib...] [INCLUDES dir...])
#
# Builds NAME.so (no lib prefix) into ${KSR_MODULES_BUILD_DIR}, installs it into the
# package of its group, and registers the CTest test module.NAME.minimal that runs
# `kamailio -c` on test/modules/NAME/minimal.cfg. Configure fails without that file.
function(kamailio_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBRARIES;INCLUDES" ${ARGN})
  set(minimal "${PROJECT_SOURCE_DIR}/test/modules/${name}/minimal.cfg")
  if(NOT EXISTS "${minimal}")
    message(FATAL_ERROR
      "module '${name}' has no test/modules/${name}/minimal.cfg: every module ships a "
      "minimal config that loads it (see docs/testing.md, \"Adding a module\")")
  endif()
  if(NOT M_SOURCES)
    message(FATAL_ERROR "kamailio_add_module(${name}): no SOURCES")
  endif()

  add_library(${name} MODULE ${M_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${KSR_MODULES_BUILD_DIR}")
  target_include_directories(${name} PRIVATE
    "${PROJECT_SOURCE_DIR}/src" "${PROJECT_BINARY_DIR}/src" ${M_INCLUDES})
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE MOD_NAME="${name}")
  target_link_libraries(${name} PRIVATE ${M_LIBRARIES})
  ksr_set_warnings(${name})

  ksr_module_package_group(${name} group)
  install(TARGETS ${name}
    LIBRARY DESTINATION "${KSR_MODULES_INSTALL_DIR}"
    COMPONENT ${group})
  set_property(GLOBAL APPEND PROPERTY KSR_BUILT_MODULES ${name})

  if(BUILD_TESTING)
    add_test(NAME module.${name}.minimal
      COMMAND kamailio -c -f "${minimal}" -L "${KSR_MODULES_BUILD_DIR}")
    set_tests_properties(module.${name}.minimal PROPERTIES LABELS module)
  endif()
endfunction()
