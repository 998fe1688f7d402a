// `blackout subscribe add|list|remove` (webhook subscriptions, docs/notify.md) and
// `blackout import annotations` (curated outage lists, docs/annotations.md).
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "blackout/base/log.h"
#include "blackout/curated/curated.h"
#include "blackout/notify/subscription.h"
#include "blackout/store/store.h"
#include "cli/command.h"
#include "cli/helpful.h"

namespace blackout::cli {
namespace {

using json = nlohmann::json;

CLI::App* Parent(CLI::App& app, const std::string& name, const std::string& help) {
  for (CLI::App* sub : app.get_subcommands([&](CLI::App* s) { return s->get_name() == name; })) {
    return sub;
  }
  CLI::App* p = app.add_subcommand(name, help);
  p->require_subcommand(1);
  return p;
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct SubscribeArgs {
  std::string store_url;
  std::string url, secret_file, description;
  std::vector<std::string> entities, signals, kinds;
  bool include_related = false;
  double min_drop = 0, min_score = 0;
  std::string id;
};

// The secret from --secret-file or $BLACKOUT_WEBHOOK_SECRET, never from the command line (it
// would show in the process list).
Result<std::string> Secret(const SubscribeArgs& a) {
  if (!a.secret_file.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(std::string s, ReadText(a.secret_file));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  if (const char* env = std::getenv("BLACKOUT_WEBHOOK_SECRET"); env && *env)
    return std::string(env);
  return InvalidArgument("give the secret with --secret-file FILE or $BLACKOUT_WEBHOOK_SECRET");
}

int RunAdd(const SubscribeArgs& a, const Context& ctx) {
  auto secret = Secret(a);
  if (!secret.ok()) {
    log::Error("subscribe add: ", secret.status().message());
    return ExitCodeFor(secret.status());
  }
  for (const std::string& e : a.entities) {
    if (!ResolveEntity(e).ok()) {
      log::Error("subscribe add: ", ResolveEntity(e).status().message());
      return kExitUsage;
    }
  }
  std::vector<std::string> entities;
  for (const std::string& e : a.entities) entities.push_back(*ResolveEntity(e));
  json body = {{"url", a.url},
               {"secret", *secret},
               {"entities", entities},
               {"signals", a.signals},
               {"includeRelated", a.include_related},
               {"kinds", a.kinds},
               {"minDrop", a.min_drop},
               {"minScore", a.min_score},
               {"description", a.description}};
  auto st = store::OpenStore(a.store_url);
  if (!st.ok()) {
    log::Error("subscribe add: ", st.status().ToString());
    return kExitFailure;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto added = notify::AddSubscriptionFromJson(
      **st, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now);
  if (!added.ok()) {
    log::Error("subscribe add: ", added.status().message());
    return ExitCodeFor(added.status());
  }
  Print(ctx.json ? *added + "\n"
                 : "added " + json::parse(*added)["id"].get<std::string>() + " -> " + a.url + "\n");
  return kExitOk;
}

int RunList(const SubscribeArgs& a, const Context& ctx) {
  auto st = OpenExistingStore(a.store_url, /*read_only=*/true);
  if (!st.ok()) {
    log::Error("subscribe list: ", st.status().ToString());
    return kExitFailure;
  }
  auto list = notify::ListSubscriptionsJson(**st);
  if (!list.ok()) {
    log::Error("subscribe list: ", list.status().ToString());
    return kExitFailure;
  }
  if (ctx.json) {
    Print(*list + "\n");
    return kExitOk;
  }
  for (const json& s : json::parse(*list)) {
    std::string what = s["entities"].empty() ? "every entity" : "";
    for (const auto& e : s["entities"]) what += (what.empty() ? "" : ",") + e.get<std::string>();
    if (s["includeRelated"].get<bool>()) what += " (and related)";
    Print(s["id"].get<std::string>() + "  " + s["url"].get<std::string>() + "  " + what + "\n");
  }
  return kExitOk;
}

int RunRemove(const SubscribeArgs& a, const Context&) {
  auto st = OpenExistingStore(a.store_url, /*read_only=*/false);
  if (!st.ok()) {
    log::Error("subscribe remove: ", st.status().ToString());
    return kExitFailure;
  }
  Status r = notify::RemoveSubscription(**st, a.id);
  if (!r.ok()) {
    log::Error("subscribe remove: ", r.message());
    return r.code() == StatusCode::kNotFound ? kExitUsage : kExitFailure;
  }
  return kExitOk;
}

struct ImportArgs {
  std::string store_url, file, format;
  bool dry_run = false;
};

int RunImportAnnotations(const ImportArgs& a, const Context& ctx) {
  auto format = curated::ParseListFormat(a.format);
  if (!format.ok()) {
    log::Error("import annotations: ", format.status().message());
    return kExitUsage;
  }
  auto text = ReadText(a.file);
  if (!text.ok()) {
    log::Error("import annotations: ", text.status().message());
    return kExitFailure;
  }
  auto names = curated::PlaceNames::Load();
  if (!names.ok()) {
    log::Error("import annotations: country names: ", names.status().ToString());
    return kExitFailure;
  }
  curated::ParsedList list = curated::ParseList(*text, *format, *names, a.file);
  for (const Status& p : list.problems) log::Warn(p.message());
  if (!a.dry_run) {
    auto st = store::OpenStore(a.store_url);
    if (!st.ok()) {
      log::Error("import annotations: ", st.status().ToString());
      return kExitFailure;
    }
    if (Status s = curated::SaveOutages(**st, list.outages); !s.ok()) {
      log::Error("import annotations: ", s.ToString());
      return kExitFailure;
    }
  }
  if (ctx.json) {
    json problems = json::array();
    for (const Status& p : list.problems) problems.push_back(p.message());
    Print(json{{"file", a.file},
               {"format", a.format},
               {"rows", list.rows},
               {"imported", list.outages.size()},
               {"problems", problems},
               {"dryRun", a.dry_run}}
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
          "\n");
  } else {
    Print("imported " + std::to_string(list.outages.size()) + " of " + std::to_string(list.rows) +
          " " + a.format + " records" +
          (list.problems.empty()
               ? ""
               : " (" + std::to_string(list.problems.size()) + " malformed, reported above)") +
          (a.dry_run ? " [dry run: nothing written]" : "") + "\n");
  }
  return list.problems.empty() ? kExitOk : kExitInputProblems;
}

}  // namespace

void RegisterNotifyCommands(CLI::App& app, Context& ctx) {
  auto sa = std::make_shared<SubscribeArgs>();
  CLI::App* sub = app.add_subcommand(
      "subscribe",
      "Webhook subscriptions: a receiver URL told (JSON POSTs signed with HMAC-SHA256) of the\n"
      "start, phase changes and end of events matching its filters (docs/notify.md)");
  sub->require_subcommand(1);
  CLI::App* add = sub->add_subcommand("add", "Add a subscription (validated; prints its id)");
  add->add_option("--url", sa->url, "Receiver, http:// or https://")->required();
  add->add_option("--secret-file", sa->secret_file,
                  "File holding the HMAC secret (16-256 bytes; default: $BLACKOUT_WEBHOOK_SECRET)");
  add->add_option("--entity", sa->entities, "Entity to watch (repeatable; default: every one)");
  add->add_flag("--include-related", sa->include_related,
                "Also the entities under them (a country's regions and networks)");
  add->add_option("--signal", sa->signals, "Only events these signals show (repeatable)");
  add->add_option("--kind", sa->kinds, "Only these notices: start, phase, end, unblocked");
  add->add_option("--min-drop", sa->min_drop,
                  "Only events that lost at least this share of connectivity (0.5 = half)")
      ->check(CLI::Range(0.0, 1.0));
  add->add_option("--min-score", sa->min_score, "Only events with at least this score");
  add->add_option("--description", sa->description, "Free text shown by list");
  AddStoreOption(add, &sa->store_url);
  add->callback([sa, &ctx] { ctx.exit_code = RunAdd(*sa, ctx); });
  CLI::App* list = sub->add_subcommand("list", "List the subscriptions (secrets never shown)");
  AddStoreOption(list, &sa->store_url);
  list->callback([sa, &ctx] { ctx.exit_code = RunList(*sa, ctx); });
  CLI::App* rm = sub->add_subcommand("remove", "Remove a subscription");
  rm->add_option("id", sa->id, "Subscription id (sub-...)")->required();
  AddStoreOption(rm, &sa->store_url);
  rm->callback([sa, &ctx] { ctx.exit_code = RunRemove(*sa, ctx); });

  auto ia = std::make_shared<ImportArgs>();
  CLI::App* import = Parent(app, "import", "Import data into the store");
  CLI::App* ann = import->add_subcommand(
      "annotations",
      "Import a curated outage list as annotations shown beside the detected events: Access\n"
      "Now's #KeepItOn STOP list, IODA's investigated outages, Cloudflare Radar's outage\n"
      "annotations (its API's JSON answer or CSV). Malformed rows are reported with file and\n"
      "line, the rest kept; importing again replaces the same records (docs/annotations.md).");
  ann->add_option("file", ia->file, "The list")->required();
  ann->add_option("--format", ia->format, "keepiton, ioda-investigated or radar")->required();
  ann->add_flag("--dry-run", ia->dry_run, "Parse and report; write nothing");
  AddStoreOption(ann, &ia->store_url);
  ann->callback([ia, &ctx] { ctx.exit_code = RunImportAnnotations(*ia, ctx); });
}

}  // namespace blackout::cli
