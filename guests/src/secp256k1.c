/*
 * secp256k1: libsecp256k1 (from the secp256k1-sys crate's C sources)
 * verifying an ECDSA signature from a published test vector: the RFC 6979
 * deterministic signature by private key 1 of SHA-256("Satoshi Nakamoto"),
 * as in trezor-crypto's and python-ecdsa's secp256k1 test vectors.
 */
#include <stdio.h>
#include <string.h>

#include "secp256k1.h"

static void unhex(const char *hex, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[i] = (unsigned char)v;
    }
}

int main(void)
{
    /* The public key of private key 1 is the generator G (compressed). */
    static const char *pub_hex = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    /* SHA-256("Satoshi Nakamoto") */
    static const char *msg_hex = "a0dc65ffca799873cbea0ac274015b9526505daaaed385155425f7337704883e";
    /* r || s */
    static const char *sig_hex = "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
                                 "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5";
    unsigned char pub_bytes[33], msg[32], sig_bytes[64];
    unhex(pub_hex, pub_bytes, sizeof pub_bytes);
    unhex(msg_hex, msg, sizeof msg);
    unhex(sig_hex, sig_bytes, sizeof sig_bytes);

    const rustsecp256k1_v0_14_context *ctx = rustsecp256k1_v0_14_context_static;
    rustsecp256k1_v0_14_pubkey pub;
    rustsecp256k1_v0_14_ecdsa_signature sig;
    if (!rustsecp256k1_v0_14_ec_pubkey_parse(ctx, &pub, pub_bytes, sizeof pub_bytes)) {
        printf("public key: invalid\n");
        return 1;
    }
    if (!rustsecp256k1_v0_14_ecdsa_signature_parse_compact(ctx, &sig, sig_bytes)) {
        printf("signature: unparseable\n");
        return 1;
    }
    int valid = rustsecp256k1_v0_14_ecdsa_verify(ctx, &sig, msg, &pub);
    printf("ECDSA signature valid: %s\n", valid ? "yes" : "no");

    msg[0] ^= 1;
    int tampered = rustsecp256k1_v0_14_ecdsa_verify(ctx, &sig, msg, &pub);
    printf("tampered message rejected: %s\n", tampered ? "no" : "yes");
    return valid && !tampered ? 0 : 1;
}
