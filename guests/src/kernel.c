/*
 * kernel: a guest with its own kernel, as ZeroOS does on Jolt. main()
 * installs a trap vector in mtvec; from then on every ecall traps into
 * kernel_trap(), which serves write (by Jolt's print host call) and exit
 * (by jumping to itself, Jolt's halt) in the guest itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zkguest.h"

/* CSR access (the multilib is plain rv64imac/rv32imac, so enable Zicsr here). */
#define CSR_ASM(insn) ".option push\n.option arch, +zicsr\n" insn "\n.option pop"

/* Saved registers x1..x31 of the trapped context; a0 is x[10]. */
struct trap_frame {
    unsigned long x[32];
};

static unsigned long syscalls_served;

__attribute__((noinline, noreturn)) static void kernel_halt(void)
{
    for (;;) __asm__ volatile("j ." ::: "memory");
}

__attribute__((noinline)) static long kernel_write(int fd, const char *buf, unsigned long len)
{
    if (fd != 1 && fd != 2) return -9; /* -EBADF */
    zk_host_io(ZK_JOLT_PRINT, buf, len, 1);
    return (long)len;
}

/* Called from the trap vector with the trapped registers. */
void kernel_trap(struct trap_frame *f)
{
    unsigned long mcause, mepc;
    __asm__ volatile(CSR_ASM("csrr %0, mcause") : "=r"(mcause));
    __asm__ volatile(CSR_ASM("csrr %0, mepc") : "=r"(mepc));
    if (mcause != 11) kernel_halt(); /* not an ecall from M-mode */
    syscalls_served++;
    long nr = (long)f->x[17], ret;
    switch (nr) {
    case 64: /* write */
        ret = kernel_write((int)f->x[10], (const char *)f->x[11], f->x[12]);
        break;
    case 93: /* exit */
    case 94: /* exit_group */
        kernel_halt();
    case 214: /* brk: no heap */
        ret = 0;
        break;
    default:
        ret = -38; /* -ENOSYS */
    }
    f->x[10] = (unsigned long)ret;
    __asm__ volatile(CSR_ASM("csrw mepc, %0") ::"r"(mepc + 4));
}

/* The trap vector: save the context on the stack, call kernel_trap, mret. */
#if __riscv_xlen == 64
#define STORE "sd"
#define LOAD "ld"
#define WORD "8"
#else
#define STORE "sw"
#define LOAD "lw"
#define WORD "4"
#endif
__asm__(".section .text.trap_vector, \"ax\"\n"
        ".align 2\n"
        ".globl trap_vector\n"
        "trap_vector:\n"
        ".option push\n.option arch, +zicsr\n"
        "  addi sp, sp, -32*" WORD "\n"
        "  " STORE " ra, 1*" WORD "(sp)\n"
        "  " STORE " t0, 5*" WORD "(sp)\n"
        "  " STORE " t1, 6*" WORD "(sp)\n"
        "  " STORE " t2, 7*" WORD "(sp)\n"
        "  " STORE " a0, 10*" WORD "(sp)\n"
        "  " STORE " a1, 11*" WORD "(sp)\n"
        "  " STORE " a2, 12*" WORD "(sp)\n"
        "  " STORE " a3, 13*" WORD "(sp)\n"
        "  " STORE " a4, 14*" WORD "(sp)\n"
        "  " STORE " a5, 15*" WORD "(sp)\n"
        "  " STORE " a6, 16*" WORD "(sp)\n"
        "  " STORE " a7, 17*" WORD "(sp)\n"
        "  " STORE " t3, 28*" WORD "(sp)\n"
        "  " STORE " t4, 29*" WORD "(sp)\n"
        "  " STORE " t5, 30*" WORD "(sp)\n"
        "  " STORE " t6, 31*" WORD "(sp)\n"
        "  mv a0, sp\n"
        "  call kernel_trap\n"
        "  " LOAD " ra, 1*" WORD "(sp)\n"
        "  " LOAD " t0, 5*" WORD "(sp)\n"
        "  " LOAD " t1, 6*" WORD "(sp)\n"
        "  " LOAD " t2, 7*" WORD "(sp)\n"
        "  " LOAD " a0, 10*" WORD "(sp)\n"
        "  " LOAD " a1, 11*" WORD "(sp)\n"
        "  " LOAD " a2, 12*" WORD "(sp)\n"
        "  " LOAD " a3, 13*" WORD "(sp)\n"
        "  " LOAD " a4, 14*" WORD "(sp)\n"
        "  " LOAD " a5, 15*" WORD "(sp)\n"
        "  " LOAD " a6, 16*" WORD "(sp)\n"
        "  " LOAD " a7, 17*" WORD "(sp)\n"
        "  " LOAD " t3, 28*" WORD "(sp)\n"
        "  " LOAD " t4, 29*" WORD "(sp)\n"
        "  " LOAD " t5, 30*" WORD "(sp)\n"
        "  " LOAD " t6, 31*" WORD "(sp)\n"
        "  addi sp, sp, 32*" WORD "\n"
        "  mret\n"
        ".option pop\n"
        ".text\n");

extern void trap_vector(void);

int main(void)
{
    __asm__ volatile(CSR_ASM("csrw mtvec, %0") ::"r"((uintptr_t)trap_vector));
    static const char hello[] = "kernel: hello through an in-guest trap handler\n";
    write(1, hello, sizeof hello - 1);
    printf("kernel: printf works too (%s)\n", ZK_XLEN_NAME);
    fflush(stdout);
    char line[64];
    snprintf(line, sizeof line, "kernel: served %lu syscalls in-guest\n", syscalls_served);
    write(1, line, strlen(line));
    return 0;
}
