// Client::wait_many: a fleet reaching running, a failure, stopping it from the callback or from
// another thread, a deadline, and targets refused before anything is sent. Whatever the
// outcome (argument errors excepted), the fleet document comes back: returned, or as the
// thrown Error's document().
#include <future>
#include <initializer_list>
#include <set>
#include <thread>
#include <utility>

#include "support.hpp"

namespace hwinst_test {
namespace {

using hwinst::Code;

constexpr const char* kFast = R"({"initial_interval_ms":10,"max_interval_ms":50})";

std::string targets(std::initializer_list<std::pair<const char*, const char*>> list) {
  json doc = json::array();
  for (const auto& [source, id] : list) doc.push_back({{"source", source}, {"instance_id", id}});
  return doc.dump();
}

// The fleet document's instances, checked to be in the order of `ids`.
json instances_of(const std::string& document, std::initializer_list<const char*> ids) {
  const json doc = parse(document);
  EXPECT_TRUE(doc.contains("requests")) << document;
  EXPECT_TRUE(doc.contains("elapsed_ms")) << document;
  const json instances = doc.value("instances", json::array());
  EXPECT_EQ(instances.size(), ids.size()) << document;
  std::size_t i = 0;
  for (const char* id : ids) {
    if (i < instances.size()) {
      EXPECT_EQ(instances[i]["instance_id"], id) << document;
    }
    ++i;
  }
  return instances;
}

class WaitManyTest : public SimulatorTest {};

TEST_F(WaitManyTest, TwoInstancesReachRunning) {
  std::vector<json> changes;
  const std::string done = client().wait_many(
      targets({{"apig", "fleet-apig"}, {"clouddc", "fleet-dc"}}), kFast,
      [&](std::string_view change) {
        changes.push_back(parse(change));
        return true;
      });
  const json instances = instances_of(done, {"fleet-apig", "fleet-dc"});
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["source"], "apig");
  EXPECT_EQ(instances[1]["source"], "clouddc");
  for (const json& instance : instances) {
    EXPECT_EQ(instance["outcome"], "reached") << instance;
    EXPECT_EQ(instance["lifecycle"]["phase"], "running") << instance;
    EXPECT_TRUE(instance["error"].is_null()) << instance;
    EXPECT_GE(instance["polls"].get<int>(), 1) << instance;
  }
  // One first document per instance at least, each naming its instance.
  ASSERT_GE(changes.size(), 2u);
  std::set<std::string> seen;
  for (const json& change : changes) seen.insert(change["instance_id"].get<std::string>());
  EXPECT_EQ(seen, (std::set<std::string>{"fleet-apig", "fleet-dc"}));
}

// One ROMA instance as two targets, read through the batched list: each change document's
// "target" says which target it concerns, while its own "source" says "roma-list".
TEST_F(WaitManyTest, ChangesNameTheirTargetWhenOneRomaInstanceIsTwo) {
  std::vector<json> changes;
  const std::string done = client().wait_many(
      targets({{"roma", "roma-running"}, {"roma-details", "roma-running"}}),
      R"({"initial_interval_ms":10,"max_interval_ms":50,"batch_roma":true})",
      [&](std::string_view change) {
        changes.push_back(parse(change));
        return true;
      });
  const json instances = instances_of(done, {"roma-running", "roma-running"});
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[1]["source"], "roma-details");
  std::set<std::size_t> indices;
  for (const json& change : changes) {
    const std::size_t index = change["target"]["index"].get<std::size_t>();
    ASSERT_LT(index, 2u) << change;
    EXPECT_EQ(change["target"]["source"], index == 0 ? "roma" : "roma-details") << change;
    EXPECT_EQ(change["target"]["instance_id"], "roma-running") << change;
    EXPECT_EQ(change["source"], "roma-list") << change;
    indices.insert(index);
  }
  EXPECT_EQ(indices, (std::set<std::size_t>{0, 1}));
}

TEST_F(WaitManyTest, WithoutOptionsOrCallback) {
  const json instances = instances_of(client().wait_many(targets({{"apig", "fleet-apig"}})),
                                      {"fleet-apig"});
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0]["outcome"], "reached");
}

TEST_F(WaitManyTest, AFailedInstanceThrowsInstanceFailedWithTheFleetDocument) {
  const auto error = error_of([&] {
    return client().wait_many(targets({{"apig", "fleet-apig"}, {"apig", "fleet-fail"}}), kFast);
  });
  EXPECT_EQ(error.code(), Code::InstanceFailed) << error.document();
  const json instances = instances_of(error.document(), {"fleet-apig", "fleet-fail"});
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["outcome"], "reached");
  EXPECT_EQ(instances[1]["outcome"], "failed");
  EXPECT_EQ(instances[1]["lifecycle"]["phase"], "failed");
  // The Error's own fields are the failed instance's.
  EXPECT_NE(std::string(error.what()).find("fleet-fail"), std::string::npos) << error.what();
  ASSERT_TRUE(error.lifecycle().has_value());
  EXPECT_EQ(parse(*error.lifecycle())["instance_id"], "fleet-fail");
}

TEST_F(WaitManyTest, TheCallbackCancelsTheFleetWithFalse) {
  int calls = 0;
  const auto error = error_of([&] {
    return client().wait_many(targets({{"apig", "fleet-stuck-a"}, {"apig", "fleet-stuck-b"}}),
                              kFast, [&](std::string_view) {
                                ++calls;
                                return false;
                              });
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(error.code(), Code::Cancelled) << error.document();
  const json instances = instances_of(error.document(), {"fleet-stuck-a", "fleet-stuck-b"});
  for (const json& instance : instances) {
    EXPECT_NE(instance["outcome"], "reached") << instance;
  }
}

struct Boom {
  int value;
};

TEST_F(WaitManyTest, WhatTheCallbackThrowsComesOutOfWaitMany) {
  try {
    (void)client().wait_many(targets({{"apig", "fleet-stuck-c"}}), kFast,
                             [](std::string_view) -> bool { throw Boom{7}; });
    FAIL() << "nothing was thrown";
  } catch (const Boom& boom) {
    EXPECT_EQ(boom.value, 7);
  }
  EXPECT_EQ(parse(client().lifecycle("apig", "fleet-stuck-c"))["phase"], "creating");
}

TEST_F(WaitManyTest, ACancelTokenStopsItFromAnotherThread) {
  const hwinst::CancelToken token;
  std::promise<void> first_change;
  std::exception_ptr outcome;
  int calls = 0;
  std::thread waiter([&] {
    try {
      (void)client().wait_many(targets({{"apig", "fleet-stuck-d"}, {"apig", "fleet-stuck-e"}}),
                               kFast,
                               [&](std::string_view) {
                                 if (++calls == 1) first_change.set_value();
                                 return true;
                               },
                               token);
    } catch (...) {
      outcome = std::current_exception();
    }
  });
  // Without the token the fleet would be polled for 30 minutes (the default deadline).
  first_change.get_future().wait();
  token.cancel();
  waiter.join();

  ASSERT_TRUE(outcome) << "the wait returned without being cancelled";
  try {
    std::rethrow_exception(outcome);
  } catch (const hwinst::Error& error) {
    EXPECT_EQ(error.code(), Code::Cancelled) << error.document();
    const json instances = instances_of(error.document(), {"fleet-stuck-d", "fleet-stuck-e"});
    for (const json& instance : instances) {
      EXPECT_EQ(instance["outcome"], "cancelled") << instance;
    }
  }
  EXPECT_GE(calls, 1);
}

TEST_F(WaitManyTest, AMovedFromTokenIsRefused) {
  hwinst::CancelToken token;
  const hwinst::CancelToken other = std::move(token);
  const auto error = error_of([&] {
    return client().wait_many(targets({{"apig", "fleet-stuck-f"}}), kFast, nullptr, token);
  });
  EXPECT_EQ(error.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(error.what()).find("moved from"), std::string::npos) << error.what();
}

TEST_F(WaitManyTest, TheDeadlineIsTimeoutWithTheFleetDocument) {
  const auto error = error_of([&] {
    // Another service: with the default budget (0.5 requests/s per service) a second APIG
    // instance would get its first poll only after the deadline.
    return client().wait_many(targets({{"apig", "fleet-stuck-g"}, {"clouddc", "fleet-dc"}}),
                              R"({"timeout_ms":500,"initial_interval_ms":10,)"
                              R"("max_interval_ms":20})");
  });
  EXPECT_EQ(error.code(), Code::Timeout) << error.document();
  const json instances = instances_of(error.document(), {"fleet-stuck-g", "fleet-dc"});
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["outcome"], "timeout");
  EXPECT_EQ(instances[1]["outcome"], "reached");
}

TEST_F(WaitManyTest, BadTargetsAndOptionsAreInvalidArgument) {
  const std::string ok = targets({{"apig", "fleet-stuck-h"}});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[{\"source\":", ""},
      {"[]", ""},
      {"{}", ""},
      {targets({{"nosuch", "fleet-stuck-h"}}), ""},
      {targets({{"apig", "../etc"}}), ""},
      {targets({{"apig", "fleet-stuck-h"}, {"apig", "fleet-stuck-h"}}), ""},
      {R"([{"source":"apig","instance_id":"fleet-stuck-h","extra":1}])", ""},
      {ok, R"({"nosuch":1})"},
      {ok, R"({"mode":"some"})"},
      {ok, "not json"},
      {std::string("[\0]", 3), ""},
  };
  for (const auto& [t, options] : cases) {
    const auto error = error_of([&] { return client().wait_many(t, options); });
    EXPECT_EQ(error.code(), Code::InvalidArgument) << t << " " << options << ": "
                                                   << error.document();
    // The usual error document, not a fleet document.
    const json doc = parse(error.document());
    EXPECT_EQ(doc["code"], "INVALID_ARGUMENT") << error.document();
    EXPECT_FALSE(doc.contains("instances")) << error.document();
    EXPECT_FALSE(std::string(error.what()).empty());
  }
}

}  // namespace
}  // namespace hwinst_test
