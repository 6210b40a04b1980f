/* fault-null: a load through a null pointer (the guard page at 0 faults). */
#include <stdint.h>
#include <stdio.h>

volatile uintptr_t where = 0;

int main(void)
{
    printf("about to dereference NULL\n");
    int *p = (int *)where;
    return *p;
}
