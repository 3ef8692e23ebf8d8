// show_instance: print a ROMA Connect instance's details as JSON.
//
//   ./show_instance config.json eddc4d25480b4cd6b512f270a1b8b341
//
// config.json is the client configuration, e.g.
//   {"region":"cn-north-4","project_id":"0a1b2c3d4e5f","credentials":{"token":"..."}}
//
// Exit status: 0 with the instance document on stdout; 1 for a usage error or an unreadable
// file; 2 if the configuration is refused; 3 if the call fails. Errors go to stderr.
#include <hwinst.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

// What went wrong, with what the service said when it answered.
static void print_error(const hwinst::Error& error) {
  std::cerr << "error: " << error.code_name() << ": " << error.what() << "\n";
  if (error.http_status()) std::cerr << "  http status: " << *error.http_status() << "\n";
  if (error.service_code()) std::cerr << "  service error: " << *error.service_code() << "\n";
  if (error.request_id()) std::cerr << "  request id: " << *error.request_id() << "\n";
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " CONFIG_FILE INSTANCE_ID\n";
    return 1;
  }
  std::ifstream file(argv[1]);
  std::stringstream config;
  if (!(config << file.rdbuf())) {
    std::cerr << argv[0] << ": cannot read " << argv[1] << "\n";
    return 1;
  }

  std::optional<hwinst::Client> client;
  try {
    client.emplace(config.str());
  } catch (const hwinst::Error& error) {
    print_error(error);
    return 2;
  }

  // The client may be shared by any number of threads; each call returns its own string.
  try {
    std::cout << client->roma_instance(argv[2]) << "\n";
  } catch (const hwinst::Error& error) {
    print_error(error);
    return 3;
  }
  return 0;
}
