// Force-included (-include) into every file of src/ and main.cpp by the build
// (CMakeLists.txt, atm_layer): each layer defines ATM_LAYER_<NAME>. The
// wrapped third-party libraries sit in /usr/include, where any file could
// include them; this poisons their namespaces outside the one layer that
// wraps each, so that including one elsewhere fails to compile with
// "attempt to use poisoned".
#ifndef ATM_LAYER_STORE
#pragma GCC poison SQLite       // SQLiteCpp: src/store/ only
#pragma GCC poison PQconnectdb  // libpq: src/store/ only
#endif
#ifndef ATM_LAYER_CONFIG
#pragma GCC poison toml  // toml++: src/config/ only
#endif
#ifndef ATM_LAYER_HTTP
#pragma GCC poison boost  // Boost.Beast and Asio: src/http/ only
#endif
