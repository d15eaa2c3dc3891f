# Warnings come from one INTERFACE target that every cirrus target links PRIVATE,
# so third-party headers and consumers are not affected (B8).
add_library(cirrus_warnings INTERFACE)
target_compile_options(cirrus_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict (and -Wstringop-overflow) inside libstdc++'s
# std::string concatenation at -O2/-O3: a false positive, GCC bug 105329.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(cirrus_warnings INTERFACE -Wno-restrict -Wno-stringop-overflow)
endif()
if(CIRRUS_WERROR)
  target_compile_options(cirrus_warnings INTERFACE -Werror)
endif()

# Sanitizers and asserts apply to everything cirrus builds, tests included.
add_library(cirrus_build_flags INTERFACE)
if(CIRRUS_SANITIZE)
  target_compile_options(cirrus_build_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(cirrus_build_flags INTERFACE -fsanitize=address,undefined)
endif()
if(CIRRUS_ASSERTS)
  target_compile_definitions(cirrus_build_flags INTERFACE CIRRUS_ENABLE_ASSERTS=1)
endif()
