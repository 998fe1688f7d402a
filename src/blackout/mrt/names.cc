#include <string>

#include "blackout/mrt/element.h"

namespace blackout::mrt {

std::string MrtTypeName(uint16_t type) {
  switch (type) {
    case kMrtBgp:
      return "BGP";
    case 11:
      return "OSPFv2";
    case kMrtTableDump:
      return "TABLE_DUMP";
    case kMrtTableDumpV2:
      return "TABLE_DUMP_V2";
    case kMrtBgp4mp:
      return "BGP4MP";
    case kMrtBgp4mpEt:
      return "BGP4MP_ET";
    case 32:
      return "ISIS";
    case 33:
      return "ISIS_ET";
    case 48:
      return "OSPFv3";
    case 49:
      return "OSPFv3_ET";
    default:
      return "UNKNOWN(" + std::to_string(type) + ")";
  }
}

std::string MrtSubtypeName(uint16_t type, uint16_t subtype) {
  static const char* const kTd2[] = {nullptr,
                                     "PEER_INDEX_TABLE",
                                     "RIB_IPV4_UNICAST",
                                     "RIB_IPV4_MULTICAST",
                                     "RIB_IPV6_UNICAST",
                                     "RIB_IPV6_MULTICAST",
                                     "RIB_GENERIC",
                                     nullptr,
                                     "RIB_IPV4_UNICAST_ADDPATH",
                                     "RIB_IPV4_MULTICAST_ADDPATH",
                                     "RIB_IPV6_UNICAST_ADDPATH",
                                     "RIB_IPV6_MULTICAST_ADDPATH",
                                     "RIB_GENERIC_ADDPATH"};
  static const char* const kMp[] = {"STATE_CHANGE",
                                    "MESSAGE",
                                    "ENTRY",
                                    "SNAPSHOT",
                                    "MESSAGE_AS4",
                                    "STATE_CHANGE_AS4",
                                    "MESSAGE_LOCAL",
                                    "MESSAGE_AS4_LOCAL",
                                    "MESSAGE_ADDPATH",
                                    "MESSAGE_AS4_ADDPATH",
                                    "MESSAGE_LOCAL_ADDPATH",
                                    "MESSAGE_AS4_LOCAL_ADDPATH"};
  static const char* const kTd[] = {nullptr, "AFI_IPv4", "AFI_IPv6", "AFI_IPv4_AS4",
                                    "AFI_IPv6_AS4"};
  static const char* const kBgp[] = {"NULL", "UPDATE", "PREF_UPDATE", "STATE_CHANGE",
                                     "SYNC", "OPEN",   "NOTIFY",      "KEEPALIVE"};
  const char* name = nullptr;
  switch (type) {
    case kMrtTableDumpV2:
      if (subtype < std::size(kTd2)) name = kTd2[subtype];
      break;
    case kMrtBgp4mp:
    case kMrtBgp4mpEt:
      if (subtype < std::size(kMp)) name = kMp[subtype];
      break;
    case kMrtTableDump:
      if (subtype < std::size(kTd)) name = kTd[subtype];
      break;
    case kMrtBgp:
      if (subtype < std::size(kBgp)) name = kBgp[subtype];
      break;
    default:
      break;
  }
  return name ? std::string(name) : std::to_string(subtype);
}

}  // namespace blackout::mrt
