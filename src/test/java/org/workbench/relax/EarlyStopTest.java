package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EarlyStopTest {

    @Test
    void stopsAfterPatienceStepsWithoutASmallerSum() {
        EarlyStop s = new EarlyStop(3);
        assertFalse(s.stalled(10));
        assertFalse(s.stalled(9));
        assertFalse(s.stalled(9.5)); // 1 without improvement
        assertFalse(s.stalled(9));   // 2 (equal is no improvement)
        assertFalse(s.stalled(8.9)); // improvement resets
        assertFalse(s.stalled(9));
        assertFalse(s.stalled(9));
        assertTrue(s.stalled(9));    // 3 in a row
    }

    @Test
    void zeroNeverStopsAndNegativeIsRejected() {
        EarlyStop s = new EarlyStop(0);
        for (int i = 0; i < 100; i++) assertFalse(s.stalled(1));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStop(-1));
    }
}
