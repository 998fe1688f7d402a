#include "blackout/store/internal/backends.h"

namespace blackout::store::internal {

Result<std::unique_ptr<Store>> OpenClickHouse(const std::string&, const OpenOptions&) {
  return Unimplemented("ClickHouse store: not built yet");
}

}  // namespace blackout::store::internal
