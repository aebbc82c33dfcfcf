package database

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"unsafe"
	"weak"
)

// trackSetItem is large enough, and holds a pointer, so that the allocator gives each
// one a block of its own: a collection can clear any of them alone.
type trackSetItem struct {
	n    int
	next *trackSetItem
	pad  [4]int
}

// The walk of a flush forgets the objects the collector cleared and visits every live
// one exactly once, though forgetting moves entries within the slice; the map keeps
// pointing at each entry's place.
func TestTrackSetWalkForgetsClearedObjects(t *testing.T) {
	s := &Session{tracked: newTrackSet()}
	m := &model{typ: reflect.TypeFor[trackSetItem]()}
	live := make([]*trackSetItem, 0, 50)
	for i := range 100 {
		it := &trackSetItem{n: i}
		s.tracked.put(weak.Make((*byte)(unsafe.Pointer(it))), &tracked{m: m})
		if i%2 == 0 {
			live = append(live, it)
		}
	}
	runtime.GC()
	runtime.GC()
	seen := map[int]int{}
	dropped := s.eachTrackedBut(false, func(obj any, _ *tracked) { seen[obj.(*trackSetItem).n]++ })
	if !dropped {
		t.Skip("the collector cleared none of the dropped objects (nothing to test)")
	}
	if len(seen) != len(live) || s.tracked.len() != len(live) {
		t.Fatalf("visited %d objects, %d tracked, want the %d live ones", len(seen), s.tracked.len(), len(live))
	}
	for _, it := range live {
		if seen[it.n] != 1 {
			t.Errorf("object %d visited %d times, want once", it.n, seen[it.n])
		}
		k := weak.Make((*byte)(unsafe.Pointer(it)))
		if _, ok := s.tracked.get(k); !ok {
			t.Errorf("object %d no longer found", it.n)
		}
	}
	for k, i := range s.tracked.at {
		if s.tracked.list[i].key != k {
			t.Fatalf("the map sends an object to entry %d, which holds another", i)
		}
	}
	s.tracked.remove(weak.Make((*byte)(unsafe.Pointer(live[0]))))
	if _, ok := s.tracked.get(weak.Make((*byte)(unsafe.Pointer(live[0])))); ok || s.tracked.len() != len(live)-1 {
		t.Fatalf("remove left the object tracked (%d entries)", s.tracked.len())
	}
	runtime.KeepAlive(live)
}

// BenchmarkTrackSetWalk measures, for a session tracking 1,000 live users, the walk over
// the map the identity map once was and over trackSet's slice (each resolving the weak
// pointers), and a flush's whole check of them (the slice walk plus model.quiet).
//
// Run: go test ./internal/database -run '^$' -bench TrackSetWalk
func BenchmarkTrackSetWalk(b *testing.B) {
	db, err := Open(b.Context(), "sqlite:///"+b.TempDir()+"/walk.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	type user struct {
		ID       int64  `bun:"id,pk,autoincrement"`
		Username string `bun:"username,notnull"`
		Email    string `bun:"email,notnull"`
		AboutMe  *string
	}
	s := db.NewSession()
	m, err := db.modelOf(&user{})
	if err != nil {
		b.Fatal(err)
	}
	users := make([]*user, 1000)
	asMap := make(map[weak.Pointer[byte]]*tracked, len(users))
	for i := range users {
		about := fmt.Sprint("about ", i)
		users[i] = &user{ID: int64(i + 1), Username: fmt.Sprint("u", i), Email: fmt.Sprint("u", i, "@example.com"), AboutMe: &about}
		s.track(users[i], m)
		k := weakKey(users[i])
		asMap[k], _ = s.tracked.get(k)
	}
	perObject := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(users)), "ns/object")
	}
	b.Run("map", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for k := range asMap {
				if k.Value() != nil {
					n++
				}
			}
		}
		perObject(b)
	})
	b.Run("slice", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for _, e := range s.tracked.list {
				if e.key.Value() != nil {
					n++
				}
			}
		}
		perObject(b)
	})
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			s.eachTrackedBut(true, func(any, *tracked) { b.Fatal("an unchanged object needs a flush") })
		}
		perObject(b)
	})
	runtime.KeepAlive(users)
}
