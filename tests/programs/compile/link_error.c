#include <stdio.h>

int compute(int x);

int main(void) {
    printf("start\n");
    int y = compute(3);
    return y;
}
