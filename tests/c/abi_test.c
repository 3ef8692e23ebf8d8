/*
 * The C ABI, exercised from C: every exported function, every code reachable from C, NULL and
 * invalid UTF-8 in every parameter position, and one client shared by 8 threads.
 *
 * Run by tests/c_abi.rs, which serves the API with mockito and checks what this program
 * prints: one `DOC <label> <json>` line per document the library returned, so that the Rust
 * side can parse each one and check its fields (and that no document holds the token).
 *
 * usage: abi_test BASE_URL REFUSED_URL TOKEN VERSION THREAD_ITERATIONS
 *        abi_test leak BASE_URL TOKEN     (leaks one document on purpose: the sanitizer or
 *                                          Valgrind must fail the run)
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "hwinst.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* rmdir */

static int failures = 0;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                     \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
    }                                                                          \
  } while (0)

static const char *code_name(hwinst_code code) {
  static const char *names[] = {
      "OK",     "INVALID_ARGUMENT", "CONFIG",   "TRANSPORT", "TIMEOUT",
      "UNAUTHORIZED", "FORBIDDEN",  "NOT_FOUND", "THROTTLED", "SERVER",
      "API",    "DECODE",           "CANCELLED", "INSTANCE_FAILED", "PANIC"};
  if ((int)code < 0 || (size_t)code >= sizeof names / sizeof names[0]) {
    return "?";
  }
  return names[code];
}

/* Prints a document for the Rust side, then frees it. */
static void report(const char *label, hwinst_code code, char *doc) {
  printf("DOC %s %s %s\n", label, code_name(code), doc ? doc : "null");
  hwinst_string_free(doc);
}

/* Calls `op`'s result: checks the code, reports the document. */
static void expect_code(const char *label, hwinst_code got, hwinst_code want,
                        char *doc) {
  CHECK(got == want, "%s: got %s, want %s (%s)", label, code_name(got),
        code_name(want), doc ? doc : "no document");
  CHECK(doc != NULL, "%s: no document written", label);
  report(label, got, doc);
}

/* ---- the operations, as one table ------------------------------------- */

typedef hwinst_code (*instance_op)(const hwinst_client *, const char *,
                                   char **);

/* The list operation, called with the case name as its status filter: the mock answers
 * each status as the other operations answer the instance of that name. */
static hwinst_code list_op(const hwinst_client *client, const char *status,
                           char **out_json) {
  char query[256];
  if (status == NULL) {
    return hwinst_roma_list_instances(client, NULL, out_json);
  }
  snprintf(query, sizeof query, "{\"status\":\"%s\"}", status);
  return hwinst_roma_list_instances(client, query, out_json);
}

static const struct {
  const char *name;
  instance_op call;
  int takes_id; /* the list has no ID: no ID checks for it */
} OPS[] = {
    {"roma_creation_progress", hwinst_roma_creation_progress, 1},
    {"apig_creation_progress", hwinst_apig_creation_progress, 1},
    {"roma_instance", hwinst_roma_instance, 1},
    {"clouddc_instance_status", hwinst_clouddc_instance_status, 1},
    {"roma_list_instances", list_op, 0},
};
enum { N_OPS = sizeof OPS / sizeof OPS[0] };

/* Each case is an instance ID (or list status) the mock server answers in its own way. */
static const struct {
  const char *id;
  hwinst_code want;
} CASES[] = {
    {"inst-ok", HWINST_OK},
    {"inst-missing", HWINST_NOT_FOUND},
    {"inst-noauth", HWINST_UNAUTHORIZED},
    {"inst-denied", HWINST_FORBIDDEN},
    {"inst-throttled", HWINST_THROTTLED},
    {"inst-broken", HWINST_SERVER},
    {"inst-teapot", HWINST_API},
    {"inst-garbage", HWINST_DECODE},
};
enum { N_CASES = sizeof CASES / sizeof CASES[0] };

static hwinst_client *new_client(const char *config) {
  hwinst_client *client = NULL;
  char *error = NULL;
  hwinst_code code = hwinst_client_new(config, &client, &error);
  CHECK(code == HWINST_OK && client != NULL && error == NULL,
        "hwinst_client_new(%s): %s %s", config, code_name(code),
        error ? error : "");
  hwinst_string_free(error);
  return client;
}

static void config_for(char *buf, size_t size, const char *url,
                       const char *token, const char *extra) {
  snprintf(buf, size,
           "{\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"token\":\"%s\"},"
           "\"endpoints\":{\"roma\":\"%s\",\"apig\":\"%s\",\"clouddc\":\"%s\"},"
           "\"retry\":{\"base_delay_ms\":1,\"max_delay_ms\":5}%s}",
           token, url, url, url, extra);
}

/* ---- the host the default credential chain reads ---------------------- */

/* A client made without credentials looks for them on the host (the environment, the
 * profile file and KooCLI profile under HOME, CCE pod identity, the ECS metadata service at
 * 169.254.169.254). The whole program runs in a host of its own: HOME a new empty
 * directory, none of the chain's variables, and the metadata service turned off, so that
 * no developer's credentials are read and 169.254.169.254 is never asked. */
static char chain_home[4096];

static void isolate_chain(void) {
  static const char *VARS[] = {
      "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
      "HWINST_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION",
      "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
      "HWINST_PROFILE", "HC_CONTAINER_CREDENTIALS_FULL_URI",
      "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"};
  const char *tmp = getenv("TMPDIR");
  snprintf(chain_home, sizeof chain_home, "%s/hwinst-c-home-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(chain_home) == NULL) {
    perror("mkdtemp");
    exit(2);
  }
  for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
    unsetenv(VARS[i]);
  }
  setenv("HOME", chain_home, 1);
  setenv("HWINST_METADATA_ENDPOINT", "none", 1);
}

/* ---- hwinst_client_new ------------------------------------------------- */

static void test_client_new(const char *url, const char *token) {
  char config[1024];
  hwinst_client *client;
  char *error;
  hwinst_code code;
  static int sentinel;
  static const struct {
    const char *label;
    const char *config; /* %s: the token */
    hwinst_code want;
  } BAD[] = {
      {"new:not_json", "{\"region\":", HWINST_INVALID_ARGUMENT},
      {"new:not_utf8", "{\"region\":\"\xff\xfe\"}", HWINST_INVALID_ARGUMENT},
      {"new:unknown_key", "{\"regoin\":\"cn-north-4\"}", HWINST_CONFIG},
      {"new:unknown_nested_key",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"tokne\":\"%s\"}}",
       HWINST_CONFIG},
      {"new:bad_ca_file",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\"},"
       "\"ca_file\":\"/nonexistent/hwinst-ca.pem\"}",
       HWINST_CONFIG},
      {"new:bad_retry",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\"},"
       "\"retry\":{\"max_attempts\":0}}",
       HWINST_CONFIG},
      {"new:huge_timeout",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\"},"
       "\"timeouts_ms\":{\"request\":18446744073709551615}}",
       HWINST_CONFIG},
      {"new:ak_without_sk",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"ak\":\"AK\"}}",
       HWINST_CONFIG},
      {"new:token_and_ak",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\",\"ak\":\"AK\",\"sk\":\"SK\"}}",
       HWINST_CONFIG},
      {"new:no_credentials", "{\"region\":\"cn-north-4\",\"project_id\":\"p\"}",
       HWINST_CONFIG},
      {"new:bad_project",
       "{\"region\":\"cn-north-4\",\"project_id\":\"../p\",\"credentials\":{\"token\":\"%s\"}}",
       HWINST_CONFIG},
      {"new:wrong_type",
       "{\"region\":\"cn-north-4\",\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\"},"
       "\"allow_http\":\"%s\"}",
       HWINST_CONFIG},
      {"new:plain_http_remote",
       "{\"project_id\":\"p\",\"credentials\":{\"token\":\"%s\"},"
       "\"endpoints\":{\"roma\":\"http://example.com\"}}",
       HWINST_CONFIG},
  };

  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    snprintf(config, sizeof config, BAD[i].config, token, token);
    client = (hwinst_client *)&sentinel;
    error = NULL;
    code = hwinst_client_new(config, &client, &error);
    CHECK(client == NULL, "%s: *out_client not set to NULL", BAD[i].label);
    if (strcmp(BAD[i].label, "new:no_credentials") == 0) {
      /* The default chain found nothing in the empty host, and says where it looked. */
      CHECK(error != NULL &&
                strstr(error, "~/.huaweicloud/credentials: no such file") != NULL &&
                strstr(error, "HWINST_METADATA_ENDPOINT=none") != NULL,
            "%s: the sources are not listed: %s", BAD[i].label,
            error ? error : "no document");
    }
    expect_code(BAD[i].label, code, BAD[i].want, error);
  }

  /* NULL in each parameter position. */
  client = (hwinst_client *)&sentinel;
  error = NULL;
  code = hwinst_client_new(NULL, &client, &error);
  CHECK(client == NULL, "new:null_config: *out_client not set to NULL");
  expect_code("new:null_config", code, HWINST_INVALID_ARGUMENT, error);

  config_for(config, sizeof config, url, token, "");
  error = NULL;
  code = hwinst_client_new(config, NULL, &error);
  expect_code("new:null_out_client", code, HWINST_INVALID_ARGUMENT, error);

  /* out_error is optional, on failure and on success. */
  client = (hwinst_client *)&sentinel;
  code = hwinst_client_new("{\"regoin\":1}", &client, NULL);
  CHECK(code == HWINST_CONFIG && client == NULL, "new:null_out_error: %s",
        code_name(code));
  code = hwinst_client_new(config, &client, NULL);
  CHECK(code == HWINST_OK && client != NULL, "new:ok_null_out_error: %s",
        code_name(code));
  hwinst_client_free(client);

  /* Success clears *out_error. */
  client = NULL;
  error = (char *)&sentinel;
  code = hwinst_client_new(config, &client, &error);
  CHECK(code == HWINST_OK && client != NULL && error == NULL, "new:ok: %s",
        code_name(code));
  hwinst_client_free(client);

  /* Freeing NULL is a no-op. */
  hwinst_client_free(NULL);
  hwinst_string_free(NULL);
}

/* ---- the operations ---------------------------------------------------- */

static void test_arguments(const hwinst_client *client) {
  static const char *UNSAFE_IDS[] = {"", "../x", "a/b", "%2F", "..", "a\nb",
                                     "\xff\xfe"};
  char label[128];
  char *doc;
  hwinst_code code;

  for (size_t op = 0; op < N_OPS; op++) {
    snprintf(label, sizeof label, "%s:null_client", OPS[op].name);
    doc = NULL;
    code = OPS[op].call(NULL, "inst-ok", &doc);
    expect_code(label, code, HWINST_INVALID_ARGUMENT, doc);

    snprintf(label, sizeof label, "%s:null_out_json", OPS[op].name);
    code = OPS[op].call(client, "inst-ok", NULL);
    CHECK(code == HWINST_INVALID_ARGUMENT, "%s: %s", label, code_name(code));

    if (!OPS[op].takes_id) {
      continue;
    }
    snprintf(label, sizeof label, "%s:null_id", OPS[op].name);
    doc = NULL;
    code = OPS[op].call(client, NULL, &doc);
    expect_code(label, code, HWINST_INVALID_ARGUMENT, doc);

    for (size_t i = 0; i < sizeof UNSAFE_IDS / sizeof UNSAFE_IDS[0]; i++) {
      snprintf(label, sizeof label, "%s:unsafe_id_%zu", OPS[op].name, i);
      doc = NULL;
      code = OPS[op].call(client, UNSAFE_IDS[i], &doc);
      expect_code(label, code, HWINST_INVALID_ARGUMENT, doc);
    }
  }

  /* The list's query document. */
  static const struct {
    const char *label;
    const char *query;
  } BAD_QUERIES[] = {
      {"list:query_not_json", "{\"status\":"},
      {"list:query_not_utf8", "{\"status\":\"\xff\"}"},
      {"list:query_unknown_key", "{\"state\":\"RUNNING\"}"},
      {"list:query_negative_offset", "{\"offset\":-1}"},
      {"list:query_not_object", "[1,2]"},
  };
  for (size_t i = 0; i < sizeof BAD_QUERIES / sizeof BAD_QUERIES[0]; i++) {
    doc = NULL;
    code = hwinst_roma_list_instances(client, BAD_QUERIES[i].query, &doc);
    expect_code(BAD_QUERIES[i].label, code, HWINST_INVALID_ARGUMENT, doc);
  }
  doc = NULL;
  code = hwinst_roma_list_instances(
      client, "{\"status\":\"RUNNING\",\"offset\":0,\"limit\":10}", &doc);
  expect_code("list:query_full", code, HWINST_OK, doc);
}

static void test_answers(const hwinst_client *client) {
  char label[128];
  for (size_t op = 0; op < N_OPS; op++) {
    for (size_t c = 0; c < N_CASES; c++) {
      char *doc = NULL;
      hwinst_code code = OPS[op].call(client, CASES[c].id, &doc);
      snprintf(label, sizeof label, "%s:%s", OPS[op].name, CASES[c].id);
      expect_code(label, code, CASES[c].want, doc);
    }
  }
  char *doc = NULL;
  hwinst_code code = hwinst_roma_list_instances(client, NULL, &doc);
  expect_code("roma_list_instances:no_query", code, HWINST_OK, doc);
}

/* Codes that need a client of their own: a refused port, a short timeout, a service with no
 * endpoint. */
static void test_client_side_failures(const char *url, const char *refused,
                                      const char *token) {
  char config[1024];
  char label[128];
  char *doc;
  hwinst_code code;

  config_for(config, sizeof config, refused, token, "");
  hwinst_client *unreachable = new_client(config);
  for (size_t op = 0; op < N_OPS; op++) {
    snprintf(label, sizeof label, "%s:refused", OPS[op].name);
    doc = NULL;
    code = OPS[op].call(unreachable, "inst-ok", &doc);
    expect_code(label, code, HWINST_TRANSPORT, doc);
  }
  hwinst_client_free(unreachable);

  config_for(config, sizeof config, url, token,
             ",\"timeouts_ms\":{\"connect\":2000,\"request\":300}");
  hwinst_client *impatient = new_client(config);
  doc = NULL;
  code = hwinst_roma_instance(impatient, "inst-slow", &doc);
  expect_code("roma_instance:inst-slow", code, HWINST_TIMEOUT, doc);
  hwinst_client_free(impatient);

  snprintf(config, sizeof config,
           "{\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"token\":\"%s\"},"
           "\"endpoints\":{\"roma\":\"%s\"}}",
           token, url);
  hwinst_client *roma_only = new_client(config);
  doc = NULL;
  code = hwinst_clouddc_instance_status(roma_only, "inst-ok", &doc);
  expect_code("clouddc_instance_status:no_endpoint", code, HWINST_CONFIG, doc);
  hwinst_client_free(roma_only);
}

/* ---- AK/SK, the environment, retries ----------------------------------- */

static void test_credentials_and_retries(const char *url, const char *token) {
  char config[1024];
  char *doc;
  hwinst_code code;

  /* AK/SK: the mock answers "aksk-ok" only to a signed request. */
  snprintf(config, sizeof config,
           "{\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"ak\":\"AKC\",\"sk\":\"SKC-s3cr3t\"},"
           "\"endpoints\":{\"apig\":\"%s\"}}",
           url);
  hwinst_client *signed_client = new_client(config);
  doc = NULL;
  code = hwinst_apig_creation_progress(signed_client, "aksk-ok", &doc);
  expect_code("aksk:signed", code, HWINST_OK, doc);
  hwinst_client_free(signed_client);

  /* The token client's request is not signed: the same instance is not found for it. */
  config_for(config, sizeof config, url, token, "");
  hwinst_client *token_client = new_client(config);
  doc = NULL;
  code = hwinst_apig_creation_progress(token_client, "aksk-ok", &doc);
  expect_code("aksk:unsigned", code, HWINST_NOT_FOUND, doc);

  /* Retries: 503, 503, then the instance; a service that stays down. */
  doc = NULL;
  code = hwinst_roma_instance(token_client, "retry-flaky", &doc);
  expect_code("retry:flaky", code, HWINST_OK, doc);
  doc = NULL;
  code = hwinst_roma_instance(token_client, "retry-down", &doc);
  expect_code("retry:down", code, HWINST_SERVER, doc);
  hwinst_client_free(token_client);
  config_for(config, sizeof config, url, token,
             ",\"retry\":{\"max_attempts\":1}");
  /* The later "retry" key is a duplicate of config_for's: refused, not merged. */
  doc = NULL;
  hwinst_client *twice = NULL;
  code = hwinst_client_new(config, &twice, &doc);
  expect_code("retry:duplicate_key", code, HWINST_CONFIG, doc);
  snprintf(config, sizeof config,
           "{\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"token\":\"%s\"},"
           "\"endpoints\":{\"roma\":\"%s\"},\"retry\":{\"max_attempts\":1}}",
           token, url);
  hwinst_client *no_retry = new_client(config);
  doc = NULL;
  code = hwinst_roma_instance(no_retry, "retry-down", &doc);
  expect_code("retry:once", code, HWINST_SERVER, doc);
  hwinst_client_free(no_retry);

  /* The environment. */
  setenv("HUAWEICLOUD_SDK_AK", "AKC", 1);
  setenv("HUAWEICLOUD_SDK_SK", "SKC-s3cr3t", 1);
  setenv("HUAWEICLOUD_SDK_PROJECT_ID", "0a1b2c3d4e5f", 1);
  setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4", 1);
  setenv("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", url, 1);
  hwinst_client *from_env = NULL;
  char *error = NULL;
  code = hwinst_client_from_env(&from_env, &error);
  CHECK(code == HWINST_OK && from_env != NULL && error == NULL, "env:new: %s %s",
        code_name(code), error ? error : "");
  hwinst_string_free(error);
  doc = NULL;
  code = hwinst_apig_creation_progress(from_env, "aksk-ok", &doc);
  expect_code("env:signed", code, HWINST_OK, doc);
  hwinst_client_free(from_env);

  setenv("HWINST_TOKEN", token, 1);
  from_env = (hwinst_client *)&failures;
  error = NULL;
  code = hwinst_client_from_env(&from_env, &error);
  CHECK(from_env == NULL, "env:conflict: *out_client not set to NULL");
  expect_code("env:conflict", code, HWINST_CONFIG, error);
  code = hwinst_client_from_env(NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "env:null_out_client: %s", code_name(code));
  static const char *VARS[] = {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                               "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION",
                               "HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", "HWINST_TOKEN"};
  for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
    unsetenv(VARS[i]);
  }
}

/* ---- lifecycles, waiting and paging ----------------------------------- */

/* What the counting callback saw. */
struct observed {
  int calls;
  char phases[256]; /* "creating:30,creating:50,running:100," */
  int cancel_at;    /* cancel on this call (1-based); 0: never */
};

/* Copies the part of `json` after `"key":` up to the next `,` or `}`. */
static void field(const char *json, const char *key, char *out, size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(json, pattern);
  out[0] = '\0';
  if (at == NULL) {
    return;
  }
  at += strlen(pattern);
  size_t n = strcspn(at, ",}");
  if (n >= size) {
    n = size - 1;
  }
  memcpy(out, at, n);
  out[n] = '\0';
}

static int count_changes(const char *lifecycle_json, void *user_data) {
  struct observed *seen = user_data;
  /* The document lives for the call only: keep a copy, as a caller would. */
  char *copy = strdup(lifecycle_json);
  char phase[32], progress[16], entry[64];
  field(copy, "phase", phase, sizeof phase);
  field(copy, "progress", progress, sizeof progress);
  snprintf(entry, sizeof entry, "%s:%s,", phase, progress);
  strncat(seen->phases, entry, sizeof seen->phases - strlen(seen->phases) - 1);
  free(copy);
  seen->calls++;
  return seen->cancel_at != 0 && seen->calls >= seen->cancel_at;
}

static void test_lifecycle_and_wait(const hwinst_client *client) {
  static const char *SOURCES[] = {"roma", "roma-details", "apig", "clouddc"};
  static const char *FAST =
      "{\"initial_interval_ms\":1,\"max_interval_ms\":5,\"timeout_ms\":60000}";
  char label[128];
  char *doc;
  hwinst_code code;

  for (size_t i = 0; i < sizeof SOURCES / sizeof SOURCES[0]; i++) {
    snprintf(label, sizeof label, "lifecycle:%s", SOURCES[i]);
    doc = NULL;
    code = hwinst_lifecycle(client, SOURCES[i], "inst-ok", &doc);
    expect_code(label, code, HWINST_OK, doc);
    snprintf(label, sizeof label, "lifecycle:%s:missing", SOURCES[i]);
    doc = NULL;
    code = hwinst_lifecycle(client, SOURCES[i], "inst-missing", &doc);
    expect_code(label, code, HWINST_NOT_FOUND, doc);
  }

  /* Bad arguments, NULL in every position. */
  static const struct {
    const char *label;
    const char *source;
    const char *id;
  } BAD[] = {
      {"lifecycle:bad_source", "ROMA", "inst-ok"},
      {"lifecycle:list_source", "roma-list", "inst-ok"},
      {"lifecycle:null_source", NULL, "inst-ok"},
      {"lifecycle:source_not_utf8", "\xff", "inst-ok"},
      {"lifecycle:null_id", "apig", NULL},
      {"lifecycle:unsafe_id", "apig", "../x"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    doc = NULL;
    code = hwinst_lifecycle(client, BAD[i].source, BAD[i].id, &doc);
    expect_code(BAD[i].label, code, HWINST_INVALID_ARGUMENT, doc);
    snprintf(label, sizeof label, "wait:%s", BAD[i].label + strlen("lifecycle:"));
    doc = NULL;
    code = hwinst_wait(client, BAD[i].source, BAD[i].id, FAST, NULL, NULL, &doc);
    expect_code(label, code, HWINST_INVALID_ARGUMENT, doc);
  }
  doc = NULL;
  code = hwinst_lifecycle(NULL, "apig", "inst-ok", &doc);
  expect_code("lifecycle:null_client", code, HWINST_INVALID_ARGUMENT, doc);
  code = hwinst_lifecycle(client, "apig", "inst-ok", NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "lifecycle:null_out_json: %s", code_name(code));
  code = hwinst_wait(client, "apig", "inst-ok", NULL, NULL, NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "wait:null_out_json: %s", code_name(code));

  static const struct {
    const char *label;
    const char *options;
  } BAD_OPTIONS[] = {
      {"wait:options_not_json", "{\"until\":"},
      {"wait:options_not_utf8", "{\"until\":[\"\xff\"]}"},
      {"wait:options_unknown_key", "{\"timeout\":5}"},
      {"wait:options_bad_phase", "{\"until\":[\"ready\"]}"},
      {"wait:options_zero_timeout", "{\"timeout_ms\":0}"},
      {"wait:options_huge_timeout", "{\"timeout_ms\":18446744073709551615}"},
  };
  for (size_t i = 0; i < sizeof BAD_OPTIONS / sizeof BAD_OPTIONS[0]; i++) {
    doc = NULL;
    code = hwinst_wait(client, "apig", "inst-ok", BAD_OPTIONS[i].options, NULL, NULL, &doc);
    expect_code(BAD_OPTIONS[i].label, code, HWINST_INVALID_ARGUMENT, doc);
  }

  /* A creation walked to its end: the callback sees each change once. */
  struct observed seen = {0, "", 0};
  doc = NULL;
  code = hwinst_wait(client, "apig", "wait-walk", FAST, count_changes, &seen, &doc);
  expect_code("wait:walk", code, HWINST_OK, doc);
  printf("CALLBACKS walk %d %s\n", seen.calls, seen.phases);

  /* NULL options and NULL callback: the defaults, an instance already running. */
  doc = NULL;
  code = hwinst_wait(client, "apig", "inst-ok", NULL, NULL, NULL, &doc);
  expect_code("wait:defaults", code, HWINST_OK, doc);

  /* A failed creation. */
  struct observed failed = {0, "", 0};
  doc = NULL;
  code = hwinst_wait(client, "apig", "wait-failed", FAST, count_changes, &failed, &doc);
  expect_code("wait:failed", code, HWINST_INSTANCE_FAILED, doc);
  printf("CALLBACKS failed %d %s\n", failed.calls, failed.phases);

  /* Cancelled from the callback on its second call. */
  struct observed cancel = {0, "", 2};
  doc = NULL;
  code = hwinst_wait(client, "apig", "wait-slow", FAST, count_changes, &cancel, &doc);
  expect_code("wait:cancelled", code, HWINST_CANCELLED, doc);
  printf("CALLBACKS cancelled %d %s\n", cancel.calls, cancel.phases);

  /* The deadline. Long enough for the first poll to be answered under Valgrind on a loaded
   * machine (the document must carry its lifecycle), short enough to keep the run quick. */
  doc = NULL;
  code = hwinst_wait(client, "apig", "wait-stuck",
                     "{\"timeout_ms\":1000,\"initial_interval_ms\":100}",
                     NULL, NULL, &doc);
  expect_code("wait:timeout", code, HWINST_TIMEOUT, doc);

  /* Every page. */
  doc = NULL;
  code = hwinst_roma_list_all_instances(client, NULL, &doc);
  expect_code("list_all:ok", code, HWINST_OK, doc);
  doc = NULL;
  code = hwinst_roma_list_all_instances(client, "{\"status\":\"inst-missing\"}", &doc);
  expect_code("list_all:missing", code, HWINST_NOT_FOUND, doc);
  doc = NULL;
  code = hwinst_roma_list_all_instances(client, "{\"state\":1}", &doc);
  expect_code("list_all:bad_query", code, HWINST_INVALID_ARGUMENT, doc);
  doc = NULL;
  code = hwinst_roma_list_all_instances(NULL, NULL, &doc);
  expect_code("list_all:null_client", code, HWINST_INVALID_ARGUMENT, doc);
  code = hwinst_roma_list_all_instances(client, NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "list_all:null_out_json: %s", code_name(code));

  /* One page at a time (the mock's list has one instance: its page ends the paging). */
  doc = NULL;
  code = hwinst_roma_list_page(client, NULL, &doc);
  expect_code("list_page:first", code, HWINST_OK, doc);
  doc = NULL;
  code = hwinst_roma_list_page(
      client,
      "{\"status\":\"RUNNING\",\"offset\":0,\"limit\":10,\"previous_ids\":[\"someone-else\"]}",
      &doc);
  expect_code("list_page:cursor", code, HWINST_OK, doc);
  doc = NULL;
  code = hwinst_roma_list_page(client, "{\"status\":\"inst-missing\"}", &doc);
  expect_code("list_page:missing", code, HWINST_NOT_FOUND, doc);
  doc = NULL;
  code = hwinst_roma_list_page(client, "{\"next\":1}", &doc);
  expect_code("list_page:bad_cursor", code, HWINST_INVALID_ARGUMENT, doc);
  doc = NULL;
  code = hwinst_roma_list_page(NULL, NULL, &doc);
  expect_code("list_page:null_client", code, HWINST_INVALID_ARGUMENT, doc);
  code = hwinst_roma_list_page(client, NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "list_page:null_out_json: %s", code_name(code));
}

/* ---- cancel tokens: stopping a wait from another thread ---------------- */

struct canceller {
  hwinst_cancel_token *token;
  pthread_mutex_t lock;
  pthread_cond_t seen_changed;
  int seen;
};

/* The wait's callback: tells the cancelling thread that the first poll is done. */
static int signal_seen(const char *lifecycle_json, void *user_data) {
  (void)lifecycle_json;
  struct canceller *c = user_data;
  pthread_mutex_lock(&c->lock);
  c->seen = 1;
  pthread_cond_signal(&c->seen_changed);
  pthread_mutex_unlock(&c->lock);
  return 0;
}

static void *cancel_once_seen(void *arg) {
  struct canceller *c = arg;
  pthread_mutex_lock(&c->lock);
  while (!c->seen) {
    pthread_cond_wait(&c->seen_changed, &c->lock);
  }
  pthread_mutex_unlock(&c->lock);
  hwinst_cancel_token_cancel(c->token);
  return NULL;
}

static void test_cancel_tokens(const hwinst_client *client) {
  /* An hour between polls: only the token can end these waits in time. */
  static const char *HOURLY =
      "{\"initial_interval_ms\":3600000,\"max_interval_ms\":3600000,\"timeout_ms\":7200000}";
  char *doc;
  hwinst_code code;

  code = hwinst_cancel_token_new(NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "cancel_token_new:null_out: %s", code_name(code));
  hwinst_cancel_token_cancel(NULL);
  hwinst_cancel_token_free(NULL);

  /* Cancelled before the wait starts: nothing is polled, there is no lifecycle. */
  hwinst_cancel_token *token = NULL;
  code = hwinst_cancel_token_new(&token);
  CHECK(code == HWINST_OK && token != NULL, "cancel_token_new: %s", code_name(code));
  hwinst_cancel_token_cancel(token);
  hwinst_cancel_token_cancel(token); /* idempotent */
  doc = NULL;
  code = hwinst_wait_cancellable(client, "apig", "wait-stuck", HOURLY, NULL, NULL, token, &doc);
  expect_code("wait:token_before", code, HWINST_CANCELLED, doc);
  hwinst_cancel_token_free(token);

  /* Cancelled from another thread while the wait pauses after its first poll. */
  struct canceller c = {NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
  code = hwinst_cancel_token_new(&c.token);
  CHECK(code == HWINST_OK, "cancel_token_new: %s", code_name(code));
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, cancel_once_seen, &c) == 0, "pthread_create");
  doc = NULL;
  code = hwinst_wait_cancellable(client, "apig", "wait-stuck", HOURLY, signal_seen, &c, c.token,
                                 &doc);
  pthread_join(thread, NULL);
  expect_code("wait:token_thread", code, HWINST_CANCELLED, doc);
  hwinst_cancel_token_free(c.token);

  /* Without a token it is hwinst_wait. */
  doc = NULL;
  code = hwinst_wait_cancellable(client, "apig", "inst-ok", NULL, NULL, NULL, NULL, &doc);
  expect_code("wait:token_null", code, HWINST_OK, doc);
  code = hwinst_wait_cancellable(client, "apig", "inst-ok", NULL, NULL, NULL, NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "wait:token_null_out_json: %s", code_name(code));
}

/* ---- fleets ------------------------------------------------------------ */

static void test_wait_many(const hwinst_client *client) {
  /* Quick polls, a budget that does not slow them, and a deadline far enough for Valgrind on
   * a loaded machine. */
  static const char *FLEET_FAST =
      "{\"initial_interval_ms\":1,\"max_interval_ms\":5,\"timeout_ms\":60000,"
      "\"max_requests_per_second\":{\"apig\":100},\"concurrency\":2}";
  static const char *TWO =
      "[{\"source\":\"apig\",\"instance_id\":\"fleet-a\"},"
      "{\"source\":\"apig\",\"instance_id\":\"fleet-b\"}]";
  char *doc;
  hwinst_code code;

  /* Two instances reaching running; the callback sees each change. */
  struct observed seen = {0, "", 0};
  doc = NULL;
  code = hwinst_wait_many(client, TWO, FLEET_FAST, count_changes, &seen, NULL, &doc);
  expect_code("fleet:running", code, HWINST_OK, doc);
  printf("CALLBACKS fleet_running %d %s\n", seen.calls, seen.phases);

  /* One failing: the wait goes on for the other, then reports the failure. */
  doc = NULL;
  code = hwinst_wait_many(client,
                          "[{\"source\":\"apig\",\"instance_id\":\"inst-ok\"},"
                          "{\"source\":\"apig\",\"instance_id\":\"fleet-failed\"}]",
                          FLEET_FAST, NULL, NULL, NULL, &doc);
  expect_code("fleet:failed", code, HWINST_INSTANCE_FAILED, doc);

  /* The callback cancels the whole wait on its first call: the fleet document all the same. */
  struct observed cancel = {0, "", 1};
  doc = NULL;
  code = hwinst_wait_many(client,
                          "[{\"source\":\"apig\",\"instance_id\":\"wait-stuck\"},"
                          "{\"source\":\"apig\",\"instance_id\":\"fleet-b\"}]",
                          "{\"initial_interval_ms\":3600000,\"max_interval_ms\":3600000,"
                          "\"timeout_ms\":7200000,\"concurrency\":1}",
                          count_changes, &cancel, NULL, &doc);
  expect_code("fleet:cancelled", code, HWINST_CANCELLED, doc);
  printf("CALLBACKS fleet_cancelled %d\n", cancel.calls);

  /* NULL options, callback and token: the defaults, one instance already running. */
  doc = NULL;
  code = hwinst_wait_many(client, "[{\"source\":\"apig\",\"instance_id\":\"inst-ok\"}]",
                          NULL, NULL, NULL, NULL, &doc);
  expect_code("fleet:defaults", code, HWINST_OK, doc);

  /* Argument errors: the error document, nothing sent. */
  code = hwinst_wait_many(client, TWO, FLEET_FAST, NULL, NULL, NULL, NULL);
  CHECK(code == HWINST_INVALID_ARGUMENT, "fleet:null_out_json: %s", code_name(code));
  doc = NULL;
  code = hwinst_wait_many(NULL, TWO, FLEET_FAST, NULL, NULL, NULL, &doc);
  expect_code("fleet:null_client", code, HWINST_INVALID_ARGUMENT, doc);
  doc = NULL;
  code = hwinst_wait_many(client, NULL, FLEET_FAST, NULL, NULL, NULL, &doc);
  expect_code("fleet:null_targets", code, HWINST_INVALID_ARGUMENT, doc);
  static const struct {
    const char *label;
    const char *targets;
    const char *options;
  } BAD[] = {
      {"fleet:targets_not_json", "[{\"source\":", NULL},
      {"fleet:targets_not_utf8", "[{\"source\":\"apig\",\"instance_id\":\"\xff\"}]", NULL},
      {"fleet:targets_empty", "[]", NULL},
      {"fleet:targets_duplicate",
       "[{\"source\":\"apig\",\"instance_id\":\"fleet-b\"},"
       "{\"source\":\"apig\",\"instance_id\":\"fleet-b\"}]",
       NULL},
      {"fleet:targets_unsafe_id", "[{\"source\":\"apig\",\"instance_id\":\"../x\"}]", NULL},
      {"fleet:targets_bad_source", "[{\"source\":\"ROMA\",\"instance_id\":\"x\"}]", NULL},
      {"fleet:targets_unknown_key",
       "[{\"source\":\"apig\",\"instance_id\":\"x\",\"region\":\"r\"}]", NULL},
      {"fleet:options_unknown_key", NULL, "{\"timeout\":5}"},
      {"fleet:options_bad_mode", NULL, "{\"mode\":\"some\"}"},
      {"fleet:options_zero_concurrency", NULL, "{\"concurrency\":0}"},
      {"fleet:options_not_json", NULL, "{\"mode\":"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    doc = NULL;
    code = hwinst_wait_many(client, BAD[i].targets ? BAD[i].targets : TWO, BAD[i].options,
                            NULL, NULL, NULL, &doc);
    expect_code(BAD[i].label, code, HWINST_INVALID_ARGUMENT, doc);
  }
}

/* ---- 8 threads, one client --------------------------------------------- */

struct worker {
  const hwinst_client *client;
  int iterations;
  int failures;
};

static void *work(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < w->iterations; i++) {
    size_t op = (size_t)i % N_OPS;
    size_t c = (size_t)i % 2 == 0 ? 0 : 1; /* inst-ok, inst-missing */
    char *doc = NULL;
    hwinst_code code = OPS[op].call(w->client, CASES[c].id, &doc);
    if (code != CASES[c].want || doc == NULL || doc[0] != '{') {
      w->failures++;
    }
    hwinst_string_free(doc);
  }
  return NULL;
}

static void test_threads(const hwinst_client *client, int iterations) {
  enum { N_THREADS = 8 };
  pthread_t threads[N_THREADS];
  struct worker workers[N_THREADS];
  for (int t = 0; t < N_THREADS; t++) {
    workers[t] = (struct worker){client, iterations, 0};
    CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0,
          "pthread_create %d", t);
  }
  for (int t = 0; t < N_THREADS; t++) {
    pthread_join(threads[t], NULL);
    CHECK(workers[t].failures == 0, "thread %d: %d unexpected answers", t,
          workers[t].failures);
  }
  printf("THREADS %d %d\n", N_THREADS, iterations);
}

int main(int argc, char **argv) {
  char config[1024];
  if (argc == 4 && strcmp(argv[1], "leak") == 0) {
    config_for(config, sizeof config, argv[2], argv[3], "");
    hwinst_client *client = new_client(config);
    char *doc = NULL;
    hwinst_roma_instance(client, "inst-ok", &doc);
    printf("leaking %zu bytes on purpose\n", doc ? strlen(doc) + 1 : 0);
    hwinst_client_free(client);
    return 0; /* `doc` is never freed */
  }
  if (argc != 6) {
    fprintf(stderr,
            "usage: %s BASE_URL REFUSED_URL TOKEN VERSION THREAD_ITERATIONS\n",
            argv[0]);
    return 2;
  }
  const char *url = argv[1], *refused = argv[2], *token = argv[3];
  isolate_chain();

  const char *version = hwinst_version();
  CHECK(version != NULL && strcmp(version, argv[4]) == 0,
        "hwinst_version() = %s, want %s", version ? version : "NULL", argv[4]);

  test_client_new(url, token);

  config_for(config, sizeof config, url, token, "");
  hwinst_client *client = new_client(config);
  if (client == NULL) {
    return 1;
  }
  test_arguments(client);
  test_answers(client);
  test_client_side_failures(url, refused, token);
  test_lifecycle_and_wait(client);
  test_cancel_tokens(client);
  test_wait_many(client);
  test_credentials_and_retries(url, token);
  test_threads(client, atoi(argv[5]));
  hwinst_client_free(client);

  CHECK(rmdir(chain_home) == 0, "the temporary HOME %s is not empty", chain_home);
  printf("DONE failures=%d\n", failures);
  return failures == 0 ? 0 : 1;
}
