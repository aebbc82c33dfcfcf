package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

// A second LaunchTask for the same user waits for the first one's transaction and then
// finds its task, on every dialect: however two requests interleave, one task is
// recorded. Once the task completes, a new one may start.
func TestLaunchTaskWaitsForTheOneInProgress(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		setup := db.NewSession()
		u := &models.User{Username: "susan", Email: "susan@example.com"}
		setup.Add(u)
		if err := setup.Commit(ctx); err != nil {
			t.Fatal(err)
		}

		first := db.NewSession()
		defer first.Close()
		task, err := store.LaunchTask(ctx, first, u.ID, "export_posts", "Exporting posts...")
		if err != nil {
			t.Fatal(err)
		}
		second := make(chan error, 1)
		go func() {
			s := db.NewSession()
			defer s.Close()
			_, err := store.LaunchTask(ctx, s, u.ID, "export_posts", "Exporting posts...")
			if err == nil {
				err = s.Commit(ctx)
			} else {
				s.Rollback(ctx)
			}
			second <- err
		}()
		select {
		case err := <-second:
			t.Fatalf("the second launch did not wait for the first transaction: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := first.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-second:
			if !errors.Is(err, store.ErrTaskInProgress) {
				t.Fatalf("second launch: %v, want ErrTaskInProgress", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the second launch still waits after the first committed")
		}

		s := db.NewSession()
		defer s.Close()
		if busy, err := store.TaskInProgress(ctx, s, u.ID, "export_posts"); err != nil || !busy {
			t.Fatalf("TaskInProgress = %v, %v; want true", busy, err)
		}
		for _, want := range []bool{true, false} {
			done, err := store.CompleteTask(ctx, s, task.ID, u.ID)
			if err != nil || done != want {
				t.Fatalf("CompleteTask = %v, %v; want %v", done, err, want)
			}
			if err := s.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		again, err := store.LaunchTask(ctx, s, u.ID, "export_posts", "Exporting posts...")
		if err != nil {
			t.Fatalf("a new task after the first completed: %v", err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		list, err := store.TasksInProgress(ctx, s, u.ID)
		if err != nil || len(list) != 1 || list[0].Task.ID != again.ID || list[0].Progress != 0 {
			t.Fatalf("TasksInProgress = %+v, %v", list, err)
		}
		if _, err := store.TaskByID(ctx, s, "no-such-task"); !errors.Is(err, store.ErrNoTask) {
			t.Fatalf("TaskByID of an unknown id: %v", err)
		}
	})
}
