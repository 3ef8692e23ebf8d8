// wait_for_instance: wait until an instance is running, printing each change.
//
//   ./wait_for_instance config.json apig eddc4d25480b4cd6b512f270a1b8b341
//   ./wait_for_instance config.json clouddc 5f1b... '{"timeout_ms":600000}'
//
// SOURCE is roma, roma-details, apig or clouddc. OPTIONS_JSON (optional) is the wait's
// options, e.g. {"until":["running"],"timeout_ms":1800000,"initial_interval_ms":2000}.
//
// Exit status: 0 with the final lifecycle document on stdout; 1 for a usage error or an
// unreadable file; 2 if the configuration is refused; 3 if the wait fails (the instance
// failed, the deadline passed, the call was refused, ...). Each change is printed on stderr
// as it happens, then any error.
#include <hwinst.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

static void print_error(const hwinst::Error& error) {
  std::cerr << "error: " << error.code_name() << ": " << error.what() << "\n";
  if (error.http_status()) std::cerr << "  http status: " << *error.http_status() << "\n";
  if (error.service_code()) std::cerr << "  service error: " << *error.service_code() << "\n";
  if (error.request_id()) std::cerr << "  request id: " << *error.request_id() << "\n";
  if (error.lifecycle()) std::cerr << "  last seen: " << *error.lifecycle() << "\n";
}

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: " << argv[0] << " CONFIG_FILE SOURCE INSTANCE_ID [OPTIONS_JSON]\n";
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

  int changes = 0;
  try {
    const std::string options = argc == 5 ? argv[4] : "";  // empty: the defaults
    // Called with the first lifecycle and every change; returning false would stop the wait.
    std::string done = client->wait(argv[2], argv[3], options, [&](std::string_view change) {
      std::cerr << "change " << ++changes << ": " << change << "\n";
      return true;
    });
    std::cout << done << "\n";
  } catch (const hwinst::Error& error) {
    print_error(error);
    return 3;
  }
  return 0;
}
