package dev.genlab.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.genlab.core.spec.Redactor;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.claims.Claims;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The redacting view must not hide what the tracker behind it knows: Tracker's optional capabilities are
 * default methods returning empty, so a wrapper that forgot one would silently turn MLflow links or trial
 * claims off for every spec that reads a secret from the environment.
 */
class RedactingTrackerTest {

    @Test
    void optionalCapabilitiesOfTheTrackerBehindAreForwarded() {
        Tracker inner = mock(Tracker.class);
        RemoteLink link = new RemoteLink("abc", "http://127.0.0.1:5000/#/experiments/1/runs/abc",
                "http://127.0.0.1:5000/#/experiments/1");
        Claims claims = mock(Claims.class);
        when(inner.remoteLink("r1")).thenReturn(Optional.of(link));
        when(inner.claims("e1")).thenReturn(Optional.of(claims));
        when(inner.runDirectory("r1")).thenReturn(Optional.of(Path.of("/tmp/r1")));
        Tracker wrapped = RedactingTracker.wrap(inner, Redactor.NONE.with("GENLAB_TEST_API_TOKEN", "s3cr3t-value"));
        assertNotSame(inner, wrapped);
        assertEquals(Optional.of(link), wrapped.remoteLink("r1"));
        assertEquals(Optional.of(claims), wrapped.claims("e1"));
        assertEquals(Optional.of(Path.of("/tmp/r1")), wrapped.runDirectory("r1"));
    }
}
