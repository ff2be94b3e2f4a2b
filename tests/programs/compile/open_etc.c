#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *f = fopen("/etc/passwd", "r");
    if (f == NULL) {
        printf("refused: %s\n", strerror(errno));
        return 1;
    }
    fclose(f);
    return 0;
}
