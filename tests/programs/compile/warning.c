#include <stdio.h>

int main(void) {
    int unused_total;
    printf("%d\n", 1 / 1);
    return 0;
}
