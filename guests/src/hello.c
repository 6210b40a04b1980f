/* hello: printf, malloc, and a file written then read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkguest.h"

int main(void)
{
    printf("Hello from a zkVM guest (%s)!\n", ZK_XLEN_NAME);

    char *msg = malloc(64);
    if (!msg) return 1;
    strcpy(msg, "malloc works");
    printf("%s: %zu bytes at a heap address\n", msg, strlen(msg));

    const char *path = "/tmp/zkdbg-hello.txt";
    FILE *f = fopen(path, "w");
    if (!f) {
        perror("fopen for writing");
        return 2;
    }
    fprintf(f, "%d squared is %d\n", 12, 12 * 12);
    fclose(f);

    char line[64] = {0};
    f = fopen(path, "r");
    if (!f || !fgets(line, sizeof line, f)) {
        perror("reading back");
        return 3;
    }
    fclose(f);
    printf("read back: %s", line);
    free(msg);
    return 0;
}
