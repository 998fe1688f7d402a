#include <string>

#include "blackout/store/internal/backends.h"
#include "blackout/store/store.h"

namespace blackout::store {

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const OpenOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  constexpr std::string_view kClickHouse = "clickhouse:";
  if (url.starts_with(kSqlite)) {
    std::string path(url.substr(kSqlite.size()));
    if (path.empty()) return InvalidArgument("store URL 'sqlite:' needs a path");
    return internal::OpenSqlite(path, options);
  }
  if (url.starts_with(kClickHouse)) {
    std::string rest(url.substr(kClickHouse.size()));
    if (!rest.starts_with("http://") && !rest.starts_with("https://")) {
      return InvalidArgument(
          "store URL must be clickhouse:http://HOST:PORT[,HOST:PORT...]/DB[?cluster=NAME], got '" +
          std::string(url) + "'");
    }
    return internal::OpenClickHouse(rest, options);
  }
  return InvalidArgument(
      "unknown store URL '" + std::string(url) +
      "' (want sqlite:PATH or clickhouse:http://HOST:PORT[,HOST:PORT...]/DB[?cluster=NAME])");
}

}  // namespace blackout::store
