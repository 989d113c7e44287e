# tries: an archive whose entries clash: a file named lib, then lib/x inside it as if lib were a directory, so that unpacking on the host hits ENOTDIR half-way
# allowed: 3 6
# why: an archive that cannot be unpacked is the submission's fault: judgebox refuses bad archives as a Compilation Error (6), and Judge0, which ignores unzip's failures, would run the program without those entries (3). The service must not fail with an Internal Error, nor lose the jail over it
# layer: host
# language: 89
# zip: run
# zip-file: lib=a file
# zip-file: lib/x=inside a file
echo "ran without the clashing entries"
