// tries: floods compile_output from the compiler itself: 131072 unused variables made by macro expansion, each warned about with its whole expansion trace under -Wall (hundreds of MB of diagnostics if nothing stops it)
// allowed: 6
// why: compile output is capped like Judge0's (4096 KB, RLIMIT_FSIZE on the compile output): the compiler is stopped at the cap and the compile fails, Compilation Error, with a bounded compile_output; the server keeps answering
// layer: rlimit, host
// compiler_options: -Wall
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define V int CAT(v, __COUNTER__);
#define V4 V V V V
#define V16 V4 V4 V4 V4
#define V64 V16 V16 V16 V16
#define V256 V64 V64 V64 V64
#define V1K V256 V256 V256 V256
#define V4K V1K V1K V1K V1K
#define V16K V4K V4K V4K V4K
#define V64K V16K V16K V16K V16K
int main(void) { V64K V64K return 0; }
