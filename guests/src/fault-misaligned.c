/* fault-misaligned: an AMO on a misaligned address, which faults whatever
 * the alignment policy (AMOs must be naturally aligned). */
#include <stdint.h>
#include <stdio.h>

static uint32_t words[4];

int main(void)
{
    printf("about to run amoadd.w on a misaligned address\n");
    volatile uintptr_t addr = (uintptr_t)words + 2;
    uint32_t old;
    __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(addr), "r"(1) : "memory");
    return (int)old;
}
