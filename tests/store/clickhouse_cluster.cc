#include "clickhouse_cluster.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

namespace blackout::store::testing {
namespace fs = std::filesystem;

namespace {

size_t Sink(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

// POSTs `body` to `url`; the HTTP status (0: no answer) and the response.
std::pair<long, std::string> Post(const std::string& url, const std::string& body,
                                  long timeout_ms) {
  CURL* c = curl_easy_init();
  std::string out;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Sink);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  long http = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
  curl_easy_cleanup(c);
  return {http, out};
}

// ZooKeeper accepts connections before it serves; a ClickHouse server that cannot complete its
// handshake at start-up runs without distributed DDL. "srvr" answers "Mode: ..." once it serves.
bool ZooKeeperServing(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{1, 0};  // a server still starting may accept and not answer yet
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::write(fd, "srvr", 4) == 4) {
    char buf[512];
    for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) answer.append(buf, size_t(n));
  }
  ::close(fd);
  return answer.find("\nMode:") != std::string::npos;
}

std::string ScriptPath() {
  const char* src = std::getenv("BLACKOUT_SOURCE_DIR");
  fs::path root = src && *src ? fs::path(src) : fs::path(BLACKOUT_SOURCE_DIR_DEFAULT);
  return (root / "scripts" / "clickhouse-cluster" / "start.sh").string();
}

}  // namespace

ClickHouseCluster::~ClickHouseCluster() { Stop(); }

int ClickHouseCluster::http_port(const std::string& node) const {
  auto it = env_.find("HTTP_" + node);
  return it == env_.end() ? 0 : std::atoi(it->second.c_str());
}

std::string ClickHouseCluster::Url(const std::string& db, const std::string& first) const {
  std::vector<std::string> order;
  if (!first.empty()) order.push_back(first);
  for (const std::string& n : nodes_) {
    if (n != first) order.push_back(n);
  }
  std::string hosts;
  for (const std::string& n : order) {
    hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(http_port(n));
  }
  return "clickhouse:http://" + hosts + "/" + db + "?cluster=" + cluster_;
}

std::string ClickHouseCluster::Start(int shards, int replicas) {
  if (::access("/usr/share/java/zookeeper.jar", R_OK) != 0) {
    return "ZooKeeper is not installed (Debian package zookeeperd; scripts/setup.sh installs it "
           "from scripts/deps/store.apt)";
  }
  std::string why;
  // A server that lost a free port to another process exits: start again with new ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    why = StartOnce(shards, replicas);
    if (why.empty()) return "";
    Stop();
  }
  return why;
}

std::string ClickHouseCluster::StartOnce(int shards, int replicas) {
  dir_ = std::make_unique<blackout::testing::TempDir>();
  auto r = blackout::testing::RunCommand("SHARDS=" + std::to_string(shards) +
                                         " REPLICAS=" + std::to_string(replicas) + " " +
                                         ScriptPath() + " --configs-only " + dir_->path().string());
  if (r.exit_code != 0) return "start.sh --configs-only failed: " + r.err;
  env_.clear();
  std::istringstream in(blackout::testing::ReadFile(dir_->path() / "cluster.env"));
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
    env_[line.substr(0, eq)] = v;
  }
  cluster_ = env_["CLUSTER"];
  nodes_.clear();
  std::istringstream names(env_["NODES"]);
  for (std::string n; names >> n;) nodes_.push_back(n);
  if (nodes_.size() != static_cast<size_t>(shards * replicas)) return "bad cluster.env";
  if (std::string why = Launch("zk"); !why.empty()) return why;
  for (const std::string& n : nodes_) {
    if (std::string why = Launch(n); !why.empty()) return why;
  }
  // A node whose ZooKeeper session failed at start-up runs without distributed DDL (18.16 then
  // waits out every ON CLUSTER statement, or crashes on it): check with one, and start again.
  auto [http, body] =
      Post("http://127.0.0.1:" + std::to_string(http_port(nodes_[0])) +
               "/?distributed_ddl_task_timeout=20",
           "CREATE DATABASE IF NOT EXISTS harness_ready ON CLUSTER " + cluster_, 30000);
  if (http != 200) return "distributed DDL does not work: " + body;
  return "";
}

std::string ClickHouseCluster::Launch(const std::string& name) {
  fs::path d = dir_->path() / name;
  pid_t pid = ::fork();
  if (pid == 0) {
    // Never outlive the test process, even if it is killed (ctest timeout, crash).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string out = (d / "stdout.log").string();
    FILE* f = std::freopen(out.c_str(), "a", stdout);
    FILE* g = std::freopen(out.c_str(), "a", stderr);
    (void)f;
    (void)g;
    std::string script = (d / "run.sh").string();
    ::execl("/bin/sh", "sh", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pids_[name] = pid;
  bool zk = name == "zk";
  int port = zk ? std::atoi(env_["ZK_PORT"].c_str()) : http_port(name);
  std::string ping = "http://127.0.0.1:" + std::to_string(port) + "/ping";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    if (zk ? ZooKeeperServing(port) : Post(ping, "", 1000).second.starts_with("Ok.")) return "";
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pids_.erase(name);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return name + " did not start: " + blackout::testing::ReadFile(d / "stdout.log") +
         (zk ? "" : blackout::testing::ReadFile(d / "error.log"));
}

bool ClickHouseCluster::running(const std::string& node) const { return pids_.count(node) > 0; }

void ClickHouseCluster::Kill(const std::string& node) {
  auto it = pids_.find(node);
  if (it == pids_.end()) return;
  ::kill(it->second, SIGKILL);
  int status = 0;
  ::waitpid(it->second, &status, 0);
  pids_.erase(it);
}

std::string ClickHouseCluster::Restart(const std::string& node) {
  if (running(node)) return node + " is running";
  return Launch(node);
}

Result<std::string> ClickHouseCluster::Query(const std::string& node,
                                             const std::string& sql) const {
  auto [http, body] =
      Post("http://127.0.0.1:" + std::to_string(http_port(node)) + "/", sql, 120000);
  if (http == 0) return Unavailable(node + " did not answer");
  if (http != 200) return Internal(node + ": " + body);
  return body;
}

Status ClickHouseCluster::SyncReplicas(const std::string& db) const {
  for (const std::string& n : nodes_) {
    if (!running(n)) continue;
    // A restarted replica first re-activates in ZooKeeper (its old session must expire).
    for (int i = 0;; ++i) {
      auto ro = Query(n, "SELECT count() FROM system.replicas WHERE database = '" + db +
                             "' AND (is_readonly OR is_session_expired)");
      if (ro.ok() && *ro == "0\n") break;
      if (i == 600) return Unavailable(n + ": replicas stay read-only");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto tables = Query(n, "SELECT table FROM system.replicas WHERE database = '" + db + "'");
    if (!tables.ok()) return tables.status();
    std::istringstream in(*tables);
    for (std::string t; std::getline(in, t);) {
      auto r = Query(n, "SYSTEM SYNC REPLICA " + db + "." + t);
      if (!r.ok()) return r.status();
    }
  }
  return Status::Ok();
}

void ClickHouseCluster::Stop() {
  // The data is thrown away with the directory: no need for a clean shutdown.
  for (const auto& [name, pid] : pids_) ::kill(pid, SIGKILL);
  for (const auto& [name, pid] : pids_) {
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  pids_.clear();
}

ClickHouseCluster* ClickHouseCluster::Shared(std::string* error) {
  static ClickHouseCluster* cluster = nullptr;
  static std::string start_error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    cluster = new ClickHouseCluster();
    start_error = cluster->Start();
    std::atexit([] {
      delete cluster;
      cluster = nullptr;
    });
  }
  *error = start_error;
  return start_error.empty() ? cluster : nullptr;
}

}  // namespace blackout::store::testing
