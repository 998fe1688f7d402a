// Backend factories behind OpenStore. Internal to the store module.
#pragma once

#include <memory>
#include <string>

#include "blackout/store/store.h"

namespace blackout::store::internal {

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& options);
// `http_url` is "http://HOST:PORT/DB".
Result<std::unique_ptr<Store>> OpenClickHouse(const std::string& http_url,
                                              const OpenOptions& options);

}  // namespace blackout::store::internal
