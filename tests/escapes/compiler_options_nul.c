// tries: a NUL byte inside compiler_options, which no argv can carry, so the host's building of the compiler's argv meets a string it cannot pass to execve
// allowed: 3 6
// why: a field that cannot become an argv is the submission's fault: the API may refuse it (422), the engine may refuse it as a Compilation Error (6), or drop or split it and compile (3); never an Internal Error
// layer: api, host
// http: 201 422
// compiler_options: -O2{nul}-DX
int main(void) { return 0; }
