# 64-bit ARM (arm64: Raspberry Pi 3/4/5 with a 64-bit OS, most ARM gateways).
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
# scripts/cross_build.sh aarch64 installs the packages, builds and tests.
set(ATM_CROSS_ARCH aarch64)
set(ATM_CROSS_TRIPLE aarch64-linux-gnu)
set(ATM_CROSS_PROCESSOR aarch64)
set(ATM_CROSS_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
