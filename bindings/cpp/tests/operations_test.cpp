// Every operation of hwinst::Client against the simulator, and the fields of what it returns.
#include <set>

#include "support.hpp"

namespace hwinst_test {
namespace {

class OperationsTest : public SimulatorTest {};

TEST_F(OperationsTest, VersionIsThePackagesVersion) {
  const std::string_view version = hwinst::version();
  EXPECT_EQ(version, HWINST_EXPECTED_VERSION);
  EXPECT_EQ(version, std::string_view(hwinst_version()));
}

TEST_F(OperationsTest, CodeNamesAreTheDocumentsNames) {
  EXPECT_EQ(hwinst::code_name(hwinst::Code::NotFound), "NOT_FOUND");
  EXPECT_EQ(hwinst::code_name(hwinst::Code::InstanceFailed), "INSTANCE_FAILED");
  EXPECT_EQ(hwinst::code_name(hwinst::Code::Panic), "PANIC");
  EXPECT_EQ(hwinst::code_name(static_cast<hwinst::Code>(999)), "UNKNOWN");
  EXPECT_EQ(static_cast<int>(hwinst::Code::Cancelled), HWINST_CANCELLED);
}

TEST_F(OperationsTest, RomaCreationProgress) {
  json running = parse(client().roma_creation_progress("roma-running"));
  EXPECT_EQ(running["instance_id"], "roma-running");
  EXPECT_EQ(running["progress"], 100);
  EXPECT_EQ(running["status"], "RUNNING");
  ASSERT_TRUE(running["item"].is_array());
  EXPECT_FALSE(running["item"].empty());

  json creating = parse(client().roma_creation_progress("roma-creating"));
  EXPECT_EQ(creating["progress"], 10);
  EXPECT_EQ(creating["status"], "CREATING");
}

TEST_F(OperationsTest, ApigCreationProgress) {
  json progress = parse(client().apig_creation_progress("apig-running"));
  EXPECT_EQ(progress["progress"], 100);
  EXPECT_EQ(progress["status"], "success");
  EXPECT_TRUE(progress.value("error_code", json()).is_null());
}

TEST_F(OperationsTest, RomaInstance) {
  json instance = parse(client().roma_instance("roma-running"));
  EXPECT_EQ(instance["id"], "roma-running");
  EXPECT_EQ(instance["status"], "Running");
  EXPECT_EQ(instance["instance_status"], 6);
  EXPECT_EQ(instance["project_id"], kProject);
}

TEST_F(OperationsTest, RomaListInstancesFirstPage) {
  // No query: NULL to C, the service's first page of every status.
  json page = parse(client().roma_list_instances());
  EXPECT_EQ(page["total"], roma_instances().size());
  EXPECT_EQ(page["size"], roma_instances().size());
  std::vector<std::string> ids;
  for (const auto& instance : page["instances"]) ids.push_back(instance["id"]);
  EXPECT_EQ(ids, roma_instances());
}

TEST_F(OperationsTest, RomaListInstancesWithQuery) {
  json page = parse(client().roma_list_instances(R"({"status":"RUNNING","limit":1})"));
  EXPECT_EQ(page["total"], 3);  // roma-running, roma-running-2, roma-threads
  EXPECT_EQ(page["size"], 1);
  ASSERT_EQ(page["instances"].size(), 1u);
  EXPECT_EQ(page["instances"][0]["id"], "roma-running");
  EXPECT_EQ(page["instances"][0]["status"], "RUNNING");

  json second = parse(client().roma_list_instances(R"({"status":"RUNNING","offset":1})"));
  EXPECT_EQ(second["size"], 2);
  EXPECT_EQ(second["instances"][0]["id"], "roma-running-2");
}

TEST_F(OperationsTest, RomaListAllInstancesPagesThroughEveryOne) {
  // Pages of 2: three requests for five instances.
  json all = parse(client().roma_list_all_instances(R"({"limit":2})"));
  EXPECT_EQ(all["total"], roma_instances().size());
  std::vector<std::string> ids;
  for (const auto& instance : all["instances"]) ids.push_back(instance["id"]);
  EXPECT_EQ(ids, roma_instances());

  json failed = parse(client().roma_list_all_instances(R"({"status":"CREATE_FAILED"})"));
  EXPECT_EQ(failed["total"], 1);
  EXPECT_EQ(failed["instances"][0]["id"], "roma-fail");
  EXPECT_EQ(failed["instances"][0]["error_code"], "ROMA.00110002");

  EXPECT_EQ(parse(client().roma_list_all_instances())["total"], roma_instances().size());
}

TEST_F(OperationsTest, CloudDcInstanceStatus) {
  json status = parse(client().clouddc_instance_status("dc-running"));
  EXPECT_EQ(status["state"], "running");
  EXPECT_EQ(status["operation_state"], "install-succeed");
}

TEST_F(OperationsTest, LifecycleFromEverySource) {
  struct Case {
    const char* source;
    const char* id;
    const char* status;
  };
  for (const Case& c : {Case{"roma", "roma-running", "RUNNING"},
                        Case{"roma-details", "roma-running", "Running"},
                        Case{"apig", "apig-running", "success"},
                        Case{"clouddc", "dc-running", "running"}}) {
    SCOPED_TRACE(c.source);
    json lifecycle = parse(client().lifecycle(c.source, c.id));
    EXPECT_EQ(lifecycle["source"], c.source);
    EXPECT_EQ(lifecycle["instance_id"], c.id);
    EXPECT_EQ(lifecycle["phase"], "running");
    EXPECT_EQ(lifecycle["terminal"], true);
    EXPECT_EQ(lifecycle["status"], c.status);
    EXPECT_TRUE(lifecycle["observed_at_ms"].is_number_integer());
  }
}

TEST_F(OperationsTest, LifecycleOfACreatingInstance) {
  json lifecycle = parse(client().lifecycle("roma", "roma-creating"));
  EXPECT_EQ(lifecycle["phase"], "creating");
  EXPECT_EQ(lifecycle["progress"], 10);
  EXPECT_EQ(lifecycle["terminal"], false);
}

TEST_F(OperationsTest, LifecycleOfAFailedInstanceIsAResultNotAnError) {
  json lifecycle = parse(client().lifecycle("clouddc", "dc-fail"));
  EXPECT_EQ(lifecycle["phase"], "failed");
  EXPECT_EQ(lifecycle["error"]["error_code"], "CLOUDDC.1001");
}

TEST_F(OperationsTest, TheRawHandleWorksWithTheCFunctions) {
  char* out = nullptr;
  ASSERT_EQ(hwinst_roma_instance(client().native_handle(), "roma-running", &out), HWINST_OK);
  EXPECT_EQ(parse(out)["id"], "roma-running");
  hwinst_string_free(out);
}

}  // namespace
}  // namespace hwinst_test
