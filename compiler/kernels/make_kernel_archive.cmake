# Makes libaec_kernels_vw<W>.a from the native kernel objects of one vector
# width (compiler/kernels/CMakeLists.txt): every external symbol the objects
# define gets the width's suffix (aec_gemm -> aec_gemm_vw16), in definitions and
# references alike, so that a model calls exactly the width it was built for
# and two libraries of different widths can share one program.
#   -DNM= -DOBJCOPY= -DAR= llvm-nm / llvm-objcopy / llvm-ar
#   -DSUFFIX=_vw16 -DOBJECTS=a.o;b.o -DWORK=<folder> -DOUTPUT=<archive>
separate_arguments(objects UNIX_COMMAND "${OBJECTS}")
execute_process(COMMAND ${NM} --defined-only --extern-only --format=just-symbols ${objects}
                OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llvm-nm failed on ${objects}")
endif()
string(REGEX MATCHALL "[A-Za-z_][A-Za-z0-9_.]*" symbols "${symbols}")
list(REMOVE_DUPLICATES symbols)
list(SORT symbols)
set(renames "")
foreach(s ${symbols})
  string(APPEND renames "${s} ${s}${SUFFIX}\n")
endforeach()
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/renames.txt "${renames}")
set(renamed)
foreach(o ${objects})
  get_filename_component(name ${o} NAME)
  execute_process(COMMAND ${OBJCOPY} --redefine-syms=${WORK}/renames.txt ${o} ${WORK}/${name}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "llvm-objcopy failed on ${o}")
  endif()
  list(APPEND renamed ${WORK}/${name})
endforeach()
file(REMOVE ${OUTPUT})
# D: deterministic (no timestamps, uids): the archive's bytes depend only on its objects.
execute_process(COMMAND ${AR} rcsD ${OUTPUT} ${renamed} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llvm-ar failed writing ${OUTPUT}")
endif()
