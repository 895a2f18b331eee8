/*
 * Independent check of the CohortHash test vectors against the reference C xxHash library (0.8.x):
 *   gcc -o xref xxh3-reference-check.c /usr/lib/x86_64-linux-gnu/libxxhash.so.0 && ./xref
 * Prints seed and hash per salt and key; they must equal CohortHashTest.VECTORS.
 */
#include <stdio.h>
#include <string.h>
#include <stddef.h>
unsigned long long XXH3_64bits_withSeed(const void*, size_t, unsigned long long);
static void h(const char* salt, const unsigned char* le, size_t n, const char* label){
  unsigned long long seed = XXH3_64bits_withSeed(salt, strlen(salt), 0);
  printf("salt '%s' seed %016llx key %s -> %016llx\n", salt, seed, label, XXH3_64bits_withSeed(le, n, seed));
}
int main(){
  /* UTF-16LE of "client-42" */
  const char* ascii[] = {"", "a", "client-42", "user@example.com", "203.0.113.7",
   "a-much-longer-client-key-that-is-over-two-hundred-and-forty-bytes-when-encoded-as-utf-16-so-the-long-input-path-of-xxh3-is-exercised-too-0123456789"};
  const char* salts[] = {"", "readmit"};
  for (int s=0;s<2;s++) for (int i=0;i<6;i++){
    unsigned char buf[1024]; size_t n=strlen(ascii[i]);
    for(size_t j=0;j<n;j++){buf[2*j]=ascii[i][j];buf[2*j+1]=0;}
    h(salts[s], buf, 2*n, ascii[i]);
  }
  /* "Zoë-客户-😀": Z o U+00EB - U+5BA2 U+6237 - U+D83D U+DE00 */
  unsigned short u[] = {0x5A,0x6F,0xEB,0x2D,0x5BA2,0x6237,0x2D,0xD83D,0xDE00};
  unsigned char b[18]; for(int j=0;j<9;j++){b[2*j]=u[j]&0xff;b[2*j+1]=u[j]>>8;}
  h("", b, 18, "Zoe-unicode"); h("readmit", b, 18, "Zoe-unicode");
  return 0;
}
