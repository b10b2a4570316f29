# ksr_set_warnings(TARGET): the project's warning set; -Werror only with KSR_WERROR.
set(KSR_WARNING_FLAGS
  -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough)

function(ksr_set_warnings target)
  target_compile_options(${target} PRIVATE ${KSR_WARNING_FLAGS})
  if(KSR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
