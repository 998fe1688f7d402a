// Replays of recorded BMP sessions: packet captures (one TCP stream per router connection) or raw
// BMP byte streams, fed to Sessions as a station would. For `blackout bmp read`, the tests and
// the benchmarks. Thread-safety: plain functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/bgp/live.h"
#include "blackout/bmp/pcap.h"
#include "blackout/bmp/session.h"

namespace blackout::bmp {

// The routers' byte streams in `paths` (pcap captures, or raw BMP streams: a file whose first
// byte is the BMP version 3), one per sender address: streams from the same address are joined
// in file order (pmacct's capture sets split one router's session into init, peer-up and
// route-monitoring files). Streams keep the order in which their senders first appear.
Result<std::vector<TcpStream>> LoadStreams(const std::vector<std::string>& paths);

// Feeds every stream, whole, to its own Session into `view`; the sessions are returned open (a
// Session going out of scope closes, dropping its peers' routes). A stream that stops being BMP
// is reported in *problems and its session left where it stopped.
std::vector<std::unique_ptr<Session>> ReplayStreams(const std::vector<TcpStream>& streams,
                                                    bgp::LiveView* view,
                                                    std::vector<std::string>* problems);

}  // namespace blackout::bmp
