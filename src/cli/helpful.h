// What makes the command line help instead of giving up (issue 16): entity arguments read
// case-insensitively with "did you mean" for names and bare codes, subcommand typos answered with
// the nearest command, and stores that commands which read them never create (a missing SQLite
// file is an error that says to run `blackout run` or pass --store).
// Thread-safety: pure functions, except that entity names are loaded once per process.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/text.h"

namespace blackout::store {
class Store;
struct OpenOptions;
}  // namespace blackout::store

namespace blackout::cli {

using blackout::EditDistance;  // base/text.h

// The candidates within a distance of max(1, size / 3) of `word`, nearest first (at most 3).
std::vector<std::string> Nearest(std::string_view word, const std::vector<std::string>& candidates);

// Reads an entity argument: the type case-insensitively, a country or region code upper-cased
// ("country/kz" -> "country/KZ", "Region/kz-ala" -> "region/KZ-ALA"), an ASN with or without "AS"
// ("asn/AS9198" -> "asn/9198"). Without a type, a country or region NAME or code (from Debian's
// iso-codes, case-insensitive: "Kazakhstan", "kz", "Almaty") or "AS9198" is not guessed but
// answered: kInvalidArgument "unknown entity 'Kazakhstan': did you mean country/KZ?".
Result<std::string> ResolveEntity(
    std::string_view text, const std::filesystem::path& iso_dir = "/usr/share/iso-codes/json");

// When argv names a subcommand that does not exist where one is expected (`blackout reprot`,
// `blackout geo lokup`), the message to print ("unknown command 'reprot'; did you mean
// `blackout report`?"); "" when argv is fine as far as subcommands go.
std::string SubcommandTypo(const CLI::App& app, int argc, char** argv);

// Opens a store that must already exist, for commands that read it (report, detect, export,
// evaluate, serve): a missing SQLite file is kUnavailable (exit 3) "no store at PATH: run `blackout
// run` to create and fill one, or pass --store sqlite:PATH (or clickhouse:URL) to use another";
// other errors as store::OpenStore returns them. Never creates a file or a folder.
Result<std::unique_ptr<store::Store>> OpenExistingStore(const std::string& url, bool read_only);

}  // namespace blackout::cli
