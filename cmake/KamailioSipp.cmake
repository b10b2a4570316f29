# SIPp scenario tests: kamailio_add_sipp_test() and the lookup of the sipp program.
# Included from KamailioTests.cmake; see docs/testing-sipp.md.

set(KSR_SIPP_DRIVER "${PROJECT_SOURCE_DIR}/test/sipp/run-sipp-test.sh")

# sipp is needed only when the tests are registered; a missing sipp is a configure error
# rather than silently fewer tests.
if(BUILD_TESTING AND KSR_SIPP_TESTS)
  find_program(KSR_SIPP_EXECUTABLE sipp DOC "SIPp, the SIP traffic generator (Debian: sip-tester)")
  find_program(KSR_BASH_EXECUTABLE bash)
  if(NOT KSR_SIPP_EXECUTABLE OR NOT EXISTS "${KSR_SIPP_EXECUTABLE}")
    message(FATAL_ERROR
      "KSR_SIPP_TESTS is ON but the sipp program was not found (KSR_SIPP_EXECUTABLE=${KSR_SIPP_EXECUTABLE}).\n"
      "Install it (Debian/Ubuntu: apt-get install sip-tester; Fedora: dnf install sipp), "
      "point -DKSR_SIPP_EXECUTABLE=/path/to/sipp at it, "
      "or configure with -DKSR_SIPP_TESTS=OFF to skip the SIPp scenario tests.")
  endif()
  if(NOT KSR_BASH_EXECUTABLE)
    message(FATAL_ERROR "KSR_SIPP_TESTS is ON but bash, which runs ${KSR_SIPP_DRIVER}, "
      "was not found; install it or configure with -DKSR_SIPP_TESTS=OFF.")
  endif()
  find_program(KSR_SS_EXECUTABLE ss)
  if(NOT KSR_SS_EXECUTABLE)
    message(STATUS "ss (iproute2) not found: SIPp tests pick ports by lock files and "
      "retry on bind failures only")
  endif()
endif()

# kamailio_add_sipp_test(NAME CONFIG cfg SCENARIOS uac.xml [uac2.xml...] [UAS uas.xml]
#                        [CALLS n] [UAS_CALLS n] [UAS2 uas2.xml] [UAS2_CALLS n]
#                        [DEFINES NAME=VAL...] [TIMEOUT secs]
#                        [TRANSPORT udp|tcp] [UAS_TRANSPORT udp|tcp])
#
# Registers the CTest test sipp.NAME (label `sipp`): run-sipp-test.sh starts kamailio
# with CONFIG on a free loopback UDP port, starts the UAS scenario if any (its port goes
# to the config as -A UAS_PORT=<port> and to the UACs as the SIPp key [uas_port]) and
# the second one, UAS2 (needs UAS; -A UAS2_PORT=<port>, [uas2_port]), runs each UAC
# scenario in turn with `-m CALLS` (default 1), and passes only when every SIPp run, the
# UASes' too (UAS_CALLS and UAS2_CALLS calls, default CALLS), exits 0 with all its calls
# successful and the daemon stops cleanly on SIGTERM.
# Relative paths are taken from the calling CMakeLists.txt's source directory. TIMEOUT
# (default 60) is CTest's limit for the whole test. Does nothing when KSR_SIPP_TESTS is
# OFF or testing is disabled. TRANSPORT is the UACs' (tcp: the daemon listens on TCP too),
# UAS_TRANSPORT the UASes' (tcp: the daemon gets a TCP listener to connect from).
function(kamailio_add_sipp_test name)
  if(NOT BUILD_TESTING OR NOT KSR_SIPP_TESTS)
    return()
  endif()
  cmake_parse_arguments(S ""
    "CONFIG;UAS;CALLS;UAS_CALLS;UAS2;UAS2_CALLS;TIMEOUT;TRANSPORT;UAS_TRANSPORT"
    "SCENARIOS;DEFINES" ${ARGN})
  if(S_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kamailio_add_sipp_test(${name}): unknown arguments ${S_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT S_CONFIG OR NOT S_SCENARIOS)
    message(FATAL_ERROR "kamailio_add_sipp_test(${name}): CONFIG and SCENARIOS are required")
  endif()
  if(S_UAS2 AND NOT S_UAS)
    message(FATAL_ERROR "kamailio_add_sipp_test(${name}): UAS2 needs UAS")
  endif()
  if(NOT S_CALLS)
    set(S_CALLS 1)
  endif()
  if(NOT S_TIMEOUT)
    set(S_TIMEOUT 60)
  endif()

  # Check the files at configure time: a typo fails here, not as a confusing test run.
  set(files)
  foreach(f IN ITEMS ${S_CONFIG} ${S_UAS} ${S_UAS2} ${S_SCENARIOS})
    get_filename_component(abs "${f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs}")
      message(FATAL_ERROR "kamailio_add_sipp_test(${name}): ${f} not found (${abs})")
    endif()
    list(APPEND files "${abs}")
  endforeach()
  list(POP_FRONT files config)
  if(S_UAS)
    list(POP_FRONT files uas)
  endif()
  if(S_UAS2)
    list(POP_FRONT files uas2)
  endif()

  set(args
    --kamailio "$<TARGET_FILE:kamailio>"
    --moddir "${KSR_MODULES_BUILD_DIR}"
    --sipp "${KSR_SIPP_EXECUTABLE}"
    --config "${config}"
    --workdir "${CMAKE_CURRENT_BINARY_DIR}"
    --name "${name}"
    --calls "${S_CALLS}")
  if(S_UAS)
    list(APPEND args --uas "${uas}")
    if(S_UAS_CALLS)
      list(APPEND args --uas-calls "${S_UAS_CALLS}")
    endif()
  endif()
  if(S_UAS2)
    list(APPEND args --uas2 "${uas2}")
    if(S_UAS2_CALLS)
      list(APPEND args --uas2-calls "${S_UAS2_CALLS}")
    endif()
  endif()
  foreach(d IN LISTS S_DEFINES)
    list(APPEND args --define "${d}")
  endforeach()
  if(S_TRANSPORT)
    list(APPEND args --transport "${S_TRANSPORT}")
  endif()
  if(S_UAS_TRANSPORT)
    list(APPEND args --uas-transport "${S_UAS_TRANSPORT}")
  endif()

  add_test(NAME sipp.${name}
    COMMAND "${KSR_BASH_EXECUTABLE}" "${KSR_SIPP_DRIVER}" ${args} -- ${files})
  # Each run reserves its own ports, so the tests may run in parallel (ctest -j).
  set_tests_properties(sipp.${name} PROPERTIES LABELS sipp TIMEOUT ${S_TIMEOUT})
endfunction()
