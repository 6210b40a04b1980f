/* hostile: what a hostile guest tries against the host. The scenario is
 * the first word on stdin; each prints one line per attempt with the raw
 * syscall result (a negative errno on failure), so tests can compare it
 * with Linux (qemu-user) and with the man pages.
 *
 *   files      lseek/llseek to 2^63-1 then write; write at 1 TiB; pwrite of
 *              2 GB in 16 MiB pieces; writev of 1024 x 16 MiB
 *   memory     brk(-1), brk(huge), mmap(0, -1), anonymous mmap of 2^46,
 *              MAP_FIXED of 2^62, munmap of 2^62 and 2^32, /dev/zero mmap
 *              of 8 GiB, a file mmap whose length wraps, mmap after a
 *              failed 1 GiB one
 *   efault     read/getrandom into code: EFAULT
 *   escape     open, create, mkdir and unlink through /m/out (a symlink
 *              the test plants in the mount pointing outside it)
 *   munmap-code / store-rodata / exec-stack / stack-overflow: faults
 *   call-loop  `1: addi; jal ra, 1b` forever (profile it with --max-cycles)
 *   recurse    recursion 30,000 frames deep on a 64 MiB mmap'd stack
 *   many-syscalls  a million getppid calls (trace them)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zkguest.h"

#define NR_openat 56
#define NR_close 57
#define NR_lseek 62
#define NR_read 63
#define NR_write 64
#define NR_writev 66
#define NR_pwrite64 68
#define NR_mkdirat 34
#define NR_unlinkat 35
#define NR_brk 214
#define NR_munmap 215
#define NR_mmap 222
#define NR_getrandom 278
#define NR_getppid 173

#define AT_FDCWD (-100)
#define O_RDWR 2
#define O_CREAT 0100
#define PROT_RW 3
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANON 0x20

static long sys(long n, long a, long b, long c, long d, long e, long f) { return zk_syscall(n, a, b, c, d, e, f); }
static long sys3(long n, long a, long b, long c) { return sys(n, a, b, c, 0, 0, 0); }

static void show(const char *what, long r) { printf("%s: %ld\n", what, r); }
/* Success (0 or more) as "ok", so that addresses do not make output differ. */
static void show_ok(const char *what, long r) {
    if (r >= 0) printf("%s: ok\n", what);
    else printf("%s: %ld\n", what, r);
}

static long open_rw(const char *path) { return sys(NR_openat, AT_FDCWD, (long)path, O_RDWR | O_CREAT, 0644, 0, 0); }

/* lseek to an absolute 64-bit offset (llseek on RV32). */
static long seek_to(long fd, uint64_t off) {
#if __riscv_xlen == 64
    return sys3(NR_lseek, fd, (long)off, 0);
#else
    uint64_t result = 0;
    long r = sys(NR_lseek, fd, (long)(off >> 32), (long)(uint32_t)off, (long)&result, 0, 0);
    return r < 0 ? r : (long)(result != 0);
#endif
}

static void files(void) {
    long fd = open_rw("/tmp/hostile");
    show("open", fd);
    show_ok("lseek 2^63-1", seek_to(fd, 0x7fffffffffffffffULL));
    show("write at 2^63-1", sys3(NR_write, fd, (long)"x", 1));
    show_ok("lseek 1 TiB", seek_to(fd, 1ULL << 40));
    show("write at 1 TiB", sys3(NR_write, fd, (long)"x", 1));
    /* 2 GB in 16 MiB pieces from a 16 MiB anonymous buffer. */
    long len = 16L << 20;
    long buf = sys(NR_mmap, 0, len, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
    show_ok("mmap 16 MiB", buf);
    long wrote = 0, r = 0;
    for (int i = 0; i < 128 && buf > 0; i++) {
        r = sys(NR_pwrite64, fd, buf, len, (long)i * len, 0, 0);
        if (r < 0) break;
        wrote += r;
    }
    printf("pwrite 2 GB: %ld MiB written, last %ld\n", wrote >> 20, r < 0 ? r : 0);
    /* writev of 1024 x 16 MiB to /dev/null. */
    static long iov[2048];
    for (int i = 0; i < 1024; i++) {
        iov[2 * i] = buf;
        iov[2 * i + 1] = len;
    }
    long null = sys(NR_openat, AT_FDCWD, (long)"/dev/null", O_RDWR, 0, 0, 0);
    show_ok("writev 1024 x 16 MiB", sys3(NR_writev, null, (long)iov, 1024));
    sys3(NR_close, fd, 0, 0);
}

static void memory(void) {
    long brk0 = sys3(NR_brk, 0, 0, 0);
    printf("brk(-1) keeps the break: %d\n", sys3(NR_brk, -1, 0, 0) == brk0);
#if __riscv_xlen == 64
    printf("brk(0x7fff00000000) keeps the break: %d\n", sys3(NR_brk, 0x7fff00000000L, 0, 0) == brk0);
    show("mmap anonymous 2^46", sys(NR_mmap, 0, 1L << 46, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0));
    show("mmap MAP_FIXED 2^62", sys(NR_mmap, 1L << 20, 1L << 62, PROT_RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0));
    show("munmap 2^62", sys3(NR_munmap, 1L << 20, 1L << 62, 0));
    show("munmap 2^32 at 2^40", sys3(NR_munmap, 1L << 40, 1L << 32, 0));
    long zero = sys(NR_openat, AT_FDCWD, (long)"/dev/zero", O_RDWR, 0, 0, 0);
    show("mmap /dev/zero 8 GiB", sys(NR_mmap, 0, 8L << 30, PROT_RW, MAP_PRIVATE, zero, 0));
#endif
    show("mmap(0, -1)", sys(NR_mmap, 0, -1, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0));
    long fd = open_rw("/tmp/mapped");
    sys3(NR_write, fd, (long)"data", 4);
    show("mmap file, length wraps", sys(NR_mmap, 0, -4096, PROT_RW, MAP_PRIVATE, fd, 0));
    long big = sys(NR_mmap, 0, 1L << 30, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
    show("mmap 1 GiB", big);
    long small = sys(NR_mmap, 0, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
    uintptr_t s = (uintptr_t)small;
    printf("mmap after it is outside the image: %d\n", small > 0 && (s < 0x80000000u || s >= (uintptr_t)brk0));
    printf("still running\n");
}

static void efault(void) {
    show("read into code", sys3(NR_read, 0, (long)&efault, 4));
    show("getrandom into code", sys3(NR_getrandom, (long)&efault, 4, 0));
    static const char ro[16] = "read-only";
    show("read into rodata", sys3(NR_read, 0, (long)ro, 4));
}

static void escape(void) {
    show("open /m/out/secret", sys(NR_openat, AT_FDCWD, (long)"/m/out/secret", 0, 0, 0, 0));
    show("open /m/sub/up/secret", sys(NR_openat, AT_FDCWD, (long)"/m/sub/up/secret", 0, 0, 0, 0));
    long fd = open_rw("/m/out/created");
    if (fd >= 0) {
        sys3(NR_write, fd, (long)"pwned", 5);
        sys3(NR_close, fd, 0, 0);
    }
    show("create /m/out/created", fd < 0 ? fd : 0);
    show("mkdir /m/out/dir", sys3(NR_mkdirat, AT_FDCWD, (long)"/m/out/dir", 0755));
    show("unlink /m/out/victim", sys3(NR_unlinkat, AT_FDCWD, (long)"/m/out/victim", 0));
    show("open /m/inside", sys(NR_openat, AT_FDCWD, (long)"/m/inside", 0, 0, 0, 0));
}

__attribute__((noipa, aligned(4096))) static int victim(void) { return 42; }
/* Called through a volatile pointer: the compiler cannot fold the call. */
static int (*volatile victim_ptr)(void) = victim;

static void munmap_code(void) {
    uintptr_t page = (uintptr_t)&victim & ~(uintptr_t)4095;
    printf("victim: %d\n", victim_ptr());
    show("munmap code page", sys3(NR_munmap, (long)page, 4096, 0));
    fflush(stdout);
    printf("victim again: %d\n", victim_ptr());
}

static void store_rodata(void) {
    static const char answer[64] = "in .rodata (too large for small data)";
    printf("storing to rodata\n");
    fflush(stdout);
    *(volatile char *)&answer[0] = 1;
    printf("stored\n");
}

static void exec_stack(void) {
    volatile uint32_t code[2] = {0x00008067u /* ret */, 0};
    printf("jumping to the stack\n");
    fflush(stdout);
    ((void (*)(void))(uintptr_t)code)();
    printf("returned\n");
}

__attribute__((noinline)) static long deep(long n) {
    volatile char pad[256];
    pad[0] = (char)n;
    return deep(n + 1) + pad[0];
}

/* A call to itself, forever: every instruction is a call (run with --max-cycles). */
static void call_loop(void) { __asm__ volatile("1: addi a0, a0, 1\n jal ra, 1b"); }

/* Recursion to the given depth on a 64 MiB stack of our own. */
__attribute__((noipa)) long recurse_entry(long n) {
    volatile long here = n;
    return n == 0 ? 0 : recurse_entry(n - 1) + (here > 0);
}

int main(void) {
    /* The first word of stdin, read a byte at a time: the rest stays unread. */
    char word[32] = {0};
    for (size_t i = 0; i < sizeof word - 1; i++) {
        if (sys3(NR_read, 0, (long)&word[i], 1) != 1 || word[i] == '\n' || word[i] == ' ') {
            word[i] = 0;
            break;
        }
    }
    if (!strcmp(word, "files")) files();
    else if (!strcmp(word, "memory")) memory();
    else if (!strcmp(word, "efault")) efault();
    else if (!strcmp(word, "escape")) escape();
    else if (!strcmp(word, "munmap-code")) munmap_code();
    else if (!strcmp(word, "store-rodata")) store_rodata();
    else if (!strcmp(word, "exec-stack")) exec_stack();
    else if (!strcmp(word, "stack-overflow")) return (int)deep(0);
    else if (!strcmp(word, "call-loop")) call_loop();
    else if (!strcmp(word, "many-syscalls")) {
        long sum = 0;
        for (long i = 0; i < 1000000; i++) sum += sys3(NR_getppid, 0, 0, 0);
        printf("%ld getppid calls\n", 1000000 - sum);
    }
    else if (!strcmp(word, "recurse")) {
        /* 30,000 frames need more than the 1 MiB stack: switch to a mapped one. */
        long size = 64L << 20;
        long stack = sys(NR_mmap, 0, size, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
        long depth = 0;
        __asm__ volatile("mv t1, sp\n mv sp, %1\n mv a0, %2\n call recurse_entry\n mv sp, t1\n mv %0, a0"
                         : "=r"(depth) : "r"(stack + size), "r"(30000L) : "t1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                           "t0", "t2", "t3", "t4", "t5", "t6", "ra", "memory");
        printf("recursed %ld deep\n", depth);
    }
    else {
        printf("unknown scenario '%s'\n", word);
        return 2;
    }
    return 0;
}
