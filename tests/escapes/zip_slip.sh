# tries: zip slip: additional_files entries named ../../../../tmp/jbxpwn-zipslip and /tmp/jbxpwn-zipabs, so an unzip on the host writes outside the box
# allowed: 6
# why: every entry name must be a plain relative path inside the box; these are refused before anything is written: Compilation Error. The suite checks no jbxpwn file appears in the host's /tmp
# layer: host
# language: 89
# zip: run
# zip-file: ../../../../tmp/jbxpwn-zipslip=x
# zip-file: /tmp/jbxpwn-zipabs=x
echo "not reached"
