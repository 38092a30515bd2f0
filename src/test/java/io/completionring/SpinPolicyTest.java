package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The adaptive spin budget and the spinner cap of SpinPolicy. */
class SpinPolicyTest {

    @Test
    void budgetShrinksByAQuarterAfterEachFailedSpinDownToTheFloor() {
        SpinPolicy policy = new SpinPolicy(1024, 2);
        policy.spinEnded(false);
        assertEquals(768, policy.spins());
        policy.spinEnded(false);
        assertEquals(576, policy.spins());
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(false);
        }
        assertEquals(SpinPolicy.MIN_SPINS, policy.spins());
    }

    @Test
    void budgetDoublesAfterEachSuccessfulSpinUpToTheConfiguredBudget() {
        SpinPolicy policy = new SpinPolicy(1024, 2);
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(false);
        }
        policy.spinEnded(true);
        assertEquals(2 * SpinPolicy.MIN_SPINS, policy.spins());
        for (int i = 0; i < 100; i++) {
            policy.spinEnded(true);
        }
        assertEquals(1024, policy.spins());
    }

    @Test
    void aBudgetBelowTheFloorStaysWhereItWasConfigured() {
        SpinPolicy policy = new SpinPolicy(10, 2);
        policy.spinEnded(false);
        assertEquals(10, policy.spins());
        policy.spinEnded(true);
        assertEquals(10, policy.spins());
    }

    @Test
    void aZeroBudgetNeverSpins() {
        SpinPolicy policy = new SpinPolicy(0, 8);
        assertFalse(policy.tryStartSpinning());
        policy.spinEnded(true);
        assertEquals(0, policy.spins());
    }

    @Test
    void oneCoreIsLeftForTheProducer() {
        SpinPolicy policy = new SpinPolicy(1024, 3);
        assertTrue(policy.tryStartSpinning());
        assertTrue(policy.tryStartSpinning());
        assertFalse(policy.tryStartSpinning(), "a third spinner on three cores");
        policy.stopSpinning();
        assertTrue(policy.tryStartSpinning());
    }

    @Test
    void nobodySpinsOnASingleCore() {
        assertFalse(new SpinPolicy(1024, 1).tryStartSpinning());
    }
}
