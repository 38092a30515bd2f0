package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library runs on a Java runtime without the {@code jdk.jfr} module: its module-info says {@code requires static
 * jdk.jfr}, and {@link WaitEvents} never touches a JFR class where the module is absent. The test links such a
 * runtime from the running JDK ({@code jlink --add-modules java.base}; the JDK 17 here has its jmods, and the JDK 25's
 * jlink links from the run-time image, JEP 493) and runs {@link Probe} in it, with the library on the module path.
 * With {@code requires jdk.jfr} the child would not start ("Module jdk.jfr not found, required by
 * io.completionring"); with a JFR call not behind {@link WaitEvents#PRESENT} it would fail with a {@code
 * NoClassDefFoundError} on its first wait.
 */
class NoJfrRuntimeTest {

    @Test
    @Timeout(120)
    void theLibraryWaitsAndWakesOnARuntimeWithoutJdkJfr(@TempDir Path dir) throws Exception {
        final Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        assumeTrue(Files.isExecutable(jlink), "no jlink in " + System.getProperty("java.home"));
        final Path runtime = dir.resolve("java-base");
        final Path linkDir = Files.createDirectory(dir.resolve("jlink"));
        final ChildJvm.Result linked = ChildJvm.runCommand(linkDir, List.of(jlink.toString(),
                "--add-modules", "java.base", "--output", runtime.toString()));
        assertEquals(0, linked.exit(), linked.toString());

        final Path runDir = Files.createDirectory(dir.resolve("run"));
        final ChildJvm.Result child = ChildJvm.run(runDir, ChildJvm.java(runtime), List.of(
                "--module-path", ChildJvm.location(CompletionRing.class),
                "--patch-module", "io.completionring=" + ChildJvm.location(Probe.class),
                "--module", "io.completionring/" + Probe.class.getName()));
        assertEquals(0, child.exit(), child.toString());
        assertEquals("modules=[io.completionring, java.base] jfr=false timeout=0 woken=1 closed=-1",
                child.stdout().strip(), child.toString());
    }

    /**
     * The child's main, in the library's module (patched in): a reaper parks past a timeout, a parked reaper is woken
     * by a completion, another by close; then it prints the runtime's modules, whether the library found jdk.jfr,
     * and what the three calls returned.
     */
    static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
            final CompletionEvent[] events = CompletionEvent.newArray(1);
            final int timeout = ring.getEvents(1, 1, events, 20, TimeUnit.MILLISECONDS);
            final int woken = reapWhileParked(ring, events, () -> {
                ring.trySubmit();
                ring.complete(1, 1);
            });
            final int closed = reapWhileParked(ring, events, ring::close);
            final List<String> modules = ModuleLayer.boot().modules().stream().map(Module::getName).sorted().toList();
            System.out.println("modules=" + modules + " jfr=" + WaitEvents.PRESENT + " timeout=" + timeout + " woken="
                    + woken + " closed=" + closed);
        }

        /** Runs {@code action} once a reaper is parked in getEvents(1, 1), and returns what the reaper got. */
        private static int reapWhileParked(CompletionRing ring, CompletionEvent[] events, Runnable action)
                throws InterruptedException {
            final int[] result = new int[1];
            final Thread reaper = new Thread(() -> {
                try {
                    result[0] = ring.getEvents(1, 1, events);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            reaper.start();
            while (reaper.getState() != Thread.State.WAITING) { // parked in the ring (the parent bounds the wait)
                Thread.onSpinWait();
            }
            action.run();
            reaper.join();
            return result[0];
        }
    }
}
