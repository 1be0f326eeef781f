# aec_add_model(<target> <file.ae> [INFERENCE_ONLY] [SHARED] [TARGET_CPU cpu]
#               [MODEL name] [OPTIONS opts...])
#
# Compiles a model with `aec build --emit=lib` (or `shared`) at build time and
# creates <target>, a library target to link against: it carries the
# generated C header (`#include "<model>.h"`, the model's name as in the
# .ae file) and the link dependencies (zlib, libpng, Threads, m). The runtime
# is inside the generated library. Editing the model or any file it imports
# rebuilds it (aec writes a depfile).
function(aec_add_model target file)
  cmake_parse_arguments(PARSE_ARGV 2 AEC "INFERENCE_ONLY;SHARED" "TARGET_CPU;MODEL" "OPTIONS")
  if(AEC_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "aec_add_model(${target}): unknown arguments ${AEC_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(src "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/aec/${target}")
  if(AEC_SHARED)
    set(emit shared)
    set(lib "${dir}/lib${target}.so")
  else()
    set(emit lib)
    set(lib "${dir}/lib${target}.a")
  endif()
  set(args build "${src}" --emit=${emit} -o "${lib}" --depfile "${dir}/${target}.d")
  if(AEC_INFERENCE_ONLY)
    list(APPEND args --inference-only)
  endif()
  if(AEC_TARGET_CPU)
    list(APPEND args --target-cpu ${AEC_TARGET_CPU})
  endif()
  if(AEC_MODEL)
    list(APPEND args --model ${AEC_MODEL})
  endif()
  list(APPEND args ${AEC_OPTIONS})

  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${lib}"
    COMMAND aec::aec ${args}
    DEPENDS "${src}" aec::aec
    DEPFILE "${dir}/${target}.d"
    COMMENT "aec: building ${target} from ${file}"
    VERBATIM)
  add_custom_target(${target}_aec DEPENDS "${lib}")
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_aec)
  target_include_directories(${target} INTERFACE "${dir}" "${aec_INCLUDE_DIR}")
  target_link_libraries(${target} INTERFACE "${lib}" ZLIB::ZLIB PNG::PNG Threads::Threads m)
endfunction()
