import NIOCore

/// What a ``DeviceAgent``'s one timer does when it fires: tell the agent which arming it was, so a
/// timer that fires after it was replaced is ignored there.
///
/// A value handed to the loop's `scheduleCallback`, not a closure given to `scheduleTask`: arming
/// allocates no promise and future, and cancelling fails none (issue #18: the loop's fixed cost
/// per connection).
///
/// **Thread-safety:** made and run on the agent's loop only (the isolated `scheduleCallback`).
struct DeviceTimer: NIOScheduledCallbackHandler {
    let agent: DeviceAgent
    let number: Int

    func handleScheduledCallback(eventLoop: some EventLoop) {
        self.agent.fired(self.number)
    }
}

@available(*, unavailable)
extension DeviceTimer: Sendable {}
