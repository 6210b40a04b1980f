/* Boot code: the first instructions at 0x80000000. */
    .section .text.boot, "ax"
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      tp, __tls_base
    call    __zk_start
1:  j       1b
    .size _start, . - _start
