/* prof: functions with known cycle counts, for the profiler's tests.
 *
 * spin10 runs exactly 22 instructions per call: li, then 10 x (addi, bnez),
 * then ret (1 + 2*10 + 1); main calls it 7 times. tail_to_spin runs 2
 * instructions (addi, j) and tail-calls spin10. deep() longjmps out of
 * six nested frames. checksum is a static inline function: it has no code
 * of its own, only inlined copies inside main; an SP1-style span
 * ("cycle-tracker-start: NAME" on stdout) surrounds it. */
#include <setjmp.h>
#include <stdio.h>

__asm__(".text\n"
        ".globl spin10\n"
        ".type spin10, @function\n"
        "spin10:\n"
        "  li t0, 10\n"
        "1:\n"
        "  addi t0, t0, -1\n"
        "  bnez t0, 1b\n"
        "  ret\n"
        ".size spin10, .-spin10\n"
        ".globl tail_to_spin\n"
        ".type tail_to_spin, @function\n"
        "tail_to_spin:\n"
        "  addi a0, a0, 1\n"
        "  j spin10\n"
        ".size tail_to_spin, .-tail_to_spin\n");

void spin10(void);
void tail_to_spin(void);

static inline __attribute__((always_inline)) unsigned checksum(const unsigned char *p, unsigned n)
{
    unsigned h = 5381;
    for (unsigned i = 0; i < n; i++)
        h = h * 33 + p[i];
    return h;
}

static unsigned char data[1000];

/* deep recurses n levels, then longjmps back to main past every frame. */
static jmp_buf env;
static volatile int sink;

__attribute__((noinline)) static void deep(int n)
{
    if (n == 0)
        longjmp(env, 1);
    deep(n - 1);
    sink++; /* no tail call */
}

int main(void)
{
    for (int i = 0; i < 6; i++)
        spin10();
    tail_to_spin();
    if (setjmp(env) == 0)
        deep(5);
    /* After the longjmp the shadow stack must be back in main. */
    spin10();
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7);
    /* An SP1-style cycle-tracking span around the inlined checksum. */
    fputs("cycle-tracker-start: checksum\n", stdout);
    fflush(stdout);
    unsigned h = checksum(data, sizeof data);
    fputs("cycle-tracker-end: checksum\n", stdout);
    fflush(stdout);
    printf("checksum %08x\n", h);
    return 0;
}
