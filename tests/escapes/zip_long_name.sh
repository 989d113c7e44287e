# tries: an archive entry whose name is 300 bytes long, one component longer than any Linux filesystem allows (255), so the host's unpacking into the box fails half-way
# allowed: 3 6
# why: an archive that cannot be unpacked is the submission's fault: judgebox refuses bad archives as a Compilation Error (6), and Judge0, which ignores unzip's failures, would run the program without the entry (3). The service must not fail with an Internal Error, nor lose the jail over it
# layer: host
# language: 89
# zip: run
# zip-file: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn=x
echo "ran without the long entry"
