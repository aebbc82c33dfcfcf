package database

// TrackedCount reports how many objects the session tracks, for tests.
func TrackedCount(s *Session) int {
	n := 0
	s.eachTracked(func(any, *tracked) { n++ })
	return n
}
