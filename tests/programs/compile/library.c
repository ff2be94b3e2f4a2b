/* No main: a cell of functions, built as a reactor whose functions can be invoked. */
#include <stdio.h>

int calls = 0;

static int square(int x) { return x * x; }

int sum_of_squares(int a, int b) {
    calls++;
    printf("sum_of_squares(%d, %d)\n", a, b);
    return square(a) + square(b);
}
