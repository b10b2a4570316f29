# KSR_SANITIZE: ASan + UBSan on everything, no recovery, and modules kept mapped at exit
# (KSR_NO_DLCLOSE) so that reports inside modules keep their symbols.
if(KSR_SANITIZE)
  set(_ksr_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_ksr_san})
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(KSR_NO_DLCLOSE)
endif()
