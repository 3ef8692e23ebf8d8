// Client::wait: progress through the callback, stopping it from the callback or from another
// thread, and exceptions thrown by the callback.
#include <future>
#include <thread>

#include "support.hpp"

namespace hwinst_test {
namespace {

using hwinst::Code;

// Short intervals: the simulator answers at once, and its instances move every second.
constexpr const char* kFast = R"({"initial_interval_ms":10,"max_interval_ms":50})";

class WaitTest : public SimulatorTest {};

// First in its suite: the instance's five steps start with the suite's simulator.
TEST_F(WaitTest, ReportsProgressUntilRunning) {
  std::vector<json> changes;
  const std::string done = client().wait("apig", "apig-progress", kFast, [&](std::string_view c) {
    changes.push_back(parse(c));
    return true;
  });
  ASSERT_GE(changes.size(), 2u) << "the wait saw the instance at one step only";
  for (std::size_t i = 1; i < changes.size(); ++i) {
    EXPECT_GT(changes[i]["progress"], changes[i - 1]["progress"]) << "change " << i;
  }
  EXPECT_EQ(changes.front()["phase"], "creating");
  json last = parse(done);
  EXPECT_EQ(last["phase"], "running");
  EXPECT_EQ(last["progress"], 100);
  EXPECT_EQ(changes.back()["phase"], "running");
  EXPECT_EQ(changes.back()["progress"], 100);
}

TEST_F(WaitTest, WithoutACallback) {
  EXPECT_EQ(parse(client().wait("clouddc", "dc-running"))["phase"], "running");
  EXPECT_EQ(parse(client().wait("roma-details", "roma-running", kFast, nullptr))["phase"],
            "running");
}

TEST_F(WaitTest, UntilAnotherPhase) {
  json done = parse(client().wait("roma", "roma-creating", R"({"until":["creating"]})"));
  EXPECT_EQ(done["phase"], "creating");
}

TEST_F(WaitTest, TheCallbackStopsItWithFalse) {
  int calls = 0;
  const auto error = error_of([&] {
    return client().wait("apig", "apig-stuck-stop", kFast, [&](std::string_view) {
      ++calls;
      return false;
    });
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(error.code(), Code::Cancelled) << error.document();
  ASSERT_TRUE(error.lifecycle().has_value());
  EXPECT_EQ(parse(*error.lifecycle())["progress"], 30);
  EXPECT_EQ(parse(*error.lifecycle())["phase"], "creating");
}

// Not derived from std::exception: whatever is thrown comes out as it was.
struct Boom {
  int value;
};

TEST_F(WaitTest, WhatTheCallbackThrowsComesOutOfWait) {
  int calls = 0;
  try {
    (void)client().wait("apig", "apig-stuck-throw", kFast, [&](std::string_view) -> bool {
      ++calls;
      throw Boom{42};
    });
    FAIL() << "nothing was thrown";
  } catch (const Boom& boom) {
    EXPECT_EQ(boom.value, 42);
  }
  EXPECT_EQ(calls, 1);
  // The client is unharmed.
  EXPECT_EQ(parse(client().apig_creation_progress("apig-stuck-throw"))["progress"], 30);
}

TEST_F(WaitTest, AStdExceptionFromTheCallbackIsNotTurnedIntoAnError) {
  struct Mine : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  try {
    (void)client().wait("apig", "apig-stuck-throw-std", kFast,
                        [](std::string_view) -> bool { throw Mine("from the callback"); });
    FAIL() << "nothing was thrown";
  } catch (const hwinst::Error& error) {
    FAIL() << "the callback's exception became hwinst::Error: " << error.document();
  } catch (const Mine& mine) {
    EXPECT_STREQ(mine.what(), "from the callback");
  }
  EXPECT_EQ(parse(client().lifecycle("apig", "apig-stuck-throw-std"))["phase"], "creating");
}

TEST_F(WaitTest, TheCallbackMayCallTheClient) {
  std::string seen;
  const auto error = error_of([&] {
    return client().wait("apig", "apig-stuck-reentrant", kFast, [&](std::string_view) {
      seen = client().roma_instance("roma-running");
      return false;
    });
  });
  EXPECT_EQ(error.code(), Code::Cancelled);
  EXPECT_EQ(parse(seen)["id"], "roma-running");
}

TEST_F(WaitTest, ACancelTokenStopsItFromAnotherThread) {
  const hwinst::CancelToken token;
  std::promise<void> first_change;
  std::exception_ptr outcome;
  int calls = 0;
  std::thread waiter([&] {
    try {
      (void)client().wait("apig", "apig-stuck-token", kFast,
                          [&](std::string_view) {
                            if (++calls == 1) first_change.set_value();
                            return true;
                          },
                          token);
    } catch (...) {
      outcome = std::current_exception();
    }
  });
  // Without the token the wait would poll for 30 minutes (the default deadline).
  first_change.get_future().wait();
  token.cancel();
  waiter.join();

  ASSERT_TRUE(outcome) << "the wait returned without being cancelled";
  try {
    std::rethrow_exception(outcome);
  } catch (const hwinst::Error& error) {
    EXPECT_EQ(error.code(), Code::Cancelled) << error.document();
    ASSERT_TRUE(error.lifecycle().has_value());
    EXPECT_EQ(parse(*error.lifecycle())["instance_id"], "apig-stuck-token");
  }
  EXPECT_EQ(calls, 1);
}

TEST_F(WaitTest, ATokenCancelledBeforehandStopsItBeforeTheFirstPoll) {
  const hwinst::CancelToken token;
  token.cancel();
  token.cancel();  // idempotent
  int calls = 0;
  const auto error = error_of([&] {
    return client().wait("apig", "apig-stuck-token-early", kFast,
                         [&](std::string_view) { return ++calls > 0; }, token);
  });
  EXPECT_EQ(error.code(), Code::Cancelled) << error.document();
  EXPECT_FALSE(error.lifecycle().has_value());
  EXPECT_EQ(calls, 0);
}

TEST_F(WaitTest, AMovedFromTokenIsRefused) {
  hwinst::CancelToken token;
  const hwinst::CancelToken other = std::move(token);
  EXPECT_FALSE(token);  // NOLINT(bugprone-use-after-move): what is tested
  EXPECT_TRUE(other);
  token.cancel();  // a no-op
  const auto error = error_of([&] {
    return client().wait("apig", "apig-stuck-moved-token", kFast, nullptr, token);
  });
  EXPECT_EQ(error.code(), Code::InvalidArgument);
  EXPECT_NE(std::string(error.what()).find("moved from"), std::string::npos) << error.what();

  // Move assignment, and self-move through a reference.
  hwinst::CancelToken third;
  third = std::move(token);
  EXPECT_FALSE(third);
  hwinst::CancelToken& alias = third;
  third = std::move(alias);
}

TEST_F(WaitTest, TheDeadlineIsTimeoutWithTheLastLifecycle) {
  const auto error = error_of([&] {
    return client().wait("apig", "apig-stuck-timeout",
                         R"({"timeout_ms":1000,"initial_interval_ms":10,"max_interval_ms":20})");
  });
  EXPECT_EQ(error.code(), Code::Timeout) << error.document();
  ASSERT_TRUE(error.lifecycle().has_value());
  EXPECT_EQ(parse(*error.lifecycle())["progress"], 30);
}

}  // namespace
}  // namespace hwinst_test
