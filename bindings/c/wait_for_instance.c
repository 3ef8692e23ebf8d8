/*
 * wait_for_instance: wait until an instance is running, printing each change.
 *
 *   cc -std=c11 wait_for_instance.c $(pkg-config --cflags --libs hwinst) -o wait_for_instance
 *   ./wait_for_instance "$(cat config.json)" apig eddc4d25480b4cd6b512f270a1b8b341
 *   ./wait_for_instance "$(cat config.json)" clouddc 5f1b... '{"timeout_ms":600000}'
 *
 * SOURCE is roma, roma-details, apig or clouddc. OPTIONS_JSON (optional) is the wait's
 * options, e.g. {"until":["running"],"timeout_ms":1800000,"initial_interval_ms":2000}.
 *
 * Exit status: 0 with the final lifecycle document on stdout; 1 for a usage error; 2 if the
 * configuration is refused; 3 if the wait fails (the instance failed, the deadline passed,
 * the call was refused, ...), with the error document on stderr. Each change is printed on
 * stderr as it happens.
 *
 * Ownership: as in show_instance.c. The document given to the callback belongs to hwinst and
 * lives only during the call: copy what you need, never free it.
 */
#include <stdio.h>

#include <hwinst.h>

/* Called with the first lifecycle and every change; returning non-zero would cancel. */
static int print_change(const char *lifecycle_json, void *user_data) {
    int *changes = user_data;
    *changes += 1;
    fprintf(stderr, "change %d: %s\n", *changes, lifecycle_json);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s CONFIG_JSON SOURCE INSTANCE_ID [OPTIONS_JSON]\n", argv[0]);
        return 1;
    }

    hwinst_client *client = NULL;
    char *error = NULL;
    if (hwinst_client_new(argv[1], &client, &error) != HWINST_OK) {
        fprintf(stderr, "%s\n", error);
        hwinst_string_free(error);
        return 2;
    }

    int changes = 0;
    char *json = NULL;
    const char *options = argc == 5 ? argv[4] : NULL; /* NULL: the defaults */
    hwinst_code code =
        hwinst_wait(client, argv[2], argv[3], options, print_change, &changes, &json);
    fprintf(code == HWINST_OK ? stdout : stderr, "%s\n", json);

    hwinst_string_free(json);
    hwinst_client_free(client);
    return code == HWINST_OK ? 0 : 3;
}
