# cirrus_add_library(NAME core SRCS a.cpp b.cpp DEPS cirrus::base PRIVATE_DEPS fmt::fmt)
#   Builds target cirrus_<NAME> with alias cirrus::<NAME>. Public headers live in
#   include/cirrus/<NAME>/; DEPS are linked PUBLIC (they appear in our headers),
#   PRIVATE_DEPS only in the implementation, which keeps layering honest.
function(cirrus_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cirrus_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(cirrus::${ARG_NAME} ALIAS cirrus_${ARG_NAME})
  target_include_directories(cirrus_${ARG_NAME}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_features(cirrus_${ARG_NAME} PUBLIC cxx_std_20)
  target_link_libraries(cirrus_${ARG_NAME}
    PUBLIC ${ARG_DEPS} cirrus_build_flags
    PRIVATE cirrus_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# cirrus_add_test(NAME core_units SRCS units_test.cpp DEPS cirrus::core [LABELS unit])
#   One executable per test file; gtest_discover_tests registers each TEST.
function(cirrus_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME}_test ${ARG_SRCS})
  target_link_libraries(${ARG_NAME}_test PRIVATE ${ARG_DEPS} cirrus_test_support
    GTest::gmock_main cirrus_warnings cirrus_build_flags)
  gtest_discover_tests(${ARG_NAME}_test
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# cirrus_add_bench(NAME scores SRCS scores_bench.cpp DEPS cirrus::scores)
function(cirrus_add_bench)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME}_bench ${ARG_SRCS})
  target_link_libraries(${ARG_NAME}_bench PRIVATE ${ARG_DEPS} benchmark::benchmark
    cirrus_warnings cirrus_build_flags)
endfunction()

# One generated translation unit per public header proves that each header
# compiles on its own (Stan's test-headers).
function(cirrus_add_header_checks)
  file(GLOB_RECURSE headers RELATIVE ${PROJECT_SOURCE_DIR}/include
    CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/cirrus/*.hpp)
  set(sources "")
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER ${header} id)
    set(tu ${CMAKE_BINARY_DIR}/header_checks/${id}.cpp)
    file(CONFIGURE OUTPUT ${tu} CONTENT "#include \"${header}\"  // must compile alone\n")
    list(APPEND sources ${tu})
  endforeach()
  add_library(cirrus_header_checks OBJECT ${sources})
  target_include_directories(cirrus_header_checks PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(cirrus_header_checks PRIVATE cirrus_warnings fmt::fmt nlohmann_json::nlohmann_json)
endfunction()
