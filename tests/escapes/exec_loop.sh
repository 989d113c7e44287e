#!/box/a.out
# tries: an Executable (language 44) whose #! line names itself, so execve recurses through the script loader until the kernel gives up (ELOOP)
# allowed: 14
# why: the kernel refuses to execute the file (ELOOP, too many levels of interpreters); that is the submission's fault and Judge0's Exec Format Error (14), never an Internal Error of the service
# layer: host
# language: 44
echo "not reached"
