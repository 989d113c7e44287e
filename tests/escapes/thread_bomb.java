// tries: a Java thread bomb: starts sleeping threads until the JVM cannot create another, then reports how many it got against the box's process limit
// allowed: 3 10 11
// why: threads count against the pids cgroup and RLIMIT_NPROC, so the JVM gets "unable to create native thread"; the program catches that and exits 0 (3), unless the JVM's own housekeeping threads fail too and it aborts (SIGABRT, 10) or exits 1 (11). More threads than the limit is an escape
// layer: cgroup, rlimit
// args: 60
// limits: cpu=3 wall=6
public class Main {
    public static void main(String[] args) {
        int limit = Integer.parseInt(args[0]);
        int made = 0;
        try {
            for (int i = 0; i < 100000; i++) {
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(1000000);
                    } catch (InterruptedException e) {
                        return;
                    }
                });
                t.setDaemon(true);
                t.start();
                made++;
            }
        } catch (Throwable e) {
            System.out.println("after " + made + " threads: " + e);
        }
        if (made >= limit) {
            System.out.println("ESCAPED " + made + " threads with a process limit of " + limit);
        }
        System.exit(0);
    }
}
