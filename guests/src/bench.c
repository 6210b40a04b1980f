/* bench: a compute loop of about a billion instructions, for benchmarks. */
#include <stdint.h>
#include <stdio.h>

#define N 4096
static uint32_t table[N];

__attribute__((noinline)) static uint32_t mix(uint32_t rounds)
{
    uint32_t x = 0x12345678, acc = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            table[i] += x;
            acc += table[(i * 7) & (N - 1)] * 3 + (x >> 3);
        }
    }
    return acc;
}

int main(void)
{
    /* about 17 instructions per inner iteration: 14,000 rounds of 4096 ~ 1e9 */
    uint32_t acc = mix(14000);
    printf("bench checksum: %08x\n", (unsigned)acc);
    return 0;
}
