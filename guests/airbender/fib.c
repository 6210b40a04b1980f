/* A ZKsync Airbender program written to its conventions (flat binary at
 * address 0, input from the non-determinism CSR 0x7c0, output in a0..a7 at
 * the final `j .`), after its examples/basic_fibonacci: reads n from the
 * oracle (10 when it is empty), prints it through the oracle's UART
 * protocol, runs the example's loop n times and outputs [b, n, 0, ...]:
 * b = 144 for n = 10, as the example. */

static inline unsigned oracle_read(void) {
    unsigned v;
    __asm__ volatile("csrrw %0, 0x7c0, x0" : "=r"(v));
    return v;
}

static inline void oracle_write(unsigned v) {
    __asm__ volatile("csrrw x0, 0x7c0, %0" : : "r"(v));
}

/* The UART protocol (QuasiUARTSource): u32::MAX, the words that follow
 * (the length and the data), the length in bytes, the data. */
static void uart_print(const char *s, unsigned len) {
    oracle_write(0xffffffffu);
    oracle_write(1 + (len + 3) / 4);
    oracle_write(len);
    for (unsigned i = 0; i < len; i += 4) {
        unsigned w = 0;
        for (unsigned j = 0; j < 4 && i + j < len; j++)
            w |= (unsigned)(unsigned char)s[i + j] << (8 * j);
        oracle_write(w);
    }
}

static unsigned fmt_u32(char *out, unsigned v) {
    char tmp[10];
    unsigned n = 0, k = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[k++] = tmp[--n];
    return k;
}

__attribute__((noreturn)) static void finish(unsigned r0, unsigned r1) {
    register unsigned a0 __asm__("a0") = r0;
    register unsigned a1 __asm__("a1") = r1;
    register unsigned a2 __asm__("a2") = 0;
    register unsigned a3 __asm__("a3") = 0;
    register unsigned a4 __asm__("a4") = 0;
    register unsigned a5 __asm__("a5") = 0;
    register unsigned a6 __asm__("a6") = 0;
    register unsigned a7 __asm__("a7") = 0;
    __asm__ volatile("1: j 1b"
                     :
                     : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7));
    __builtin_unreachable();
}

__attribute__((noreturn)) void main(void) {
    unsigned n = oracle_read();
    if (n == 0)
        n = 10;
    static const char prefix[] = "fib rounds: ";
    char line[32];
    unsigned len = 0;
    while (prefix[len]) {
        line[len] = prefix[len];
        len++;
    }
    len += fmt_u32(line + len, n);
    uart_print(line, len);
    unsigned a = 1, b = 1;
    for (unsigned i = 0; i < n; i++) {
        unsigned c = a + b;
        a = b;
        b = c;
    }
    finish(b, n);
}
