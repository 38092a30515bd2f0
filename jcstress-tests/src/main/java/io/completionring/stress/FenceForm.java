package io.completionring.stress;

import java.lang.reflect.Field;

/**
 * Which form of the seed-000 fence the library uses in this JVM ({@code io.completionring.Fence}, package-private,
 * read by reflection, which works on the class path): the asymmetric one (a compiler barrier for the producer, a
 * full fence and membarrier for a reaper about to park) on JDK 22+ on Linux x86-64 or AArch64 with native access
 * enabled, the symmetric one (a full fence on both sides) everywhere else.
 *
 * <p>{@code ProveIt}'s check real-termination-asymmetric starts its test JVMs with {@code
 * --enable-native-access=ALL-UNNAMED} and the system property {@value #EXPECT_ASYMMETRIC}; every test it selects
 * calls {@link #requireExpected()} in its constructor, so a test JVM in which the asymmetric form is not in use fails
 * the check (jcstress reports the exception as an error) instead of passing it on the symmetric form.
 */
public final class FenceForm {

    /** The system property that tells the test JVM to expect the asymmetric form. */
    public static final String EXPECT_ASYMMETRIC = "completionring.expectAsymmetricFence";

    /** Fence.ASYMMETRIC of the library in this JVM. */
    static final boolean ASYMMETRIC = asymmetric();

    private static final boolean EXPECTED = Boolean.getBoolean(EXPECT_ASYMMETRIC);

    private FenceForm() {
    }

    /** Throws if this JVM was told to expect the asymmetric form and the library does not use it. */
    static void requireExpected() {
        Checks.require(!EXPECTED || ASYMMETRIC, "-D" + EXPECT_ASYMMETRIC + "=true, but the library uses the symmetric "
                + "fence here: native access not enabled, or no membarrier (JDK 22+ on Linux 4.14+, x86-64 or "
                + "AArch64 needed; this is " + Runtime.version() + " on " + System.getProperty("os.arch") + ")");
    }

    private static boolean asymmetric() {
        try {
            final Field f = Class.forName("io.completionring.Fence").getDeclaredField("ASYMMETRIC");
            f.setAccessible(true);
            return f.getBoolean(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read io.completionring.Fence.ASYMMETRIC", e);
        }
    }
}
