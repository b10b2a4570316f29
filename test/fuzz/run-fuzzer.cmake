# Run one libFuzzer target for a bounded time on a copy of its seed corpus (so that new
# inputs never land in the source tree). Fails when the fuzzer finds anything.
#   cmake -DFUZZER=exe -DSEEDS=dir -DWORKDIR=dir -DSECONDS=n [-DDICT=file] -P run-fuzzer.cmake
foreach(v FUZZER SEEDS WORKDIR SECONDS)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "run-fuzzer.cmake: ${v} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORKDIR}")
file(MAKE_DIRECTORY "${WORKDIR}/corpus" "${WORKDIR}/artifacts")
file(GLOB seeds "${SEEDS}/*")
if(NOT seeds)
  message(FATAL_ERROR "run-fuzzer.cmake: no seeds in ${SEEDS}")
endif()
file(COPY ${seeds} DESTINATION "${WORKDIR}/corpus")

set(args -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=5 -print_final_stats=1
  -artifact_prefix=${WORKDIR}/artifacts/)
if(DICT)
  list(APPEND args -dict=${DICT})
endif()
message(STATUS "${FUZZER} ${args} ${WORKDIR}/corpus")
execute_process(COMMAND "${FUZZER}" ${args} "${WORKDIR}/corpus"
  WORKING_DIRECTORY "${WORKDIR}"
  RESULT_VARIABLE rc)

file(GLOB artifacts "${WORKDIR}/artifacts/*")
if(NOT rc EQUAL 0 OR artifacts)
  message(FATAL_ERROR "fuzzer failed (exit ${rc}); reproduce with: ${FUZZER} ${artifacts}")
endif()
