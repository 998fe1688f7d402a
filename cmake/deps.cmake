# Third-party libraries, all from Debian packages (scripts/deps/*.apt lists them).
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(simdjson REQUIRED)  # OONI measurements (scripts/deps/ooni.apt)
find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(MAXMINDDB REQUIRED IMPORTED_TARGET libmaxminddb)

# The decompressors, linked by name (-lz, -lbz2, -llzma, -lzstd) rather than by the .so paths of the
# imported targets above (which check that they are installed): the `blackout` executable is linked
# as a static PIE (src/cli/CMakeLists.txt), and a bare name lets the linker take libz.a there and
# libz.so everywhere else.
add_library(blackout_decompressors INTERFACE)
target_link_libraries(blackout_decompressors INTERFACE z bz2 lzma zstd)
