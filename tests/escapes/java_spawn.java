// tries: process spawning from Java: ProcessBuilder runs a shell that reads the host's canaries, /etc/shadow and every visible environ, Runtime.exec starts a sleeper it never waits for, and a setsid'd sleeper is left behind as the JVM exits
// allowed: 3
// why: the spawned processes are in the box (its mount and pid namespaces, its uid), so the reads fail, and the sleepers die with the box's cgroup and pid namespace when the JVM exits 0; the suite checks no process outlives the verdict and no output holds a secret
// layer: namespace, mount, cgroup
// limits: cpu=3 wall=6
import java.io.IOException;

public class Main {
    public static void main(String[] args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c",
            "cat /root/jbx-canary /tmp/jbx-canary /var/tmp/jbx-canary /dev/shm/jbx-canary /etc/shadow 2>&1; "
            + "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/environ; echo; done; id");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        System.out.print(new String(p.getInputStream().readAllBytes()));
        System.out.println("shell exited " + p.waitFor());
        try {
            Runtime.getRuntime().exec(new String[] {"/bin/sleep", "1000"});
            new ProcessBuilder("/usr/bin/setsid", "-f", "/bin/sleep", "1001").start().waitFor();
            System.out.println("left two sleepers behind");
        } catch (IOException e) {
            System.out.println("spawn failed: " + e.getMessage());
        }
        System.exit(0);
    }
}
