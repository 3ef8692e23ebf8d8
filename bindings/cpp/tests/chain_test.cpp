// hwinst::Client without credentials in its configuration: the default credential chain
// finds them, here in a profile file of a temporary HOME, or in the ECS metadata service
// named alone (the simulator's). Every test runs in a host of its own (ChainHost), so none
// reads the developer's files or asks 169.254.169.254.
#include "support.hpp"

namespace hwinst_test {
namespace {

using hwinst::Code;

class ChainTest : public SimulatorTest {
 protected:
  // The simulator's configuration without credentials, without retries.
  json config_without_credentials() const {
    json config = parse(sim().config_with());
    config.erase("credentials");
    return config;
  }
  ChainHost host_;
};

TEST_F(ChainTest, AProfileFileInHomeGivesTheCredentialsAndProject) {
  host_.write(".huaweicloud/credentials",
              "[basic]\nak = " + std::string(kProfileAk) + "\nsk = " + std::string(kProfileSk) +
                  "\nproject_id = " + std::string(kProject) + "\n");
  json config = config_without_credentials();
  config.erase("project_id");  // the profile file's
  const hwinst::Client client(config.dump());
  // The simulator accepts no other access key: the call was signed with the profile's.
  EXPECT_EQ(parse(client.apig_creation_progress("apig-running"))["progress"], 100);
  EXPECT_EQ(parse(client.roma_instance("roma-running"))["id"], "roma-running");
}

TEST_F(ChainTest, ABrokenProfileFileIsConfigNamingIt) {
  host_.write(".huaweicloud/credentials", "[basic]\nak = " + std::string(kProfileAk) + "\n");
  const auto error = error_of([&] { return hwinst::Client(config_without_credentials().dump()); });
  EXPECT_EQ(error.code(), Code::Config) << error.document();
  EXPECT_NE(std::string(error.what()).find(".huaweicloud/credentials"), std::string::npos)
      << error.what();
}

TEST_F(ChainTest, TheMetadataServiceNamedAlone) {
  json config = config_without_credentials();
  config["credentials"] = {{"metadata", json::object()}};
  config["endpoints"]["metadata"] = sim().base_url();
  // endpoints.metadata wins over HWINST_METADATA_ENDPOINT=none.
  const hwinst::Client client(config.dump());
  EXPECT_EQ(parse(client.apig_creation_progress("apig-running"))["progress"], 100);
  EXPECT_EQ(parse(client.clouddc_instance_status("dc-running"))["state"], "running");

  // Without endpoints.metadata, the variable turns it off: named alone, an error saying so.
  config["endpoints"].erase("metadata");
  const auto error = error_of([&] { return hwinst::Client(config.dump()); });
  EXPECT_EQ(error.code(), Code::Config) << error.document();
  EXPECT_NE(std::string(error.what()).find("HWINST_METADATA_ENDPOINT=none"), std::string::npos)
      << error.what();
}

}  // namespace
}  // namespace hwinst_test
