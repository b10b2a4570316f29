# KSR_FUZZ: build the libFuzzer targets of test/fuzz (clang only). Everything is compiled
# with ASan + UBSan (no recovery, so a UBSan report is a crash the fuzzer stops on) and
# with libFuzzer's coverage instrumentation; only the fuzz targets link libFuzzer's main.
# -O1 even in Debug: it about doubles the executions per second of a bounded run, and
# with -g and frame pointers the stacks stay readable.
# Include this before src/ is added, so that the core objects get the same flags.
option(KSR_FUZZ "Build the libFuzzer targets in test/fuzz (needs clang)" OFF)

if(KSR_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR
      "KSR_FUZZ needs clang (libFuzzer ships with it), not ${CMAKE_C_COMPILER_ID}: "
      "configure with -DCMAKE_C_COMPILER=clang, or use the fuzz preset")
  endif()
  set(KSR_FUZZ_SANITIZERS address,undefined)
  add_compile_options(-fsanitize=fuzzer-no-link,${KSR_FUZZ_SANITIZERS}
    -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
  add_link_options(-fsanitize=${KSR_FUZZ_SANITIZERS})
  # as KSR_SANITIZE: modules stay mapped, so reports inside them keep their symbols
  add_compile_definitions(KSR_NO_DLCLOSE)
endif()
