// tries: hunts the whole visible filesystem for secrets: walks / (skipping /usr and /proc/*/task), reads every readable file whose name mentions jbx, canary, secret, shadow, token, key or env, and every /proc/*/environ and cmdline
// allowed: 3
// why: the box's / holds only its own files and the profile's read-only binds, and its /proc only its own processes, so the hunt finds nothing of the host's; the program exits 0. The suite checks its output holds no secret
// layer: mount, namespace
const fs = require('fs');
const path = require('path');

const interesting = /jbx|canary|secret|shadow|token|key|env/i;
let seen = 0;
function walk(dir, depth) {
  if (depth > 6 || dir === '/usr' || /^\/proc\/\d+\/task/.test(dir) || dir === '/proc/sys') return;
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    seen++;
    if (e.isDirectory()) walk(p, depth + 1);
    else if (e.isFile() && interesting.test(e.name) && !p.startsWith('/proc/sys')) {
      try { console.log(`${p}: ${fs.readFileSync(p).toString().slice(0, 200).replace(/\0/g, ' ')}`); } catch (err) { /* unreadable */ }
    }
  }
}
walk('/', 0);
for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
  for (const f of ['environ', 'cmdline']) {
    try { console.log(`/proc/${pid}/${f}: ${fs.readFileSync(`/proc/${pid}/${f}`).toString().replace(/\0/g, ' ')}`); } catch (e) { /* gone */ }
  }
}
console.log(`walked ${seen} entries`);
