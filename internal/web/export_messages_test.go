package web

import "time"

// SetMessageLimit changes how many messages one user may send in the window, for tests.
func SetMessageLimit(a *App, n int) { a.messageLimit = n }

// SetStreamTimings shortens the notification streams' heartbeat and the hub's poll
// interval, for tests.
func SetStreamTimings(a *App, heartbeat, poll time.Duration) {
	a.streamHeartbeat = heartbeat
	a.hub.interval = poll
}
