package io.completionring;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which form of the seed-000 fence ({@link Fence}) the library uses: the asymmetric one (a compiler barrier for the
 * producer, a full fence and membarrier for a reaper about to park) on JDK 22+ on Linux x86-64 and AArch64 when
 * native access is enabled for it, the symmetric one (a full fence on both sides) everywhere else, and no warning
 * about native access either way.
 *
 * <p>The pom enables native access for the tests on JDK 22+ (profile {@code native-access-22}), so on JDK 25 the whole
 * unit suite, {@code LostWakeupTest} and {@code PingPong} included, runs the asymmetric form, and the first test below
 * fails if it does not. Two tests start a child JVM (the running JDK's {@code java}, the library's classes and this
 * class on its class path, nothing else), without and with {@code --enable-native-access=ALL-UNNAMED}: the flag is
 * the user's switch, and a JVM started without it must neither use the asymmetric form nor print a warning.
 */
class FenceTest {

    /** The platforms where Membarrier can work: Linux on x86-64 or AArch64 (and a kernel of 4.14 or later). */
    private static boolean membarrierPlatform() {
        return System.getProperty("os.name", "").startsWith("Linux")
                && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch", ""));
    }

    private static boolean jdk22OrLater() {
        return Runtime.version().feature() >= 22;
    }

    @Test
    void unitSuiteRunsTheAsymmetricFenceOnJdk22WithNativeAccess() throws ReflectiveOperationException {
        assumeTrue(jdk22OrLater(), "the foreign function API is final in JDK 22; this is " + Runtime.version());
        assumeTrue(membarrierPlatform(), "membarrier is used on Linux x86-64 and AArch64 only");
        final boolean nativeAccess = (Boolean) Module.class.getMethod("isNativeAccessEnabled")
                .invoke(Fence.class.getModule());
        assertTrue(nativeAccess, "the pom's profile native-access-22 should run the tests with "
                + "--enable-native-access=ALL-UNNAMED on JDK 22+");
        assertTrue(Fence.ASYMMETRIC, "native access is enabled, yet the library uses the symmetric fence "
                + "(a kernel without MEMBARRIER_CMD_PRIVATE_EXPEDITED, before 4.14?)");
        assertTrue(Membarrier.AVAILABLE);
    }

    @Test
    void membarrierExpediteReturnsNormally() {
        assumeTrue(Membarrier.AVAILABLE, "membarrier is not in use in this JVM");
        assertDoesNotThrow(() -> {
            for (int i = 0; i < 1000; i++) {
                Membarrier.expedite();
            }
        });
    }

    @Test
    void fenceIsSymmetricBeforeJdk22() {
        assumeTrue(!jdk22OrLater(), "this is JDK " + Runtime.version().feature());
        assertFalse(Fence.ASYMMETRIC);
        assertFalse(Membarrier.AVAILABLE);
    }

    @Test
    void withoutNativeAccessAChildJvmUsesTheSymmetricFenceAndPrintsNoWarning(@TempDir Path dir) throws Exception {
        final ChildJvm.Result child = runChild(dir, List.of());
        assertEquals(0, child.exit(), child.toString());
        assertEquals("asymmetric=false", child.stdout().strip(), child.toString());
        assertFalse(child.stderr().contains("WARNING"), child.toString());
    }

    @Test
    void withNativeAccessAChildJvmOnJdk22UsesTheAsymmetricFenceAndPrintsNoWarning(@TempDir Path dir)
            throws Exception {
        assumeTrue(jdk22OrLater(), "--enable-native-access needs JDK 22+ here; this is " + Runtime.version());
        assumeTrue(membarrierPlatform(), "membarrier is used on Linux x86-64 and AArch64 only");
        final ChildJvm.Result child = runChild(dir, List.of("--enable-native-access=ALL-UNNAMED"));
        assertEquals(0, child.exit(), child.toString());
        assertEquals("asymmetric=true", child.stdout().strip(), child.toString());
        assertFalse(child.stderr().contains("WARNING"), child.toString());
    }

    /** Runs {@link Probe} in a JVM of the running JDK, with {@code flags}, and the library and this class only. */
    private static ChildJvm.Result runChild(Path dir, List<String> flags) throws IOException, InterruptedException {
        final List<String> arguments = new ArrayList<>(flags);
        arguments.addAll(List.of("-cp", ChildJvm.classPath(Fence.class, Probe.class), Probe.class.getName()));
        return ChildJvm.run(dir, ChildJvm.java(), arguments);
    }

    /**
     * The child JVM's main: a reaper parks in getEvents and the producer's completion wakes it, so both halves of the
     * fence run (and anything they would warn about is printed), then it prints which form is in use.
     */
    static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
            final Thread reaper = new Thread(() -> {
                try {
                    ring.getEvents(1, 1, CompletionEvent.newArray(1));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            ring.trySubmit();
            reaper.start();
            while (reaper.getState() != Thread.State.WAITING) { // parked in the ring (the caller bounds the wait)
                Thread.onSpinWait();
            }
            ring.complete(1, 1);
            reaper.join();
            System.out.println("asymmetric=" + Fence.ASYMMETRIC);
        }
    }
}
