/* zkdbg guest runtime: raw syscalls and Jolt host calls. */
#ifndef ZKGUEST_H
#define ZKGUEST_H

#include <stddef.h>
#include <stdint.h>

#if __riscv_xlen == 64
#define ZK_XLEN_NAME "rv64"
#else
#define ZK_XLEN_NAME "rv32"
#endif

/* A Linux syscall by ecall: number in a7, arguments in a0..a5. */
static inline long zk_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a4 __asm__("a4") = a4;
    register long r_a5 __asm__("a5") = a5;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

/* Jolt's VirtualHostIO custom instruction (opcode 0x5B, funct3 = 2). */
static inline void zk_host_io(long a0, const void *ptr, size_t len, long a3)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = (long)ptr;
    register long r_a2 __asm__("a2") = (long)len;
    register long r_a3 __asm__("a3") = a3;
    __asm__ volatile(".insn i 0x5B, 2, x0, x0, 0" : : "r"(r_a0), "r"(r_a1), "r"(r_a2), "r"(r_a3) : "memory");
}

#define ZK_JOLT_PRINT 0x505249
#define ZK_JOLT_CYCLE_MARKER 0xC7C1E

/* Jolt-style cycle-tracking spans. */
static inline void zk_start_cycle_tracking(const char *label, size_t len) { zk_host_io(ZK_JOLT_CYCLE_MARKER, label, len, 1); }
static inline void zk_end_cycle_tracking(const char *label, size_t len) { zk_host_io(ZK_JOLT_CYCLE_MARKER, label, len, 2); }

#endif
