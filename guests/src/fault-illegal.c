/* fault-illegal: executes 0x0000, defined to be illegal. */
#include <stdio.h>

int main(void)
{
    printf("about to execute an illegal instruction\n");
    __asm__ volatile(".4byte 0" ::: "memory"); /* 0x0000 is defined to be an illegal instruction */
    return 0;
}
