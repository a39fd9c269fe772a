// getpwuid_r for the static executable: /etc/passwd only, never an NSS
// module. CMakeLists.txt links the static atm with -Wl,--wrap=getpwuid_r, so
// that every getpwuid_r call (libpq's) lands here.
//
// Why: libpq calls getpwuid_r for the default user name (a connection string
// without a user) and for the home folder (~/.pgpass, ~/.postgresql/) when
// HOME is unset. Static glibc still follows /etc/nsswitch.conf, and Debian
// 12's "passwd: files systemd" makes it dlopen libnss_systemd.so.2, a library
// built for the dynamic glibc: for a uid that /etc/passwd lacks (a systemd
// DynamicUser, a container's arbitrary uid) the static process crashes in it
// (SIGSEGV, measured). Here such a uid is simply not found, as with
// "passwd: files", and libpq reports "local user with ID N does not exist".
#pragma once

#include <pwd.h>
#include <sys/types.h>

#include <cstddef>

// The signature and contract of getpwuid_r(3): 0 with *result set (found) or
// null (not found), or an errno value (ERANGE: buffer too small).
extern "C" int __wrap_getpwuid_r(uid_t uid, passwd* pwd, char* buf, std::size_t buflen, passwd** result);
