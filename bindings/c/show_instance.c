/*
 * show_instance: print a ROMA Connect instance's details as JSON.
 *
 *   cc -std=c11 show_instance.c $(pkg-config --cflags --libs hwinst) -o show_instance
 *   ./show_instance "$(cat config.json)" eddc4d25480b4cd6b512f270a1b8b341
 *
 * CONFIG_JSON is the client configuration, e.g.
 *   {"region":"cn-north-4","project_id":"0a1b2c3d4e5f","credentials":{"token":"..."}}
 *
 * Exit status: 0 with the instance document on stdout; 1 for a usage error; 2 if the
 * configuration is refused and 3 if the call fails, with the error document
 * ({"code":"NOT_FOUND","message":...,"http_status":404,...}) on stderr.
 *
 * Ownership: the client from hwinst_client_new is freed with hwinst_client_free; every
 * string hwinst writes to an out parameter is freed with hwinst_string_free (never
 * free()). Freeing NULL is a no-op.
 */
#include <stdio.h>

#include <hwinst.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CONFIG_JSON INSTANCE_ID\n", argv[0]);
        return 1;
    }

    hwinst_client *client = NULL;
    char *error = NULL; /* stays NULL on success, else the error document */
    if (hwinst_client_new(argv[1], &client, &error) != HWINST_OK) {
        fprintf(stderr, "%s\n", error);
        hwinst_string_free(error);
        return 2;
    }

    /* One document comes back either way: the instance, or the error. The client may be
     * shared by any number of threads; each call returns its own string. */
    char *json = NULL;
    hwinst_code code = hwinst_roma_instance(client, argv[2], &json);
    fprintf(code == HWINST_OK ? stdout : stderr, "%s\n", json);

    hwinst_string_free(json);
    hwinst_client_free(client);
    return code == HWINST_OK ? 0 : 3;
}
