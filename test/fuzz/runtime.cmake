# libFuzzer targets for the runtime's readers (runtime_fuzzer.c), one per
# reader; included by test/fuzz/CMakeLists.txt. The runtime and the
# reference models get coverage instrumentation (fuzzer-no-link).
foreach(t aec_output_path_obj aec_rt_core_obj aec_runtime aec_ref_models)
  target_compile_options(${t} PRIVATE -fsanitize=fuzzer-no-link)
endforeach()
foreach(reader npy idx csv raw gzip aew)
  set(t aec_rt_fuzz_${reader})
  add_executable(${t} runtime_fuzzer.c)
  string(TOUPPER ${reader} R)
  target_compile_definitions(${t} PRIVATE AEC_FUZZ_READER=${R})
  target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/runtime/src)
  target_link_libraries(${t} PRIVATE aec_ref_models aec_runtime)
  target_compile_options(${t} PRIVATE -fsanitize=fuzzer)
  target_link_options(${t} PRIVATE -fsanitize=fuzzer)
  list(APPEND AEC_RT_FUZZERS ${t})
endforeach()
add_custom_target(aec_rt_fuzzers DEPENDS ${AEC_RT_FUZZERS})
