// tries: the host's files through Java's NIO: reads /etc/shadow, the canaries and /proc/1/environ, walks / (outside /usr and /proc) listing everything, and tries to create files in /usr/local/share, /etc and /root
// allowed: 3
// why: the JVM is in the box's mount namespace: the host's files do not exist there, / holds only the box's own tree, and /usr and /etc are read-only; every attempt throws and is reported, and the program exits 0
// layer: mount, landlock
// limits: cpu=3 wall=6
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

public class Main {
    public static void main(String[] args) {
        for (String p : new String[] {"/etc/shadow", "/root/jbx-canary", "/var/tmp/jbx-canary", "/proc/1/environ"}) {
            try {
                System.out.println("read " + p + ": " + new String(Files.readAllBytes(Paths.get(p))));
            } catch (IOException e) {
                System.out.println(p + ": " + e.getClass().getSimpleName());
            }
        }
        try (Stream<Path> all = Files.walk(Paths.get("/"), 3)) {
            all.filter(p -> !p.startsWith("/usr") && !p.startsWith("/proc")).forEach(p -> System.out.println("seen " + p));
        } catch (IOException | java.io.UncheckedIOException e) {
            System.out.println("walk: " + e.getMessage());
        }
        for (String p : new String[] {"/usr/local/share/jbxpwn-java", "/etc/jbxpwn-java", "/root/jbxpwn-java"}) {
            try {
                Files.writeString(Paths.get(p), "x");
                System.out.println("created " + p);
            } catch (IOException e) {
                System.out.println(p + ": " + e.getClass().getSimpleName());
            }
        }
    }
}
