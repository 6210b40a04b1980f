/* fib: a recursive function called from main. */
#include <stdio.h>

__attribute__((noinline)) unsigned long fib(unsigned n)
{
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(void)
{
    unsigned n = 20;
    printf("fib(%u) = %lu\n", n, fib(n));
    return 0;
}
