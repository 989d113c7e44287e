# tries: CVE-2024-28185 through the archive (and go-judge #176): additional_files holds symlink entries named compile and stdout pointing at a host canary and /etc/shadow, for an unzip on the host to create and a later step to follow
# allowed: 6
# why: judgebox unpacks the zip itself on the host and refuses link entries outright ("links are not unpacked"), so the submission fails before anything runs: Compilation Error, with nothing created
# layer: host
# language: 89
# zip: run
# zip-link: compile -> /root/jbx-canary
# zip-link: stdout -> /etc/shadow
cat compile stdout
