/* One client, many calls, from C: resident memory as the calls go on, and the CPU of 1,000
 * consecutive hwinst_lifecycle calls. Built and run by scripts/bench-c.sh.
 *
 *   rss BASE_URL [CALLS]    (CALLS defaults to 20000; 0 skips the lifecycle calls too) */
#include <hwinst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static long vm_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double wall_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void check(hwinst_code code, char *json) {
    if (code != HWINST_OK) {
        fprintf(stderr, "hwinst: %d %s\n", code, json ? json : "");
        exit(1);
    }
    hwinst_string_free(json);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: rss BASE_URL [CALLS]\n");
        return 2;
    }
    long calls = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    const char *id = "eddc4d25480b4cd6b512f270a1b8b341";
    char config[512];
    snprintf(config, sizeof config,
             "{\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"token\":\"bench-token\"},"
             "\"endpoints\":{\"apig\":\"%s\"}}",
             argv[1]);
    hwinst_client *client = NULL;
    char *error = NULL;
    hwinst_code code = hwinst_client_new(config, &client, &error);
    check(code, error);
    printf("calls %6d  VmRSS %ld kB\n", 0, vm_rss_kb());
    for (long i = 1; i <= calls; i++) {
        char *json = NULL;
        code = hwinst_apig_creation_progress(client, id, &json); /* before reading json */
        check(code, json);
        if (i % 5000 == 0) printf("calls %6ld  VmRSS %ld kB\n", i, vm_rss_kb());
    }
    if (calls > 0) {
        double cpu0 = cpu_s(), wall0 = wall_s();
        for (int i = 0; i < 1000; i++) {
            char *json = NULL;
            code = hwinst_lifecycle(client, "apig", id, &json);
            check(code, json);
        }
        printf("1000 hwinst_lifecycle calls: %.1f ms CPU (user+sys), %.1f ms wall\n",
               (cpu_s() - cpu0) * 1e3, (wall_s() - wall0) * 1e3);
        printf("after them  VmRSS %ld kB\n", vm_rss_kb());
    }
    hwinst_client_free(client);
    return 0;
}
