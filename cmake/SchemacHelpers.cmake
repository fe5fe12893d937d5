# schemac_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates the static library schemac_<name> and the alias schemac::<name>. Dependencies are explicit,
# so the build enforces the layering (compiler/ never links libpqxx; ANTLR stays behind compiler/parse).
function(schemac_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(schemac_${name} STATIC ${ARG_SOURCES})
  add_library(schemac::${name} ALIAS schemac_${name})
  target_include_directories(schemac_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(schemac_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  schemac_set_warnings(schemac_${name})
endfunction()

function(schemac_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(SCHEMAC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
