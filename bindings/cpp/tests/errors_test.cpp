// Every error the simulator can produce, as hwinst::Error: its code, HTTP status, the
// service's error code and the request ID; and the errors refused before anything is sent.
#include "support.hpp"

namespace hwinst_test {
namespace {

using hwinst::Code;

class ErrorsTest : public SimulatorTest {};

// What every error answered by the service has.
void expect_service_error(const hwinst::Error& error, Code code, int status,
                          const char* service_code) {
  EXPECT_EQ(error.code(), code) << error.document();
  EXPECT_EQ(error.code_name(), hwinst::code_name(code));
  EXPECT_EQ(error.http_status(), status);
  EXPECT_EQ(error.service_code(), service_code);
  EXPECT_TRUE(error.service_message().has_value());
  EXPECT_TRUE(is_request_id(error.request_id())) << error.document();
  EXPECT_FALSE(error.lifecycle().has_value());
  json doc = parse(error.document());
  EXPECT_EQ(doc["code"], hwinst::code_name(code));
  EXPECT_EQ(doc["message"], error.what());
  EXPECT_EQ(doc["http_status"], status);
}

TEST_F(ErrorsTest, AWrongTokenIsUnauthorizedAndNeverShown) {
  const std::string secret = "wrong-s3cret-token-value";
  const hwinst::Client client(sim().config_with({{"credentials", {{"token", secret}}}}));
  const auto apig = error_of([&] { return client.apig_creation_progress("apig-running"); });
  expect_service_error(apig, Code::Unauthorized, 401, "APIC.7102");
  EXPECT_FALSE(apig.retryable());

  const auto list = error_of([&] { return client.roma_list_instances(); });
  expect_service_error(list, Code::Unauthorized, 401, "ROMA.00012000");
  const auto dc = error_of([&] { return client.clouddc_instance_status("dc-running"); });
  expect_service_error(dc, Code::Unauthorized, 401, "CLOUDDC.0401");

  for (const auto* error : {&apig, &list, &dc}) {
    EXPECT_EQ(std::string(error->what()).find(secret), std::string::npos);
    EXPECT_EQ(error->document().find(secret), std::string::npos);
  }
}

TEST_F(ErrorsTest, Forbidden) {
  const auto error = error_of([&] { return client().apig_creation_progress("f-403"); });
  expect_service_error(error, Code::Forbidden, 403, "APIC.7106");
}

TEST_F(ErrorsTest, NotFoundFromEveryService) {
  expect_service_error(error_of([&] { return client().apig_creation_progress("nope"); }),
                       Code::NotFound, 404, "APIC.7302");
  expect_service_error(error_of([&] { return client().roma_instance("nope"); }),
                       Code::NotFound, 404, "APIC.7302");
  expect_service_error(error_of([&] { return client().roma_creation_progress("nope"); }),
                       Code::NotFound, 404, "APIC.7302");
  expect_service_error(error_of([&] { return client().clouddc_instance_status("nope"); }),
                       Code::NotFound, 404, "CLOUDDC.0404");
  // Another service's instance is unknown to this one.
  expect_service_error(error_of([&] { return client().lifecycle("apig", "roma-running"); }),
                       Code::NotFound, 404, "APIC.7302");
}

TEST_F(ErrorsTest, ThrottledWithRetriesOff) {
  const auto error = error_of([&] { return client().apig_creation_progress("f-429"); });
  expect_service_error(error, Code::Throttled, 429, "SIM.0429");
  EXPECT_TRUE(error.retryable());
}

TEST_F(ErrorsTest, ServerErrors) {
  const auto e500 = error_of([&] { return client().roma_instance("f-500"); });
  expect_service_error(e500, Code::Server, 500, "APIC.9000");
  EXPECT_TRUE(e500.retryable());
  const auto e503 = error_of([&] { return client().apig_creation_progress("f-503"); });
  expect_service_error(e503, Code::Server, 503, "SIM.0503");
  EXPECT_TRUE(e503.retryable());
  expect_service_error(error_of([&] { return client().clouddc_instance_status("f-dc-500"); }),
                       Code::Server, 500, "CLOUDDC.0500");
}

TEST_F(ErrorsTest, ARetryGetsPastAOneOff503) {
  const hwinst::Client retrying(
      sim().config_with({{"retry", {{"max_attempts", 2}, {"base_delay_ms", 1}}}}));
  EXPECT_EQ(parse(retrying.apig_creation_progress("f-retry-once"))["progress"], 100);
}

TEST_F(ErrorsTest, OtherStatusesAreApi) {
  expect_service_error(error_of([&] { return client().apig_creation_progress("f-400"); }),
                       Code::Api, 400, "SIM.0400");
  // The simulator takes limits of 1 to 500 (0 never reaches it: the library refuses it).
  const auto list = error_of([&] { return client().roma_list_instances(R"({"limit":501})"); });
  expect_service_error(list, Code::Api, 400, "ROMA.00013000");
  EXPECT_FALSE(list.retryable());
}

TEST_F(ErrorsTest, AMalformedBodyIsDecode) {
  const auto error = error_of([&] { return client().roma_instance("f-malformed"); });
  EXPECT_EQ(error.code(), Code::Decode) << error.document();
  EXPECT_FALSE(error.http_status().has_value());  // a 200: no service error
  EXPECT_FALSE(error.service_code().has_value());
  EXPECT_FALSE(error.request_id().has_value());
  EXPECT_FALSE(error.retryable());
}

TEST_F(ErrorsTest, ATruncatedBodyIsTransport) {
  const auto error = error_of([&] { return client().apig_creation_progress("f-truncated"); });
  EXPECT_EQ(error.code(), Code::Transport) << error.document();
  EXPECT_FALSE(error.http_status().has_value());
  EXPECT_FALSE(error.service_code().has_value());
}

TEST_F(ErrorsTest, ASlowAnswerIsTimeout) {
  const hwinst::Client impatient(sim().config_with({{"timeouts_ms", {{"request", 200}}}}));
  const auto error = error_of([&] { return impatient.clouddc_instance_status("f-slow"); });
  EXPECT_EQ(error.code(), Code::Timeout) << error.document();
  EXPECT_FALSE(error.http_status().has_value());
}

TEST_F(ErrorsTest, UnsafeIdsAreRefusedBeforeSending) {
  for (const char* id : {"", "a/b", "..", "x%2F", "a b", "a?b"}) {
    SCOPED_TRACE(id);
    const auto error = error_of([&] { return client().roma_instance(id); });
    EXPECT_EQ(error.code(), Code::InvalidArgument) << error.document();
    EXPECT_FALSE(error.http_status().has_value());
    EXPECT_FALSE(error.request_id().has_value());
    EXPECT_FALSE(error.retryable());
  }
}

TEST_F(ErrorsTest, BadArgumentsAreInvalidArgument) {
  const auto query = error_of([&] { return client().roma_list_instances(R"({"state":"x"})"); });
  EXPECT_EQ(query.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(query.what()).find("state"), std::string::npos) << query.what();
  EXPECT_EQ(error_of([&] { return client().roma_list_instances("not json"); }).code(),
            Code::InvalidArgument);
  EXPECT_EQ(error_of([&] { return client().roma_list_instances(R"({"limit":0})"); }).code(),
            Code::InvalidArgument);
  EXPECT_EQ(error_of([&] { return client().lifecycle("nova", "roma-running"); }).code(),
            Code::InvalidArgument);
  EXPECT_EQ(error_of([&] { return client().wait("apig", "apig-running", R"({"timeout":1})"); })
                .code(),
            Code::InvalidArgument);
}

TEST_F(ErrorsTest, ABadConfigurationIsConfigAndShowsNoSecret) {
  const std::string secret = "s3cret-token-in-a-bad-config";
  json config = json::parse(sim().config_with({{"credentials", {{"token", secret}}}}));
  config["regoin"] = "cn-north-4";
  const auto unknown = error_of([&] { return hwinst::Client(config.dump()); });
  EXPECT_EQ(unknown.code(), Code::Config) << unknown.document();
  EXPECT_NE(std::string(unknown.what()).find("regoin"), std::string::npos) << unknown.what();
  EXPECT_EQ(unknown.document().find(secret), std::string::npos);

  {
    // Without credentials the default chain looks at the host: an empty one here (a
    // temporary HOME, no variables, the metadata service off).
    const ChainHost host;
    const auto no_credentials = error_of([] {
      return hwinst::Client(R"({"region":"cn-north-4","project_id":"p"})");
    });
    EXPECT_EQ(no_credentials.code(), Code::Config) << no_credentials.document();
    // It says where it looked.
    for (const char* source : {"HUAWEICLOUD_SDK_AK", "~/.huaweicloud/credentials: no such file",
                               "~/.hcloud/config.json", "HC_CONTAINER_CREDENTIALS_FULL_URI",
                               "HWINST_METADATA_ENDPOINT=none"}) {
      EXPECT_NE(std::string(no_credentials.what()).find(source), std::string::npos)
          << source << ": " << no_credentials.what();
    }
  }

  const auto not_json = error_of([] { return hwinst::Client("{region:"); });
  EXPECT_EQ(not_json.code(), Code::InvalidArgument) << not_json.document();
}

TEST_F(ErrorsTest, AFailedInstanceEndsTheWaitWithItsLifecycleAndServiceCode) {
  struct Case {
    const char* source;
    const char* id;
    const char* service_code;
  };
  for (const Case& c : {Case{"apig", "apig-fail", "APIG.9999"},
                        Case{"roma", "roma-fail", "ROMA.00110002"},
                        Case{"clouddc", "dc-fail", "CLOUDDC.1001"}}) {
    SCOPED_TRACE(c.source);
    const auto error = error_of([&] { return client().wait(c.source, c.id); });
    EXPECT_EQ(error.code(), Code::InstanceFailed) << error.document();
    EXPECT_EQ(error.service_code(), c.service_code);
    EXPECT_TRUE(error.service_message().has_value());
    EXPECT_FALSE(error.http_status().has_value());
    ASSERT_TRUE(error.lifecycle().has_value());
    json lifecycle = parse(*error.lifecycle());
    EXPECT_EQ(lifecycle["phase"], "failed");
    EXPECT_EQ(lifecycle["instance_id"], c.id);
    EXPECT_EQ(lifecycle["error"]["error_code"], c.service_code);
  }
}

TEST_F(ErrorsTest, AnErrorIsAStdExceptionThatCopiesItsDetails) {
  try {
    (void)client().roma_instance("nope");
    FAIL() << "no exception";
  } catch (const std::runtime_error& caught) {
    const auto* error = dynamic_cast<const hwinst::Error*>(&caught);
    ASSERT_NE(error, nullptr);
    const hwinst::Error copy = *error;
    EXPECT_STREQ(copy.what(), caught.what());
    EXPECT_EQ(copy.document(), error->document());
    EXPECT_EQ(copy.request_id(), error->request_id());
    static_assert(std::is_nothrow_copy_constructible_v<hwinst::Error>);
  }
}

TEST_F(ErrorsTest, AnErrorFromAnyDocument) {
  const hwinst::Error error(Code::Server, "not json at all");
  EXPECT_STREQ(error.what(), "not json at all");
  EXPECT_EQ(error.code_name(), "SERVER");
  EXPECT_FALSE(error.http_status().has_value());
  const hwinst::Error newer(static_cast<Code>(99), R"({"code":"FROM_THE_FUTURE","message":"m"})");
  EXPECT_EQ(newer.code_name(), "FROM_THE_FUTURE");
  EXPECT_STREQ(newer.what(), "m");
}

}  // namespace
}  // namespace hwinst_test
