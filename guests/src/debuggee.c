/* debuggee: a small program for debugger tests (built with -Og so that
 * locals stay visible): a global counter, a helper function to step into,
 * a loop to run `until` out of. */
#include <stdio.h>

int counter;
int squares[8];

__attribute__((noinline)) int square(int x)
{
    int r = x * x;
    squares[x & 7] = r;
    return r;
}

__attribute__((noinline)) int sum_squares(int n)
{
    int total = 0;
    for (int i = 1; i <= n; i++) {
        total += square(i);
        counter = counter + 1;
    }
    return total;
}

int main(void)
{
    int n = 5;
    int total = sum_squares(n);
    printf("total %d counter %d\n", total, counter);
    return total == 55 ? 0 : 1;
}
