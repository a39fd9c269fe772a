# 32-bit ARM, hard float (armhf: ARMv7 with VFPv3-D16, e.g. Raspberry Pi 2,
# BeagleBone, many industrial gateways).
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
# scripts/cross_build.sh armhf installs the packages, builds and tests.
set(ATM_CROSS_ARCH armhf)
set(ATM_CROSS_TRIPLE arm-linux-gnueabihf)
set(ATM_CROSS_PROCESSOR arm)
set(ATM_CROSS_QEMU qemu-arm-static)
# GCC notes on every std::vector<T>::iterator passed by value that its
# passing changed in GCC 7.1 (-Wpsabi): all of atm and its libraries are built
# by GCC 12, so the note says nothing here.
set(CMAKE_CXX_FLAGS_INIT -Wno-psabi)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
