// tries: a compile that never ends and eats memory: #include "/dev/zero", an endless stream of NUL bytes for the preprocessor to buffer
// allowed: 6
// why: the compile box has the compile profile's limits: the preprocessor is stopped by the memory limit (or the compile time limit), and a compile that fails or times out is a Compilation Error; the server keeps answering
// layer: cgroup
#include "/dev/zero"
int main(void) { return 0; }
