/* vars: locals and arguments of many types for the debugger's variable
 * printing (built with -Og so that they stay visible): integers, a
 * character, a string, an enum, a struct with a nested array, a pointer
 * to it, a union, a global array of structs. */
#include <stdio.h>

enum color { RED, GREEN = 5, BLUE };

struct point {
    int x;
    int y;
};

struct shape {
    const char *name;
    enum color color;
    struct point corners[3];
    unsigned char flags;
    long long area;
};

union word {
    unsigned int u;
    unsigned char b[4];
};

struct shape shapes[2];

__attribute__((noinline)) long long area(struct shape *s, int scale)
{
    long long a = 0;
    for (int i = 0; i < 3; i++) {
        struct point *p = &s->corners[i];
        a += (long long)p->x * p->y * scale;
    }
    s->area = a;
    return a;
}

int main(void)
{
    struct shape tri = { "triangle", BLUE, { { 1, 2 }, { 3, 4 }, { 5, -6 } }, 0x81, 0 };
    union word w = { .u = 0x11223344 };
    char letter = 'Z';
    shapes[1] = tri;
    long long total = area(&tri, 2);
    total += area(&shapes[1], (w.b[0] & 3) + 1);
    printf("%s %lld %c\n", tri.name, total, letter);
    return total == -48 ? 0 : 1;
}
