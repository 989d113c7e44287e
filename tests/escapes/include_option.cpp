// tries: reads a host file at compile time through compiler_options: -include of the host's /dev/shm canary (its content would be compiled, and printed in the errors), so the source itself looks harmless
// allowed: 6
// why: the compiler runs in a box whose /dev/shm is its own, so g++ cannot find the file and stops: Compilation Error, with a "No such file" message and no secret in compile_output
// layer: mount
// compiler_options: -include {shm_canary}
#include <iostream>

int main() {
    std::cout << "compiled" << std::endl;
    return 0;
}
