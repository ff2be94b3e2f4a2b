/* Prints where a global, a local and a heap block live, to compare with the layout. */
#include <stdio.h>
#include <stdlib.h>

int counter = 7;
static char message[64] = "static data lives between __data_start and __data_end";

int main(void) {
    int local = 1;
    char *block = malloc(32);
    printf("%lu %lu %lu %lu\n", (unsigned long)&counter, (unsigned long)message,
           (unsigned long)&local, (unsigned long)block);
    free(block);
    return local + counter - 8;
}
