package web_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// The sign-in time does not tell which usernames exist (the finding 3: 254 ms
// for a wrong password, 5 ms for an unknown user): the medians of the two differ by less
// than 20%. A timed test, as the issue asks. To hold on a loaded machine, the samples are
// interleaved (ABBA, so that a slow spell weighs on both sides alike), medians ignore
// outliers, and a round that misses is measured again, up to three rounds; without the
// stand-in verification every round misses by a factor of ten or more.
func TestSigninTimeDoesNotRevealUsernames(t *testing.T) {
	const pairs, rounds = 12, 3
	forEachSigninDialect(t, func(t *testing.T, dialect string) {
		s, _, _ := signinSite(t, dialect, true, nil, "john")
		n := 0
		timed := func(username string) time.Duration {
			n++
			b := s.browser()
			start := time.Now()
			p := b.loginVia(fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255), "", username, "wrong-password")
			d := time.Since(start)
			expectFailed(t, username, p)
			return d
		}
		timed("john") // warm up connections and caches
		timed("nobody")
		var report string
		for round := 1; round <= rounds; round++ {
			var wrong, unknown []time.Duration
			for i := range pairs {
				if i%2 == 0 {
					wrong = append(wrong, timed("john"))
					unknown = append(unknown, timed("nobody"))
				} else {
					unknown = append(unknown, timed("nobody"))
					wrong = append(wrong, timed("john"))
				}
			}
			w, u := signinMedian(wrong), signinMedian(unknown)
			diff := float64(u-w) / float64(w)
			report += fmt.Sprintf("round %d: wrong password %v, unknown user %v (%+.0f%%)\n", round, w, u, 100*diff)
			if diff > -0.2 && diff < 0.2 {
				t.Logf("%s", report)
				return
			}
		}
		t.Fatalf("medians differ by 20%% or more in every round:\n%s", report)
	})
}

func signinMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
