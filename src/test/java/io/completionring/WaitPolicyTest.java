package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive budgets and the caps of WaitPolicy. */
class WaitPolicyTest {

    private static final long YIELD = 50_000;

    @Test
    void spinBudgetShrinksByAQuarterAfterEachFailedSpinDownToTheFloor() {
        WaitPolicy policy = new WaitPolicy(1024, YIELD, 2);
        policy.spinEnded(false);
        assertEquals(768, policy.spins());
        policy.spinEnded(false);
        assertEquals(576, policy.spins());
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(false);
        }
        assertEquals(WaitPolicy.MIN_SPINS, policy.spins());
    }

    @Test
    void spinBudgetDoublesAfterEachSuccessfulSpinUpToTheConfiguredBudget() {
        WaitPolicy policy = new WaitPolicy(1024, YIELD, 2);
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(false);
        }
        policy.spinEnded(true);
        assertEquals(2 * WaitPolicy.MIN_SPINS, policy.spins());
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(true);
        }
        assertEquals(1024, policy.spins());
    }

    @Test
    void aSpinBudgetBelowTheFloorStaysWhereItWasConfigured() {
        WaitPolicy policy = new WaitPolicy(10, YIELD, 2);
        policy.spinEnded(false);
        assertEquals(10, policy.spins());
        policy.spinEnded(true);
        assertEquals(10, policy.spins());
    }

    @Test
    void yieldBudgetShrinksByAQuarterAfterEachFailedYieldPhaseThenStopsBelowTheFloor() {
        WaitPolicy policy = new WaitPolicy(128, YIELD, 2);
        policy.yieldEnded(false);
        assertEquals(37_500, policy.yieldNanos());
        long last = policy.yieldNanos();
        while (policy.yieldNanos() != 0) {
            last = policy.yieldNanos();
            policy.yieldEnded(false);
        }
        assertTrue(last >= WaitPolicy.MIN_YIELD_NANOS && last - (last >> 2) < WaitPolicy.MIN_YIELD_NANOS,
                "the last budget before 0 was " + last);
    }

    @Test
    void yieldBudgetDoublesAfterEachSuccessfulYieldPhaseUpToTheConfiguredBudget() {
        WaitPolicy policy = new WaitPolicy(128, YIELD, 2);
        for (int i = 0; i < 8; i++) {
            policy.yieldEnded(false);
        }
        final long low = policy.yieldNanos();
        assertTrue(low > 0 && low < YIELD / 4, "budget after 8 failed phases: " + low);
        policy.yieldEnded(true);
        assertEquals(2 * low, policy.yieldNanos());
        for (int i = 0; i < 100; i++) {
            policy.yieldEnded(true);
        }
        assertEquals(YIELD, policy.yieldNanos());
    }

    @Test
    void aShortParkBringsBackAYieldBudgetThatFellToZero() {
        WaitPolicy policy = new WaitPolicy(128, YIELD, 2);
        for (int i = 0; i < 100; i++) {
            policy.yieldEnded(false);
        }
        assertEquals(0, policy.yieldNanos());
        policy.parkEnded(YIELD);                            // as long as the whole budget: yielding would not pay
        assertEquals(0, policy.yieldNanos());
        policy.parkEnded(10_000);                           // a yield phase of 20 us would have saved this park
        assertEquals(20_000, policy.yieldNanos());
        policy.parkEnded(100);                              // never lowers it, never below the floor
        assertEquals(20_000, policy.yieldNanos());
        policy.parkEnded(40_000);                           // twice 40 us is over the configured budget
        assertEquals(YIELD, policy.yieldNanos());
    }

    @Test
    void aShortParkRaisesAZeroBudgetToTheFloorAtLeast() {
        WaitPolicy policy = new WaitPolicy(128, YIELD, 2);
        for (int i = 0; i < 100; i++) {
            policy.yieldEnded(false);
        }
        policy.parkEnded(100);
        assertEquals(WaitPolicy.MIN_YIELD_NANOS, policy.yieldNanos());
        assertFalse(new WaitPolicy(128, 0, 2).learnsFromParks(), "yielding off: nothing to learn");
    }

    @Test
    void withoutASpinnerPlaceAThreadParksAtOnceWhileTheYieldBudgetIsZero() {
        WaitPolicy policy = new WaitPolicy(128, YIELD, 2);
        for (int i = 0; i < 100; i++) {
            policy.yieldEnded(false);
        }
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        assertEquals(WaitPolicy.NONE, policy.tryStartActive(), "the spinner place is taken and yielding stopped");
        policy.parkEnded(1_000);
        assertEquals(WaitPolicy.YIELD, policy.tryStartActive());
    }

    @Test
    void aZeroSpinBudgetNeitherSpinsNorYields() {
        WaitPolicy policy = new WaitPolicy(0, YIELD, 8);
        assertEquals(WaitPolicy.NONE, policy.tryStartActive());
        assertEquals(0, policy.yieldNanos());
        policy.spinEnded(true);
        assertEquals(0, policy.spins());
    }

    @Test
    void oneCoreIsLeftForTheProducerBySpinnersAndTheRestYieldUpToOnePerCore() {
        WaitPolicy policy = new WaitPolicy(1024, YIELD, 3);
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        assertEquals(WaitPolicy.YIELD, policy.tryStartActive(), "a third spinner on three cores");
        assertEquals(WaitPolicy.NONE, policy.tryStartActive(), "a fourth active thread on three cores");
        assertEquals(3, policy.active());
        policy.stopActive(WaitPolicy.SPIN);
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
    }

    @Test
    void aSpinnerThatGoesOnToYieldFreesItsSpinnerPlace() {
        WaitPolicy policy = new WaitPolicy(1024, YIELD, 2);
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        policy.spinToYield();
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        assertEquals(2, policy.active());
        policy.stopActive(WaitPolicy.YIELD);
        policy.stopActive(WaitPolicy.SPIN);
        assertEquals(0, policy.active());
    }

    @Test
    void aSingleCoreYieldsButNeverSpins() {
        WaitPolicy policy = new WaitPolicy(1024, YIELD, 1);
        assertEquals(WaitPolicy.YIELD, policy.tryStartActive());
        assertEquals(WaitPolicy.NONE, policy.tryStartActive());
    }

    @Test
    void withoutYieldingOnlySpinnersAreActive() {
        WaitPolicy policy = new WaitPolicy(1024, 0, 2);
        assertEquals(WaitPolicy.SPIN, policy.tryStartActive());
        assertEquals(WaitPolicy.NONE, policy.tryStartActive());
        assertEquals(WaitPolicy.NONE, new WaitPolicy(1024, 0, 1).tryStartActive());
    }
}
