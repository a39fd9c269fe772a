# Shared by cmake/toolchain-aarch64.cmake and cmake/toolchain-armhf.cmake:
# cross-building the static atm on a Debian 12 amd64 machine with Debian's
# cross compiler (g++-<triple>) and the target's multiarch -dev packages
# (libssl-dev:<arch>, ..., in /usr/lib/<triple>). scripts/cross_build.sh
# installs them. The including file sets ATM_CROSS_ARCH, ATM_CROSS_TRIPLE,
# ATM_CROSS_PROCESSOR and ATM_CROSS_QEMU first.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${ATM_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${ATM_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${ATM_CROSS_TRIPLE}-g++)
set(CMAKE_AR ${ATM_CROSS_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${ATM_CROSS_TRIPLE}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${ATM_CROSS_TRIPLE}-strip CACHE FILEPATH "")

# find_library and find_package look in /usr/lib/<triple> (multiarch), and
# never in the build machine's own library folders: a wrong-architecture .a
# would only fail at link time, far from the cause.
set(CMAKE_LIBRARY_ARCHITECTURE ${ATM_CROSS_TRIPLE})
set(_atm_multiarch /usr/lib/${ATM_CROSS_TRIPLE})
foreach(host_dir /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/pkgconfig
                 /usr/lib/x86_64-linux-gnu/cmake /usr/local/lib)
  list(APPEND CMAKE_IGNORE_PATH ${host_dir})
endforeach()
list(APPEND CMAKE_IGNORE_PREFIX_PATH /usr/lib/x86_64-linux-gnu/cmake)
# FindOpenSSL asks pkg-config first and uses its answer as a hint: without
# this it silently takes the amd64 libcrypto.a (openssl.pc in
# /usr/lib/x86_64-linux-gnu/pkgconfig).
set(ENV{PKG_CONFIG_LIBDIR} "${_atm_multiarch}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The cross compiler searches its own /usr/<triple>/lib (libc6-dev-<arch>-cross,
# glibc 2.36-8, never patched in bookworm) before the multiarch folder. -B
# (crt1.o, crti.o, ...) and -L put the multiarch libc6-dev:<arch> first: the
# same glibc, with Debian's security updates, as the amd64 libc6.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-B${_atm_multiarch}/ -L${_atm_multiarch}")

# The target's static libpq: scripts/build_libpq.sh <arch> builds it there.
get_filename_component(_atm_libpq "${CMAKE_CURRENT_LIST_DIR}/../build-deps/libpq-${ATM_CROSS_ARCH}" ABSOLUTE)
set(ATM_LIBPQ_DIR "${_atm_libpq}" CACHE PATH "Prefix of the static libpq (scripts/build_libpq.sh ${ATM_CROSS_ARCH})")

# No binfmt_misc on the build machine: ctest runs the test binaries through
# qemu-user explicitly (add_test with a target runs it through this).
find_program(ATM_CROSS_QEMU_PATH ${ATM_CROSS_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${ATM_CROSS_QEMU_PATH})
