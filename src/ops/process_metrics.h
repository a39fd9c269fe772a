// The standard process metrics of Prometheus client libraries, read from
// /proc/self (Linux): process_resident_memory_bytes, process_virtual_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds,
// process_start_time_seconds. A file that cannot be read leaves its metric out.
#pragma once

#include "core/metrics.h"

namespace atm {

void WriteProcessMetrics(MetricsText& out);

}  // namespace atm
