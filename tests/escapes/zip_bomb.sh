# tries: a zip bomb: additional_files with a 20 MB entry of zeros that compresses to a few KB, against a 10240 KB extraction limit
# allowed: 6
# why: the unpacked size is counted as the bytes come out of the decompressor, and past Judge0's MAX_EXTRACT_SIZE (10240 KB) the submission is refused: Compilation Error, with nothing written
# layer: host
# language: 89
# zip: run
# zip-zeros: bomb.bin 20480
echo "not reached"
