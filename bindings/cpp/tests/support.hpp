// What the tests share: the simulator (`hwinst sim serve`, as a child process), its scenario,
// and helpers to read JSON and check errors.
#pragma once

#include <gtest/gtest.h>
#include <hwinst.hpp>
#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwinst_test {

using nlohmann::json;

// The scenario's project and token (the simulator's defaults).
inline constexpr std::string_view kProject = "0a1b2c3d4e5f";
inline constexpr std::string_view kToken = "sim-token";
// The scenario's only access key (in place of the simulator's default sim-ak): a signed
// request it accepts was signed with this one, so a test knows where a client found it.
inline constexpr std::string_view kProfileAk = "CPPPROFILEAK00000001";
inline constexpr std::string_view kProfileSk = "cpp-profile-sk-s3cret";

// The ROMA instances of the scenario, in the order the simulator lists them.
inline const std::vector<std::string>& roma_instances() {
  static const std::vector<std::string> ids = {"roma-running", "roma-creating", "roma-fail",
                                               "roma-running-2", "roma-threads"};
  return ids;
}

// The scenario every test suite's simulator runs (docs/simulator.md, "Scenario"): one
// instance ID per test, faults matched by instance ID so that no test sees another's.
json scenario();

// `hwinst sim serve` in a child process: started with a pipe as its stdin (closing it stops
// the simulator), its base URL read from the first line of its stdout, and its client
// configuration from the file its --write-config wrote.
class Simulator {
 public:
  // Starts `$HWINST_BIN sim serve --addr 127.0.0.1:0 --scenario FILE --write-config FILE2`.
  // Throws std::runtime_error saying what failed (with the simulator's stderr).
  static std::unique_ptr<Simulator> start(const json& scenario);
  // Closes its stdin, reaps it, removes its files; a failure to stop is reported to gtest.
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  const std::string& base_url() const { return base_url_; }
  // The configuration the simulator wrote: every endpoint at it, its project and token.
  const json& config() const { return config_; }
  // config() with `patch` merged in (RFC 7396), as text. Retries are off unless the patch
  // sets them: most tests check what one answer gives.
  std::string config_with(const json& patch = json::object()) const;

 private:
  Simulator() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string dir_;
  std::string base_url_;
  json config_;
};

// A fixture with one simulator for the whole test suite and a client of it (no retries).
class SimulatorTest : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  void SetUp() override;
  static Simulator& sim() { return *simulator_; }
  hwinst::Client& client() { return *client_; }

 private:
  static std::unique_ptr<Simulator> simulator_;
  static std::string start_error_;
  std::unique_ptr<hwinst::Client> client_;
};

// Sets environment variables for one test and puts back what was there. Each test runs in a
// process of its own under ctest, and no other thread runs while these do.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  // Sets `name` to `value`, or unsets it (nullopt).
  void set(const std::string& name, const std::optional<std::string>& value);
  ~ScopedEnv();

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// A host of its own for the default credential chain, for one test: HOME a new temporary
// directory, none of the chain's variables (credentials, profile file, KooCLI profile, pod
// identity, project, region), and HWINST_METADATA_ENDPOINT=none, so that a client made
// without credentials never reads the developer's ~/.huaweicloud or ~/.hcloud and never asks
// 169.254.169.254. Everything is put back, and the directory removed, when it goes.
class ChainHost : public ScopedEnv {
 public:
  ChainHost();
  ~ChainHost();
  const std::string& home() const { return home_; }
  // Writes `text` to HOME/`relative`, making its directories.
  void write(const std::string& relative, const std::string& text) const;

 private:
  std::string home_;
};

// Parses a document that must be JSON (a test failure otherwise).
json parse(std::string_view text);

// Runs `call`, which must throw hwinst::Error, and returns it; an assertion failure (with
// what came out instead) otherwise.
template <typename Call>
hwinst::Error error_of(Call&& call) {
  try {
    (void)call();
  } catch (const hwinst::Error& error) {
    return error;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected hwinst::Error, got another exception: " << other.what();
  }
  ADD_FAILURE() << "expected hwinst::Error, nothing was thrown";
  return hwinst::Error(hwinst::Code::Ok, "{}");
}

// Whether `text` is a request ID as the simulator writes them: 32 hex digits.
bool is_request_id(const std::optional<std::string>& text);

}  // namespace hwinst_test
