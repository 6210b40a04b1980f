/* Airbender's delegations, as its circuits' guests call them
 * (`csrrw x0, CSR, x0`; risc_v_simulator/src/delegations/):
 * BLAKE2s of the 64-byte node left || right in compression mode (ten
 * BLAKE2_ROUND_FUNCTION_WITH_EXTENDED_CONTROL calls, round r selected by
 * bit r of a2, the last with LAST_ROUND), then U256_OPS_WITH_CONTROL:
 * a + b with carry out, then the low half of the product.
 * The delegations take pointers at or above 2 MiB (below is the ROM),
 * so the operands are copied there first.
 * Output (x10..x17 at the final `j .`): hash words 0..3, the sum's low
 * word, its carry flag, the product's low word and its overflow flag. */
    .section .text.start, "ax"
    .globl _start
_start:
    li s0, 0x200000          /* state: 8 + 16 words, 128-byte aligned */
    li s1, 0x200080          /* input: the right half, 16 words */
    li s2, 0x200100          /* U256 a */
    li s3, 0x200120          /* U256 b */
    /* state[0..8] = left, input[0..8] = right (words i*0x01010101 and
     * ~(3i)), a = 2^256 - 1 - 5, b = 7 + 2^32 */
    li t0, 0
1:  li t1, 0x01010101
    mul t1, t1, t0
    slli t2, t0, 2
    add t3, s0, t2
    sw t1, 0(t3)
    li t1, 3
    mul t1, t1, t0
    not t1, t1
    add t3, s1, t2
    sw t1, 0(t3)
    li t1, -1
    add t3, s2, t2
    sw t1, 0(t3)
    add t3, s3, t2
    sw zero, 0(t3)
    addi t0, t0, 1
    li t1, 8
    bne t0, t1, 1b
    li t1, -6
    sw t1, 0(s2)
    li t1, 7
    sw t1, 0(s3)
    li t1, 1
    sw t1, 4(s3)
    /* ten rounds */
    li t0, 0
2:  mv a0, s0
    mv a1, s1
    li a2, 1
    sll a2, a2, t0
    li a3, 4
    li t1, 9
    bne t0, t1, 3f
    li a3, 5
3:  csrrw x0, 0x7c7, x0
    addi t0, t0, 1
    li t1, 10
    bne t0, t1, 2b
    /* a + b, carry in 0 */
    mv a0, s2
    mv a1, s3
    li a2, 1
    csrrw x0, 0x7ca, x0
    mv s4, a2
    lw s5, 0(s2)
    /* low half of (a + b) * b */
    mv a0, s2
    mv a1, s3
    li a2, 8
    csrrw x0, 0x7ca, x0
    mv s6, a2
    lw s7, 0(s2)
    lw a0, 0(s0)
    lw a1, 4(s0)
    lw a2, 8(s0)
    lw a3, 12(s0)
    mv a4, s5
    mv a5, s4
    mv a6, s7
    mv a7, s6
4:  j 4b
