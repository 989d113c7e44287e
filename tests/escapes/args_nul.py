# tries: a NUL byte inside command_line_arguments, which no argv can carry: a host that builds the program's argv (or a shell script, as Judge0 does) from it must not trip over it
# allowed: 3 6
# why: a field that cannot become an argv is the submission's fault: the API may refuse it (422), the engine may refuse it the way it refuses unbalanced quotes (Compilation Error, 6), or split it (the program prints its argv and exits 0, 3); never an Internal Error
# layer: api, host
# http: 201 422
# args: before{nul}after
import sys

print(sys.argv[1:])
