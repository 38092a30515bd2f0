package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code membarrier} call that the kernel refuses, in the middle of a wait: the reaper must keep the event it took
 * before the wait and return it with the others, nothing may be left linked in the wait queue, and the process must go
 * on with the symmetric fence ({@link Fence}). The failure is injected ({@link Membarrier#failNext}) in a child JVM
 * with native access on JDK 22+, so that the switch away from the asymmetric fence does not change the fence of the
 * other tests.
 */
class FailedBarrierTest {

    @Test
    @Timeout(120)
    void aRefusedBarrierLosesNoEventAndTheRingRunsOnWithTheSymmetricFence(@TempDir Path dir) throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "membarrier needs the FFM API of JDK 22+");
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux")
                && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch", "")),
                "membarrier is used on Linux x86-64 and AArch64 only");
        final ChildJvm.Result child = ChildJvm.run(dir, ChildJvm.java(), List.of("--enable-native-access=ALL-UNNAMED",
                "-cp", ChildJvm.classPath(Fence.class, Probe.class), Probe.class.getName()));
        assertEquals(0, child.exit(), child.toString());
        assertEquals(String.join("\n",
                "asymmetric at start",
                "taken=3 1:11 2:22 3:33",
                "left the asymmetric fence",
                "rounds=100000 clean",
                "mode=symmetric"), child.stdout().strip(), child.toString());
    }

    /** The child JVM's main; prints what it saw, one line per step. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            if (!Fence.ASYMMETRIC || Fence.mode() != Fence.MODE_ASYMMETRIC) {
                System.out.println("the asymmetric fence is not in use: nothing to test");
                return;
            }
            System.out.println("asymmetric at start");
            final CompletionRing ring = CompletionRing.builder().capacity(4).spinBudget(0).build();
            ring.trySubmit(3);
            ring.complete(1, 11);
            Membarrier.failNext(1);                         // the reaper's barrier as it parks
            final CompletionEvent[] events = CompletionEvent.newArray(3);
            final int[] taken = new int[1];
            final Throwable[] thrown = new Throwable[1];
            final Thread reaper = new Thread(() -> {
                try {
                    taken[0] = ring.getEvents(3, 3, events); // takes event 1, then waits for two more
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            reaper.start();
            while (Fence.mode() == Fence.MODE_ASYMMETRIC && reaper.isAlive()) { // the barrier was refused
                Thread.onSpinWait();
            }
            ring.complete(2, 22);
            ring.complete(3, 33);
            reaper.join();
            if (thrown[0] != null) {
                thrown[0].printStackTrace(System.out);
                return;
            }
            final StringBuilder line = new StringBuilder("taken=" + taken[0]);
            for (int i = 0; i < Math.max(0, taken[0]); i++) {
                line.append(' ').append(events[i].userData()).append(':').append(events[i].result());
            }
            System.out.println(line);
            System.out.println(Fence.mode() != Fence.MODE_ASYMMETRIC ? "left the asymmetric fence" : "still asymmetric");

            final long rounds = 100_000;
            final PingPong.Counts counts = new PingPong(rounds, 0, 1_000_000, 64, 17).run(Duration.ofSeconds(5));
            System.out.println("rounds=" + counts.rounds() + (counts.clean() ? " clean" : " " + counts));
            System.out.println(Fence.mode() == Fence.MODE_SYMMETRIC ? "mode=symmetric" : "mode=" + Fence.mode());
        }
    }
}
