// tries: Node's child_process with detached: true and unref(), a shell that backgrounds a sleeper, and a setsid sleeper, then the program ends at once
// allowed: 3
// why: the program exits 0 (Accepted); detached children still live in the box's pid namespace and cgroup and must die with the box: the suite checks none outlives the verdict
// layer: namespace, cgroup
const { spawn } = require('child_process');

spawn('/bin/sleep', ['1000'], { detached: true, stdio: 'ignore' }).unref();
spawn('/bin/sh', ['-c', 'sleep 1001 &'], { detached: true, stdio: 'ignore' }).unref();
spawn('/usr/bin/setsid', ['-f', 'sleep', '1002'], { detached: true, stdio: 'ignore' }).unref();
console.log('detached');
setTimeout(() => process.exit(0), 200);
