import Fleet
import Testing

/// `cpu.microsPerHandshake` is what a user pays per handshake: the run's CPU over its connection
/// attempts. Over device verdicts, one device churning 300 connections read 300 times too high.
@Suite struct CPUPerHandshakeTests {
    @Test func everyAttemptCounts() {
        #expect(RunReport.CPU.perHandshake(0.3, verdicts: 1, attempts: 300) == 1_000)
        #expect(RunReport.CPU.perHandshake(0.3, verdicts: 300, attempts: 300) == 1_000)
        // Reports without connection counts (attempts 0) divide by verdicts, as before.
        #expect(RunReport.CPU.perHandshake(0.3, verdicts: 300, attempts: 0) == 1_000)
        #expect(RunReport.CPU.perHandshake(0.3, verdicts: 0, attempts: 0) == nil)
    }
}
