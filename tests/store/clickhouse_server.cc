#include "clickhouse_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace blackout::store::testing {
namespace fs = std::filesystem;

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

namespace {

size_t Sink(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

bool Ping(const std::string& base) {
  CURL* c = curl_easy_init();
  std::string body;
  std::string url = base + "/ping";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Sink);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  return rc == CURLE_OK && body.starts_with("Ok.");
}

std::string FindServer() {
  for (const char* p : {"/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

}  // namespace

ClickHouseServer::~ClickHouseServer() { Stop(); }

std::string ClickHouseServer::http_base() const {
  return "http://127.0.0.1:" + std::to_string(http_port_);
}

std::string ClickHouseServer::Start() {
  std::string bin = FindServer();
  if (bin.empty()) {
    return "clickhouse-server is not installed (Debian package clickhouse-server; "
           "scripts/setup.sh installs it from scripts/deps/store.apt)";
  }
  dir_ = std::make_unique<blackout::testing::TempDir>();
  const fs::path& d = dir_->path();
  for (int attempt = 0; attempt < 5; ++attempt) {
    http_port_ = FreePort();
    int tcp_port = FreePort();
    std::string cfg = R"(<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>)" +
                      (d / "server.log").string() + "</log><errorlog>" +
                      (d / "error.log").string() +
                      R"(</errorlog><size>10M</size><count>1</count></logger>
  <http_port>)" + std::to_string(http_port_) +
                      "</http_port>\n  <tcp_port>" + std::to_string(tcp_port) + R"(</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>)" + (d / "data").string() +
                      "/</path>\n  <tmp_path>" + (d / "tmp").string() +
                      "/</tmp_path>\n  <user_files_path>" + (d / "user_files").string() +
                      "/</user_files_path>\n  <format_schema_path>" + (d / "schemas").string() +
                      R"(/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>104857600</mark_cache_size>
  <uncompressed_cache_size>104857600</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
)";
    blackout::testing::WriteFile(d / "config.xml", cfg);
    blackout::testing::WriteFile(d / "users.xml", R"(<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
)");
    pid_t pid = ::fork();
    if (pid == 0) {
      // Never outlive the test process, even if it is killed (ctest timeout, crash).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::string out = (d / "stdout.log").string();
      FILE* f = std::freopen(out.c_str(), "w", stdout);
      FILE* g = std::freopen(out.c_str(), "a", stderr);
      (void)f;
      (void)g;
      std::string arg = "--config-file=" + (d / "config.xml").string();
      ::execl(bin.c_str(), bin.c_str(), arg.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Ping(http_base())) return "";
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited (port taken?): try again with other ports
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Stop();
  }
  return "clickhouse-server did not start; see " +
         blackout::testing::ReadFile(dir_->path() / "stdout.log") +
         blackout::testing::ReadFile(dir_->path() / "error.log");
}

void ClickHouseServer::Stop() {
  if (pid_ <= 0) return;
  // The data directory is thrown away, so a short grace period is enough.
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 20; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ClickHouseServer* ClickHouseServer::Shared(std::string* error) {
  static ClickHouseServer* server = nullptr;
  static std::string start_error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    server = new ClickHouseServer();
    start_error = server->Start();
    // Stopped at exit: the TempDir and the process must not outlive the test binary.
    std::atexit([] {
      delete server;
      server = nullptr;
    });
  }
  *error = start_error;
  return start_error.empty() ? server : nullptr;
}

}  // namespace blackout::store::testing
