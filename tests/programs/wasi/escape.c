/* Realistic ways a C program tries to leave its preopened folder, through wasi-libc.
 *
 * Usage: escape.wasm OUTSIDE_ABSOLUTE_PATH. Prints one line per attempt, "name: RESULT",
 * where RESULT is "refused" or "ALLOWED ..." (with anything read). The tests check that every
 * attempt is refused and that the folder outside is untouched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *name, int ok, const char *detail) {
    if (ok)
        printf("%s: ALLOWED %s\n", name, detail ? detail : "");
    else
        printf("%s: refused (errno %d)\n", name, errno);
}

static void try_read(const char *name, const char *path) {
    char buf[128] = {0};
    errno = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
    }
    report(name, f != NULL, buf);
}

static void try_list(const char *name, const char *path) {
    char names[512] = {0};
    errno = 0;
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            strncat(names, e->d_name, sizeof names - strlen(names) - 2);
            strncat(names, " ", sizeof names - strlen(names) - 1);
        }
        closedir(d);
    }
    report(name, d != NULL, names);
}

int main(int argc, char **argv) {
    const char *outside = argc > 1 ? argv[1] : "/outside";
    char abs_secret[512];
    snprintf(abs_secret, sizeof abs_secret, "%s/secret.txt", outside);
    struct stat st;

    try_read("read ../outside/secret.txt", "../outside/secret.txt");
    try_read("read absolute secret", abs_secret);
    try_read("read /etc/passwd", "/etc/passwd");
    try_list("list ..", "..");
    try_list("list subdir/../..", "subdir/../..");
    errno = 0;
    report("stat ../outside/secret.txt", stat("../outside/secret.txt", &st) == 0, NULL);

    errno = 0;
    int made = symlink("../outside/secret.txt", "evil") == 0;
    printf("symlink evil -> ../outside/secret.txt: %s\n", made ? "made" : "not made");
    try_read("read through evil", "evil");
    errno = 0;
    int fd = open("evil", O_WRONLY | O_TRUNC);
    report("truncate through evil", fd >= 0, NULL);
    if (fd >= 0) close(fd);
    symlink("..", "up");
    try_read("read up/outside/secret.txt", "up/outside/secret.txt");
    try_list("list up", "up");

    errno = 0;
    report("rename inside.txt out", rename("inside.txt", "../outside/moved.txt") == 0, NULL);
    errno = 0;
    report("rename secret in", rename("../outside/secret.txt", "stolen.txt") == 0, NULL);
    errno = 0;
    report("hard link out", link("inside.txt", "../outside/hard") == 0, NULL);
    errno = 0;
    report("hard link in", link("../outside/secret.txt", "hard") == 0, NULL);
    errno = 0;
    report("mkdir outside", mkdir("../outside/newdir", 0755) == 0, NULL);
    errno = 0;
    report("unlink secret", unlink("../outside/secret.txt") == 0, NULL);
    errno = 0;
    report("rmdir private", rmdir("../outside/private") == 0, NULL);
    errno = 0;
    FILE *f = fopen("../outside/planted.txt", "w");
    report("create outside", f != NULL, NULL);
    if (f) fclose(f);
    return 0;
}
