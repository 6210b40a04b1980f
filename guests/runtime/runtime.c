/*
 * zkdbg guest runtime: C start-up and the syscall shims that turn
 * picolibc's POSIX calls (read, write, open, sbrk, ...) into Linux ecalls,
 * as ZeroOS does. The same ELF runs under zkdbg (served by zeroos) and under
 * qemu-riscv64/qemu-riscv32 (served by Linux emulation).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "zkguest.h"

/* Linux asm-generic syscall numbers. */
#define NR_unlinkat 35
#define NR_openat 56
#define NR_close 57
#define NR_lseek 62 /* llseek on rv32 */
#define NR_read 63
#define NR_write 64
#define NR_fstat 80
#define NR_exit_group 94
#define NR_clock_gettime 113
#define NR_gettimeofday 169
#define NR_brk 214
#define NR_getrandom 278
#define NR_statx 291
#define NR_clock_gettime64 403
#define NR_ioctl 29
#define NR_times 153
#define NR_getpid 172
#define NR_kill 129
#define LINUX_AT_FDCWD (-100)

static long sys_ret(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

ssize_t read(int fd, void *buf, size_t n) { return sys_ret(zk_syscall(NR_read, fd, (long)buf, (long)n, 0, 0, 0)); }

ssize_t write(int fd, const void *buf, size_t n)
{
    return sys_ret(zk_syscall(NR_write, fd, (long)buf, (long)n, 0, 0, 0));
}

int open(const char *path, int flags, ...)
{
    long mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    /* picolibc (newlib) flag values -> Linux asm-generic values */
    long lf = flags & 3;
    if (flags & O_CREAT) lf |= 0100;
    if (flags & O_EXCL) lf |= 0200;
    if (flags & O_TRUNC) lf |= 01000;
    if (flags & O_APPEND) lf |= 02000;
    return (int)sys_ret(zk_syscall(NR_openat, LINUX_AT_FDCWD, (long)path, lf, mode, 0, 0));
}

int close(int fd) { return (int)sys_ret(zk_syscall(NR_close, fd, 0, 0, 0, 0, 0)); }

off_t lseek(int fd, off_t off, int whence)
{
#if __riscv_xlen == 64
    return sys_ret(zk_syscall(NR_lseek, fd, off, whence, 0, 0, 0));
#else
    long long result = 0;
    long long o = off;
    long r = zk_syscall(NR_lseek, fd, (long)(o >> 32), (long)(o & 0xffffffff), (long)&result, whence, 0);
    if (sys_ret(r) < 0) return -1;
    return (off_t)result;
#endif
}

int fstat(int fd, struct stat *st)
{
    unsigned char k[256];
    memset(st, 0, sizeof *st);
#if __riscv_xlen == 64
    long r = zk_syscall(NR_fstat, fd, (long)k, 0, 0, 0, 0);
    if (sys_ret(r) < 0) return -1;
    uint32_t mode;
    int64_t size;
    memcpy(&mode, k + 16, 4);
    memcpy(&size, k + 48, 8);
#else
    static const char empty[] = "";
    long r = zk_syscall(NR_statx, fd, (long)empty, 0x1000 /* AT_EMPTY_PATH */, 0x7ff, (long)k, 0);
    if (sys_ret(r) < 0) return -1;
    uint16_t mode;
    uint64_t size;
    memcpy(&mode, k + 28, 2);
    memcpy(&size, k + 40, 8);
#endif
    st->st_mode = mode;
    st->st_size = (off_t)size;
    st->st_blksize = 4096;
    return 0;
}

int isatty(int fd)
{
    unsigned char termios[64];
    return zk_syscall(NR_ioctl, fd, 0x5401 /* TCGETS */, (long)termios, 0, 0, 0) == 0;
}

int unlink(const char *path) { return (int)sys_ret(zk_syscall(NR_unlinkat, LINUX_AT_FDCWD, (long)path, 0, 0, 0, 0)); }

void _exit(int status)
{
    for (;;) zk_syscall(NR_exit_group, status, 0, 0, 0, 0, 0);
}

void *sbrk(ptrdiff_t incr)
{
    static char *cur;
    if (!cur) cur = (char *)zk_syscall(NR_brk, 0, 0, 0, 0, 0, 0);
    char *want = cur + incr;
    char *got = (char *)zk_syscall(NR_brk, (long)want, 0, 0, 0, 0, 0);
    if (got != want) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = cur;
    cur = want;
    return old;
}

int getentropy(void *buf, size_t len)
{
    return sys_ret(zk_syscall(NR_getrandom, (long)buf, (long)len, 0, 0, 0, 0)) < 0 ? -1 : 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
#if __riscv_xlen == 64
    return (int)sys_ret(zk_syscall(NR_gettimeofday, (long)tv, 0, 0, 0, 0, 0));
#else
    long long ts[2];
    long r = zk_syscall(NR_clock_gettime64, 0 /* CLOCK_REALTIME */, (long)ts, 0, 0, 0, 0);
    if (sys_ret(r) < 0) return -1;
    tv->tv_sec = (time_t)ts[0];
    tv->tv_usec = (suseconds_t)(ts[1] / 1000);
    return 0;
#endif
}

clock_t times(struct tms *buf)
{
    /* Linux's struct tms is four longs in clock ticks, as picolibc's is. */
    long k[4];
    long r = zk_syscall(NR_times, (long)k, 0, 0, 0, 0, 0);
    if (buf) {
        buf->tms_utime = (clock_t)k[0];
        buf->tms_stime = (clock_t)k[1];
        buf->tms_cutime = (clock_t)k[2];
        buf->tms_cstime = (clock_t)k[3];
    }
    return (clock_t)r;
}

pid_t getpid(void) { return (pid_t)zk_syscall(NR_getpid, 0, 0, 0, 0, 0, 0); }

int kill(pid_t pid, int sig) { return (int)sys_ret(zk_syscall(NR_kill, pid, sig, 0, 0, 0, 0)); }

/* Things picolibc expects from the OS that a guest has no use for. */
int system(const char *cmd) { return cmd ? -1 : 0; }
int rename(const char *from, const char *to)
{
    (void)from;
    (void)to;
    errno = ENOSYS;
    return -1;
}
char *tmpnam(char *s)
{
    (void)s;
    return NULL;
}

/* stdin, stdout and stderr (line buffered) on fds 0, 1, 2. */
static char stdin_buf[512], stdout_buf[512], stderr_buf[256];
static struct __file_bufio zk_stdin =
    FDEV_SETUP_BUFIO(0, stdin_buf, sizeof stdin_buf, read, write, lseek, close, __SRD, 0);
static struct __file_bufio zk_stdout =
    FDEV_SETUP_BUFIO(1, stdout_buf, sizeof stdout_buf, read, write, lseek, close, __SWR, __BLBF);
static struct __file_bufio zk_stderr = FDEV_SETUP_BUFIO(2, stderr_buf, sizeof stderr_buf, read, write, lseek, close, __SWR, __BLBF);
FILE *const stdin = (FILE *)&zk_stdin;
FILE *const stdout = (FILE *)&zk_stdout;
FILE *const stderr = (FILE *)&zk_stderr;

/* The 128-byte canary at the low end of the stack (see link.ld). */
extern unsigned char __stack_canary[128];
#define CANARY_BYTE 0xa5

static void zk_at_exit(void)
{
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 128; i++) {
        if (__stack_canary[i] != CANARY_BYTE) {
            static const char msg[] = "zkguest: stack overflow: the stack canary was overwritten\n";
            write(2, msg, sizeof msg - 1);
            _exit(134);
        }
    }
}

extern void __libc_init_array(void);
int main(int argc, char **argv);

void __zk_start(void)
{
    static char name[] = "guest";
    static char *argv[] = {name, NULL};
    memset(__stack_canary, CANARY_BYTE, sizeof __stack_canary);
    __libc_init_array();
    atexit(zk_at_exit);
    exit(main(1, argv));
}
