// Turns one or more runs (the JSON of RunSuite) into a summary: best value
// and spread of every metric, the targets, the printed table, and the
// data file gnuplot draws the chart from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace atm::bench {

nlohmann::json Summarize(const std::vector<nlohmann::json>& runs);
std::string FormatTable(const nlohmann::json& summary);
// Two data sets, named for gnuplot's `index "NAME"`. "sweep": connections,
// exchanges/s, exchange p99 ms, JWKS/s, JWKS p99 ms. "many_connections", the
// exchange at many connections: connections, exchanges/s, p50 ms, p99 ms,
// errors.
std::string ChartData(const nlohmann::json& summary);

}  // namespace atm::bench
