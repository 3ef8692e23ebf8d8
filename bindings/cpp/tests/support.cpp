#include "support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

// The sanitizers' defaults for this binary, however it is run: leaks are errors at exit, and
// an undefined-behaviour report shows where (it already aborts: -fno-sanitize-recover).
extern "C" const char* __asan_default_options() { return "detect_leaks=1"; }
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1"; }

namespace hwinst_test {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// The hwinst binary the simulator runs from: $HWINST_BIN when set, else the newer of
// target/debug/hwinst and target/release/hwinst in the repository these tests were configured
// from (HWINST_REPO_DIR), so that `cargo build --features cli` then ctest needs nothing set.
std::string simulator_binary() {
  const char* bin = std::getenv("HWINST_BIN");
  if (bin != nullptr && *bin != '\0') return bin;
  const std::string repo = HWINST_REPO_DIR;
  std::string newest;
  struct timespec newest_time {};
  for (const char* profile : {"debug", "release"}) {
    const std::string candidate = repo + "/target/" + profile + "/hwinst";
    struct stat info {};
    if (::stat(candidate.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    const bool newer = newest.empty() || info.st_mtim.tv_sec > newest_time.tv_sec ||
                       (info.st_mtim.tv_sec == newest_time.tv_sec &&
                        info.st_mtim.tv_nsec > newest_time.tv_nsec);
    if (newer) {
      newest = candidate;
      newest_time = info.st_mtim;
    }
  }
  if (newest.empty()) {
    throw std::runtime_error("no hwinst binary in " + repo +
                             "/target/{debug,release}: run `cargo build --features cli` in " +
                             repo + " (or set HWINST_BIN)");
  }
  return newest;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Reads one line from `fd`, byte by byte so that nothing after it is taken, for at most
// `limit` (a guard against a simulator that hangs, not a timing check).
std::string read_line(int fd, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string line;
  char c = 0;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no URL on its stdout in time");
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail("poll");
    if (ready == 0) continue;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read");
    if (n == 0) throw std::runtime_error("it exited before printing its URL");
    if (c == '\n') return line;
    line.push_back(c);
  }
}

}  // namespace

json scenario() {
  // Hour-long steps keep an instance at its first step for the whole run.
  const int stuck = 3'600'000;
  json instances = json::array();
  auto add = [&](const char* service, const std::string& id, const char* outcome, int step_ms) {
    instances.push_back({{"service", service}, {"id", id}, {"outcome", outcome},
                         {"step_ms", step_ms}});
  };
  add("roma", "roma-running", "steady", 0);
  add("roma", "roma-creating", "success", stuck);
  add("roma", "roma-fail", "fail", 0);
  add("roma", "roma-running-2", "steady", 0);
  add("roma", "roma-threads", "steady", 0);
  add("apig", "apig-running", "steady", 0);
  add("apig", "apig-threads", "steady", 0);
  add("apig", "apig-env", "steady", 0);
  // Five steps a second apart: a wait started right after the simulator sees several changes.
  add("apig", "apig-progress", "success", 1000);
  for (const char* id : {"apig-stuck-stop", "apig-stuck-throw", "apig-stuck-throw-std",
                         "apig-stuck-token", "apig-stuck-token-early", "apig-stuck-timeout",
                         "apig-stuck-reentrant", "apig-stuck-moved-token"}) {
    add("apig", id, "success", stuck);
  }
  add("apig", "apig-fail", "fail", 0);
  // Client::wait_many (wait_many_test.cpp).
  add("apig", "fleet-apig", "steady", 0);
  add("clouddc", "fleet-dc", "steady", 0);
  add("apig", "fleet-fail", "fail", 0);
  for (const char* id : {"fleet-stuck-a", "fleet-stuck-b", "fleet-stuck-c", "fleet-stuck-d",
                         "fleet-stuck-e", "fleet-stuck-f", "fleet-stuck-g", "fleet-stuck-h"}) {
    add("apig", id, "success", stuck);
  }
  add("apig", "f-retry-once", "steady", 0);
  add("clouddc", "dc-running", "steady", 0);
  add("clouddc", "dc-fail", "fail", 0);

  auto status = [](int code, const char* id) {
    return json{{"kind", "status"}, {"status", code}, {"instance_id", id}};
  };
  json faults = json::array({
      status(400, "f-400"),
      status(403, "f-403"),
      status(429, "f-429"),
      status(500, "f-500"),
      status(503, "f-503"),
      status(500, "f-dc-500"),
      json{{"kind", "malformed"}, {"instance_id", "f-malformed"}},
      json{{"kind", "truncated"}, {"instance_id", "f-truncated"}},
      json{{"kind", "slow"}, {"delay_ms", 5000}, {"instance_id", "f-slow"}},
      // Once only: the client's retry gets the real answer.
      json{{"kind", "status"}, {"status", 503}, {"instance_id", "f-retry-once"}, {"times", 1}},
  });
  return {{"project_id", std::string(kProject)},
          {"tokens", {std::string(kToken)}},
          {"access_keys", {{{"ak", std::string(kProfileAk)}, {"sk", std::string(kProfileSk)}}}},
          {"instances", instances},
          {"faults", faults}};
}

std::unique_ptr<Simulator> Simulator::start(const json& scenario) {
  const std::string bin = simulator_binary();
  std::unique_ptr<Simulator> sim(new Simulator());

  std::string dir_template = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  dir_template += "/hwinst-cpp-test-XXXXXX";
  std::vector<char> dir(dir_template.begin(), dir_template.end());
  dir.push_back('\0');
  if (::mkdtemp(dir.data()) == nullptr) fail("mkdtemp");
  sim->dir_ = dir.data();
  const std::string scenario_path = sim->dir_ + "/scenario.json";
  const std::string config_path = sim->dir_ + "/config.json";
  const std::string stderr_path = sim->dir_ + "/stderr.log";
  std::ofstream(scenario_path) << scenario.dump(2) << "\n";

  // O_CLOEXEC: the child gets only the ends dup2'd onto its 0, 1 and 2. Were it to inherit
  // the write end of its own stdin, closing ours would never reach EOF.
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) fail("pipe2");
  if (::pipe2(out, O_CLOEXEC) != 0) fail("pipe2");
  const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (err < 0) fail("open " + stderr_path);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  std::vector<std::string> args = {bin,           "sim",        "serve",       "--addr",
                                    "127.0.0.1:0", "--scenario", scenario_path, "--write-config",
                                    config_path};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawn(&sim->pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err);
  sim->stdin_fd_ = in[1];
  sim->stdout_fd_ = out[0];
  if (spawned != 0) {
    sim->pid_ = -1;
    errno = spawned;
    fail(std::string("cannot start ") + bin);
  }

  try {
    sim->base_url_ = read_line(sim->stdout_fd_, std::chrono::seconds(60));
    // Written before the URL was printed.
    sim->config_ = json::parse(read_file(config_path));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("hwinst sim serve: ") + e.what() +
                             "\nits stderr:\n" + read_file(stderr_path));
  }
  return sim;
}

Simulator::~Simulator() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);  // EOF on its stdin: the simulator stops
  if (pid_ > 0) {
    int status = 0;
    // Bounded, so that a simulator that ignores its stdin cannot hang the test run.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    pid_t reaped = 0;
    while ((reaped = ::waitpid(pid_, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (reaped == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      ADD_FAILURE() << "the simulator did not stop when its stdin closed";
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ADD_FAILURE() << "the simulator ended with status " << status << ":\n"
                    << read_file(dir_ + "/stderr.log");
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  for (const char* file : {"/scenario.json", "/config.json", "/stderr.log"}) {
    ::unlink((dir_ + file).c_str());
  }
  if (!dir_.empty()) ::rmdir(dir_.c_str());
}

std::string Simulator::config_with(const json& patch) const {
  json config = config_;
  config.merge_patch({{"retry", {{"max_attempts", 1}}}});
  config.merge_patch(patch);
  return config.dump();
}

std::unique_ptr<Simulator> SimulatorTest::simulator_;
std::string SimulatorTest::start_error_;

void SimulatorTest::SetUpTestSuite() {
  start_error_.clear();
  try {
    simulator_ = Simulator::start(scenario());
  } catch (const std::exception& e) {
    start_error_ = e.what();
  }
}

void SimulatorTest::TearDownTestSuite() { simulator_.reset(); }

void SimulatorTest::SetUp() {
  ASSERT_TRUE(simulator_) << "the simulator did not start: " << start_error_;
  client_ = std::make_unique<hwinst::Client>(simulator_->config_with());
}

json parse(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << text;
  return doc;
}

void ScopedEnv::set(const std::string& name, const std::optional<std::string>& value) {
  if (saved_.count(name) == 0) {
    const char* old = std::getenv(name.c_str());
    saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
  }
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  for (const auto& [name, value] : saved_) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

ChainHost::ChainHost() {
  std::string dir_template = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  dir_template += "/hwinst-cpp-home-XXXXXX";
  std::vector<char> dir(dir_template.begin(), dir_template.end());
  dir.push_back('\0');
  if (::mkdtemp(dir.data()) == nullptr) fail("mkdtemp");
  home_ = dir.data();
  for (const char* name :
       {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HWINST_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION",
        "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HWINST_PROFILE",
        "HC_CONTAINER_CREDENTIALS_FULL_URI", "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"}) {
    set(name, std::nullopt);
  }
  set("HWINST_METADATA_ENDPOINT", "none");
  set("HOME", home_);
}

ChainHost::~ChainHost() {
  std::error_code ignored;
  std::filesystem::remove_all(home_, ignored);
}

void ChainHost::write(const std::string& relative, const std::string& text) const {
  const std::filesystem::path path = std::filesystem::path(home_) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path);
  file << text;
  if (!file.flush()) fail("write " + path.string());
}

bool is_request_id(const std::optional<std::string>& text) {
  if (!text || text->size() != 32) return false;
  for (char c : *text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace hwinst_test
