/*
 * list_instances: print one page of the project's ROMA Connect instances as JSON.
 *
 *   cc -std=c11 list_instances.c $(pkg-config --cflags --libs hwinst) -o list_instances
 *   ./list_instances "$(cat config.json)"                              # the first page
 *   ./list_instances "$(cat config.json)" '{"status":"RUNNING","offset":0,"limit":50}'
 *
 * Prints {"total":N,"size":M,"instances":[...]} on stdout and exits 0. Exit status 1 is a
 * usage error, 2 a refused configuration and 3 a failed call (an invalid QUERY_JSON
 * among them): the error document is then on stderr.
 *
 * Ownership: the client from hwinst_client_new is freed with hwinst_client_free; every
 * string hwinst writes to an out parameter is freed with hwinst_string_free (never
 * free()). hwinst_version() returns a static string: do not free it.
 */
#include <stdio.h>

#include <hwinst.h>

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s CONFIG_JSON [QUERY_JSON]   (hwinst %s)\n", argv[0],
                hwinst_version());
        return 1;
    }

    hwinst_client *client = NULL;
    char *error = NULL; /* stays NULL on success, else the error document */
    if (hwinst_client_new(argv[1], &client, &error) != HWINST_OK) {
        fprintf(stderr, "%s\n", error);
        hwinst_string_free(error);
        return 2;
    }

    /* A NULL query asks for the service's first page, every status. hwinst only reads
     * the query string: it stays the caller's. */
    const char *query = argc == 3 ? argv[2] : NULL;
    char *json = NULL;
    hwinst_code code = hwinst_roma_list_instances(client, query, &json);
    fprintf(code == HWINST_OK ? stdout : stderr, "%s\n", json);

    hwinst_string_free(json);
    hwinst_client_free(client);
    return code == HWINST_OK ? 0 : 3;
}
