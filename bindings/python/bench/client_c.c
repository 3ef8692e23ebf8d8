/* The C ABI side of the Python benchmark (bindings/python/bench/run.py): one client, CALLS
 * hwinst_apig_creation_progress calls after WARMUP, one JSON line with the wall and CPU time
 * (getrusage: this process only, the simulator is another) and the peak RSS (VmHWM).
 *
 *   client_c CONFIG_JSON INSTANCE_ID CALLS WARMUP */
#include <hwinst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* VmHWM: this process's peak resident set (ru_maxrss would carry over the parent's across
 * exec). */
static long vm_hwm_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static double wall_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void call(hwinst_client *client, const char *id) {
    char *json = NULL;
    hwinst_code code = hwinst_apig_creation_progress(client, id, &json);
    if (code != HWINST_OK) {
        fprintf(stderr, "client_c: %d %s\n", code, json ? json : "");
        exit(1);
    }
    hwinst_string_free(json);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: client_c CONFIG_JSON INSTANCE_ID CALLS WARMUP\n");
        return 2;
    }
    long calls = strtol(argv[3], NULL, 10), warmup = strtol(argv[4], NULL, 10);
    hwinst_client *client = NULL;
    char *error = NULL;
    if (hwinst_client_new(argv[1], &client, &error) != HWINST_OK) {
        fprintf(stderr, "client_c: %s\n", error ? error : "");
        return 1;
    }
    for (long i = 0; i < warmup; i++) call(client, argv[2]);
    double cpu0 = cpu_s(), wall0 = wall_s();
    for (long i = 0; i < calls; i++) call(client, argv[2]);
    double cpu = cpu_s() - cpu0, wall = wall_s() - wall0;
    printf("{\"calls\":%ld,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"maxrss_kb\":%ld}\n", calls, wall, cpu,
           vm_hwm_kb());
    hwinst_client_free(client);
    return 0;
}
