package io.completionring;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Negative control for {@link CompletionRingLincheckTest}: the same operations, the same sequential specification and
 * the same options (stress and model checking), run against {@link RacyHeadRing}, a ring whose reapers move the head
 * without a CAS. Lincheck must reject it (a test that cannot fail proves nothing); each test fails if Lincheck
 * reports no violation, or reports something other than results that no sequential order explains. The option
 * added, {@code minimizeFailedScenario(false)}, skips shrinking the failing scenario after it was found (which cost
 * several seconds here); the model-checking search is the real test's, the stress search five times longer.
 */
@Param(name = "userData", gen = IntGen.class, conf = "1:3")
public class LincheckControlTest {

    private final RacyHeadRing ring = new RacyHeadRing(CompletionRingLincheckTest.CAPACITY);

    @Operation
    public boolean trySubmit() {
        return ring.trySubmit(1);
    }

    @Operation
    public boolean trySubmitTwo() {
        return ring.trySubmit(2);
    }

    @Operation(nonParallelGroup = "producer")
    public boolean complete(@Param(name = "userData") int userData) {
        return ring.complete(userData, 10L * userData + 1);
    }

    @Operation
    public List<Long> pollEvents() {
        return ring.poll(1);
    }

    @Operation
    public List<Long> getEventsNoWait() {
        return ring.poll(1);
    }

    @Test
    @Timeout(120)
    void modelCheckingRejectsARingWhoseReapersRaceForTheHead() {
        assertRejected(() -> CompletionRingLincheckTest.modelCheckingOptions()
                .minimizeFailedScenario(false)
                .check(LincheckControlTest.class));
    }

    @Test
    @Timeout(120)
    void stressRejectsARingWhoseReapersRaceForTheHead() {
        // Five times the real test's stress search (50 x 2,000 invocations, not 20 x 1,000): at the real test's size
        // the search missed this ring's race in one run of 2026-12-02 (docs/testing.md, Lincheck).
        assertRejected(() -> CompletionRingLincheckTest.stressOptions()
                .iterations(50)
                .invocationsPerIteration(2_000)
                .minimizeFailedScenario(false)
                .check(LincheckControlTest.class));
    }

    private static void assertRejected(Executable check) {
        LincheckAssertionError e = assertThrows(LincheckAssertionError.class, check,
                "Lincheck accepted a ring whose reapers take the same events");
        assertTrue(String.valueOf(e.getMessage()).contains("Invalid execution results"),
                "Lincheck failed for another reason than non-linearizable results: " + e.getMessage());
    }
}
