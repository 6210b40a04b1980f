/* Entry at address 0: a stack, then main (which never returns). */
    .section .text.start, "ax"
    .globl _start
_start:
    la sp, __stack_top
    call main
1:  j 1b
