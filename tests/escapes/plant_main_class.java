// tries: number_of_runs 2: the first run replaces its own Main.class with a symlink to the host's canary and plants links for the other class files, so the second run's JVM loads the host file as a class (and prints it in an error)
// allowed: 11
// why: /box is nosymfollow, so the second JVM cannot open Main.class through the link and exits 1 ("Could not find or load main class"): Runtime Error (NZEC), with no secret in its output
// layer: mount, host
// limits: runs=2 cpu=3 wall=6
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

public class Main {
    public static void main(String[] args) throws Exception {
        Path main = Paths.get("Main.class");
        Files.delete(main);
        Files.createSymbolicLink(main, Paths.get("/root/jbx-canary"));
        Files.createSymbolicLink(Paths.get("Main$1.class"), Paths.get("/etc/shadow"));
        System.out.println("Main.class now links to /root/jbx-canary");
    }
}
