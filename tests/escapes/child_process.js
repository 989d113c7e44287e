// tries: Node's child_process: execSync of a shell that reads the host's canaries, /etc/shadow and every visible environ, and spawnSync of id; then fork bombs through child_process.fork until refused
// allowed: 3
// why: the children run in the box (its namespaces and uid), so the reads fail, and fork stops at the process limit; errors are caught and printed and the program exits 0. The suite checks no output holds a secret and no process survives
// layer: namespace, mount, cgroup
// limits: cpu=3 wall=6
const { execSync, spawnSync, spawn } = require('child_process');

try {
  const out = execSync("cat /root/jbx-canary /tmp/jbx-canary /var/tmp/jbx-canary /dev/shm/jbx-canary /etc/shadow 2>&1; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/environ; echo; done; true");
  console.log(out.toString());
} catch (e) {
  console.log('execSync failed: ' + e.message);
}
console.log(spawnSync('id').stdout.toString());
let made = 0;
for (let i = 0; i < 200; i++) {
  try {
    const c = spawn('/bin/sleep', ['1000'], { stdio: 'ignore' });
    c.on('error', () => {});
    if (!c.pid) break;
    made++;
  } catch (e) {
    break;
  }
}
console.log(`spawned ${made} sleepers`);
setTimeout(() => process.exit(0), 300);
