// hwinst::Client as an object: moves, sharing between threads, strings C cannot take, and a
// client from the environment.
#include <atomic>
#include <thread>

#include "support.hpp"

namespace hwinst_test {
namespace {

using hwinst::Code;
using namespace std::string_literals;

class ObjectsTest : public SimulatorTest {};

void expect_moved_from(const hwinst::Client& client) {
  EXPECT_FALSE(client);
  EXPECT_EQ(client.native_handle(), nullptr);
  const auto error = error_of([&] { return client.roma_instance("roma-running"); });
  EXPECT_EQ(error.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(error.what()).find("moved from"), std::string::npos) << error.what();
  EXPECT_EQ(parse(error.document())["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(error_of([&] { return client.wait("apig", "apig-running"); }).code(),
            Code::InvalidArgument);
}

TEST_F(ObjectsTest, MoveConstruction) {
  hwinst::Client source(sim().config_with());
  const hwinst::Client target(std::move(source));
  EXPECT_TRUE(target);
  EXPECT_EQ(parse(target.roma_instance("roma-running"))["id"], "roma-running");
  expect_moved_from(source);  // NOLINT(bugprone-use-after-move): what is tested
}

TEST_F(ObjectsTest, MoveAssignmentFreesTheOldClient) {
  hwinst::Client source(sim().config_with());
  hwinst::Client target(sim().config_with());
  const hwinst_client* moved = source.native_handle();
  target = std::move(source);  // target's own client is freed (ASan reports it otherwise)
  EXPECT_EQ(target.native_handle(), moved);
  EXPECT_EQ(parse(target.apig_creation_progress("apig-running"))["progress"], 100);
  expect_moved_from(source);  // NOLINT(bugprone-use-after-move): what is tested

  // A moved-from client can be assigned to again.
  source = hwinst::Client(sim().config_with());
  EXPECT_EQ(parse(source.clouddc_instance_status("dc-running"))["state"], "running");
}

TEST_F(ObjectsTest, SelfMoveKeepsTheClient) {
  hwinst::Client client(sim().config_with());
  const hwinst_client* handle = client.native_handle();
  hwinst::Client& alias = client;  // through a reference: compilers warn about the obvious one
  client = std::move(alias);
  EXPECT_EQ(client.native_handle(), handle);
  EXPECT_EQ(parse(client.roma_instance("roma-running"))["id"], "roma-running");
}

TEST_F(ObjectsTest, EightThreadsShareOneClient) {
  const hwinst::Client shared(sim().config_with());
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  std::atomic<int> good{0};
  std::atomic<int> not_found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        // Each thread and round its own mix of operations.
        switch ((t + round) % 4) {
          case 0:
            if (parse(shared.roma_instance("roma-threads"))["id"] == "roma-threads") ++good;
            break;
          case 1:
            if (parse(shared.apig_creation_progress("apig-threads"))["progress"] == 100) ++good;
            break;
          case 2:
            if (parse(shared.lifecycle("roma", "roma-threads"))["phase"] == "running") ++good;
            break;
          default:
            if (parse(shared.roma_list_instances(R"({"limit":2})"))["size"] == 2) ++good;
            break;
        }
        try {
          (void)shared.roma_instance("no-such-" + std::to_string(t));
        } catch (const hwinst::Error& error) {
          if (error.code() == Code::NotFound && is_request_id(error.request_id())) ++not_found;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), kThreads * kRounds);
  EXPECT_EQ(not_found.load(), kThreads * kRounds);
}

TEST_F(ObjectsTest, StringsWithANulByteAreRefused) {
  // Truncated at the NUL, the ID would name an instance that exists.
  const std::string id = "roma-running\0; other"s;
  const auto error = error_of([&] { return client().roma_instance(id); });
  EXPECT_EQ(error.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(error.what()).find("instance_id"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("offset 12"), std::string::npos) << error.what();
  EXPECT_FALSE(error.http_status().has_value());

  const std::string nul = "\0"s;
  EXPECT_EQ(error_of([&] { return client().lifecycle("apig" + nul, "apig-running"); }).code(),
            Code::InvalidArgument);
  EXPECT_EQ(error_of([&] { return client().roma_list_instances("{}" + nul); }).code(),
            Code::InvalidArgument);
  EXPECT_EQ(error_of([&] { return client().wait("apig", "apig-running", "{}" + nul); }).code(),
            Code::InvalidArgument);

  // The configuration's text is not quoted back: it may hold credentials.
  const std::string config = sim().config_with() + nul + "secret-after-nul";
  const auto refused = error_of([&] { return hwinst::Client(config); });
  EXPECT_EQ(refused.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(refused.what()).find("config_json"), std::string::npos);
  EXPECT_EQ(refused.document().find("secret"), std::string::npos);
  EXPECT_EQ(refused.document().find(std::string(kToken)), std::string::npos);
}

// Every variable hwinst_client_from_env reads for the scenario's region, and the proxy ones
// (the simulator is on loopback).
const char* const kEnvVariables[] = {
    "HWINST_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION", "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HUAWEICLOUD_SDK_REGION_ROMA_CN_NORTH_4", "HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4",
    "HUAWEICLOUD_SDK_REGION_CLOUDDC_CN_NORTH_4", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
    "http_proxy", "ALL_PROXY", "all_proxy"};

// The environment tests run in a host of their own (ChainHost: a temporary HOME, the
// metadata service off), as from_env() falls back to the default chain.
class FromEnvTest : public SimulatorTest {
 protected:
  void SetUp() override {
    SimulatorTest::SetUp();
    for (const char* name : kEnvVariables) env_.set(name, std::nullopt);
  }
  ChainHost env_;
};

TEST_F(FromEnvTest, AClientFromTheEnvironment) {
  env_.set("HWINST_TOKEN", std::string(kToken));
  env_.set("HUAWEICLOUD_SDK_PROJECT_ID", std::string(kProject));
  env_.set("HUAWEICLOUD_SDK_REGION", "cn-north-4");
  for (const char* service : {"ROMA", "APIG", "CLOUDDC"}) {
    env_.set("HUAWEICLOUD_SDK_REGION_"s + service + "_CN_NORTH_4", sim().base_url());
  }
  const hwinst::Client client = hwinst::Client::from_env();
  EXPECT_EQ(parse(client.apig_creation_progress("apig-env"))["progress"], 100);
  EXPECT_EQ(parse(client.roma_instance("roma-running"))["id"], "roma-running");
}

TEST_F(FromEnvTest, AnEmptyEnvironmentIsConfig) {
  const auto error = error_of([] { return hwinst::Client::from_env(); });
  EXPECT_EQ(error.code(), Code::Config) << error.document();
  // The chain found nothing either, and says where it looked.
  EXPECT_NE(std::string(error.what()).find("~/.huaweicloud/credentials: no such file"),
            std::string::npos)
      << error.what();
}

TEST_F(FromEnvTest, WithoutCredentialsThereTheChainFindsThem) {
  env_.set("HUAWEICLOUD_SDK_PROJECT_ID", std::string(kProject));
  env_.set("HUAWEICLOUD_SDK_REGION", "cn-north-4");
  env_.set("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", sim().base_url());
  // The ECS metadata service, last in the chain: the simulator's.
  env_.set("HWINST_METADATA_ENDPOINT", sim().base_url());
  const hwinst::Client from_metadata = hwinst::Client::from_env();
  EXPECT_EQ(parse(from_metadata.apig_creation_progress("apig-env"))["progress"], 100);
  // The profile file comes before it.
  env_.set("HWINST_METADATA_ENDPOINT", "none");
  env_.write(".huaweicloud/credentials", "[basic]\nak = " + std::string(kProfileAk) +
                                             "\nsk = " + std::string(kProfileSk) + "\n");
  const hwinst::Client from_profile = hwinst::Client::from_env();
  EXPECT_EQ(parse(from_profile.apig_creation_progress("apig-env"))["progress"], 100);
}

TEST_F(FromEnvTest, ConflictingCredentialsAreConfigAndNotShown) {
  env_.set("HWINST_TOKEN", "env-s3cret-token");
  env_.set("HUAWEICLOUD_SDK_AK", "env-ak");
  env_.set("HUAWEICLOUD_SDK_SK", "env-s3cret-sk");
  env_.set("HUAWEICLOUD_SDK_REGION", "cn-north-4");
  const auto error = error_of([] { return hwinst::Client::from_env(); });
  EXPECT_EQ(error.code(), Code::Config) << error.document();
  EXPECT_NE(std::string(error.what()).find("HWINST_TOKEN"), std::string::npos) << error.what();
  EXPECT_EQ(error.document().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace hwinst_test
