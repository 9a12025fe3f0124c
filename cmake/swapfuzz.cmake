# One helper per kind of target.

# swapfuzz_layer(dir ALLOWED lower ...): the directory `dir` is one layer whose
# sources may include only headers of its own directory and of the layers
# named in ALLOWED. Checked at configure time by reading every source and
# header under `dir` (includes of libraries outside the project pass), so a
# wrong include fails the configure step with the
# file and the line, before anything is compiled.
function(swapfuzz_layer dir)
  cmake_parse_arguments(ARG "" "" "ALLOWED" ${ARGN})
  set(allowed ${dir} ${ARG_ALLOWED})
  file(GLOB_RECURSE sources RELATIVE ${PROJECT_SOURCE_DIR}
       ${PROJECT_SOURCE_DIR}/${dir}/*.h ${PROJECT_SOURCE_DIR}/${dir}/*.cc)
  foreach(source ${sources})
    file(STRINGS ${PROJECT_SOURCE_DIR}/${source} includes REGEX "^#include \"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" layer "${line}")
      if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${layer} AND NOT layer IN_LIST allowed)
        message(FATAL_ERROR "${source}: '${line}': ${dir}/ may include only ${allowed}")
      endif()
    endforeach()
  endforeach()
endfunction()

# swapfuzz_library(name SRCS ... DEPS ...)
function(swapfuzz_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# swapfuzz_test(name SRCS ... DEPS ...): a GoogleTest binary, one ctest per case.
function(swapfuzz_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    SWAPFUZZ_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SWAPFUZZ_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "SWAPFUZZ_BIN_DIR=${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
endfunction()

# swapfuzz_benchmark(name SRCS ... DEPS ...): a Google Benchmark binary.
function(swapfuzz_benchmark name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()

# swapfuzz_program(name SRCS ... DEPS ...): a command-line program.
function(swapfuzz_program name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# swapfuzz_fuzz_target(name SOURCE src DEPS ...): <name>_fuzzer (libFuzzer, when
# SWAPFUZZ_FUZZ is on; the target `fuzzers` builds them all, for
# tools/oss-fuzz/build.sh) and <name>_replay (a standalone main that runs files
# or directories through the same LLVMFuzzerTestOneInput, for gcc and ctest).
# If corpus/<name>/ exists, ctest replays it.
function(swapfuzz_fuzz_target name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPS" ${ARGN})
  add_executable(${name}_replay ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/harness/standalone_main.cc)
  target_compile_definitions(${name}_replay PRIVATE SWAPFUZZ_TARGET="${name}")
  target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
  if(SWAPFUZZ_FUZZ)
    add_executable(${name}_fuzzer ${ARG_SOURCE})
    # Whether libFuzzer sees the model's C++ coverage (SWAPFUZZ_FUZZ_MODEL_COVERAGE).
    if(SWAPFUZZ_FUZZ_MODEL_COVERAGE)
      set(model_sancov 1)
    else()
      set(model_sancov 0)
    endif()
    target_compile_definitions(${name}_fuzzer PRIVATE SWAPFUZZ_TARGET="${name}"
                               SWAPFUZZ_MODEL_SANCOV=${model_sancov})
    target_link_libraries(${name}_fuzzer PRIVATE ${ARG_DEPS})
    separate_arguments(engine UNIX_COMMAND "${SWAPFUZZ_FUZZ_ENGINE}")
    target_link_libraries(${name}_fuzzer PRIVATE ${engine})
    if(NOT TARGET fuzzers)
      add_custom_target(fuzzers)
    endif()
    add_dependencies(fuzzers ${name}_fuzzer)
  endif()
  if(EXISTS ${PROJECT_SOURCE_DIR}/corpus/${name})
    add_test(NAME fuzz_corpus_${name}
             COMMAND ${name}_replay ${PROJECT_SOURCE_DIR}/corpus/${name})
  endif()
endfunction()
